import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A header's (first) value, or null. */
export function header(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** The caller's `x-request-id`, when it sent a usable one (one value, at most 200 characters). */
export function sentRequestId(headers: IncomingMessage['headers']): string | null {
  const sent = header(headers['x-request-id']);
  return sent && sent.length <= 200 ? sent : null;
}

/** The id an HTTP request goes by, on every port: the caller's `x-request-id` when usable, a fresh uuid otherwise. */
export function requestIdFor(headers: IncomingMessage['headers']): string {
  return sentRequestId(headers) ?? randomUUID();
}
