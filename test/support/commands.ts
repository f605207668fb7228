import { pino } from 'pino';
import { CommandHandler } from '../../src/commands/index.js';
import type { CommandMetadata } from '../../src/domain/index.js';
import { EventStore } from '../../src/eventstore/index.js';
import { createEventTypeRegistry } from '../../src/event-types.js';
import type { Database } from '../../src/db/connect.js';

export const silentLogger = pino({ level: 'silent' });

export function commandHandler(
  database: Database,
  options: { snapshotEvery?: number; maxAttempts?: number } = {},
) {
  const store = new EventStore(database, createEventTypeRegistry());
  return new CommandHandler(store, {
    snapshotEvery: options.snapshotEvery ?? 100,
    idempotencyTtlMs: 60_000,
    logger: silentLogger,
    maxAttempts: options.maxAttempts,
  });
}

let sequence = 0;

/** Metadata with a fixed clock and a fresh command id per call (ids must differ between commands). */
export function meta(overrides: Partial<CommandMetadata> = {}): CommandMetadata {
  sequence += 1;
  return {
    commandId: `cmd-${process.pid}-${sequence}`,
    correlationId: `corr-${sequence}`,
    actor: 'test',
    now: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}
