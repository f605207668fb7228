import { createHash } from 'node:crypto';

/**
 * The id of the index-th event a command produces: derived, not random, so a command
 * sent again (a retried request, a redelivered saga step) is recognised by the store.
 */
export function eventIdFor(commandId: string, streamId: string, index: number): string {
  const hex = createHash('sha256').update(`ledgerline:event:${commandId}:${streamId}:${index}`).digest('hex');
  // Shaped as an RFC 4122 version-8 (custom) uuid.
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A stable hash of what a command asks for (not who or when), for idempotency keys. */
export function requestHash(command: { type: string; data: unknown }): string {
  return createHash('sha256')
    .update(stableJson({ type: command.type, data: command.data }))
    .digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
