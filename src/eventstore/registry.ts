import { UnknownEventTypeError, UnknownEventVersionError } from './errors.js';
import type { DomainEventShape } from './types.js';

/** Turns the data of schema version N into that of version N + 1. */
export type Upcaster = (data: any) => unknown;

interface EventTypeEntry {
  version: number;
  upcasters: Record<number, Upcaster>;
}

/**
 * The event types the store knows, each with its current schema version and the
 * upcasters that bring older rows up to it on read. Stored rows are never rewritten.
 * `E` is the union of events it reads: built by the composition root from the domain's
 * versions and upcasters, so the store itself knows no domain.
 */
export class EventTypeRegistry<E extends DomainEventShape = DomainEventShape> {
  private readonly types = new Map<string, EventTypeEntry>();

  register(type: string, version = 1, upcasters: Record<number, Upcaster> = {}): this {
    for (let v = 1; v < version; v++) {
      if (!upcasters[v]) throw new Error(`event type ${type} v${version} needs an upcaster from v${v}`);
    }
    this.types.set(type, { version, upcasters });
    return this;
  }

  registerAll(
    versions: Record<E['type'], number>,
    upcasters: Partial<Record<E['type'], Record<number, Upcaster>>> = {},
  ): this {
    for (const [type, version] of Object.entries<number>(versions))
      this.register(type, version, upcasters[type as E['type']]);
    return this;
  }

  currentVersion(type: string): number {
    const entry = this.types.get(type);
    if (!entry) throw new UnknownEventTypeError(type);
    return entry.version;
  }

  upcast(type: string, schemaVersion: number, data: unknown): unknown {
    const entry = this.types.get(type);
    if (!entry) throw new UnknownEventTypeError(type);
    if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > entry.version) {
      throw new UnknownEventVersionError(type, schemaVersion);
    }
    let current = data;
    for (let v = schemaVersion; v < entry.version; v++) current = entry.upcasters[v]!(current);
    return current;
  }
}
