import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** SQL that names one of the store's tables, or a Drizzle import of one. */
const NAMES_A_STORE_TABLE = [
  /\b(?:from|join|into|update)\s+"?(?:events|streams|snapshots)"?(?![\w.])/i,
  /import\s*\{[^}]*\b(?:events|streams|snapshots)\b[^}]*\}\s*from\s*'[^']*db\/(?:schema|tables\/event-store)\.js'/,
];

/**
 * Files outside eventstore/ that still query its tables by hand: the sealing of the store
 * (#17) moves each read into the store and takes it off this list. A file may leave the
 * list; none may join it.
 */
const NOT_YET_SEALED = [
  'commands/loader.ts',
  'projections/checker.ts',
  'projections/rebuild.ts',
  'projections/runner.ts',
  'projections/status-store.ts',
  'sagas/fulfilment-projection.ts',
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the event store is the only code that names its tables', () => {
  const naming = sources(SRC)
    .map((path) => relative(SRC, path))
    .filter((file) => !file.startsWith('eventstore/'))
    .filter((file) =>
      NAMES_A_STORE_TABLE.some((pattern) => pattern.test(readFileSync(join(SRC, file), 'utf8'))),
    )
    .sort();

  it('has no file outside eventstore/ beyond those not sealed yet', () => {
    expect(naming.filter((file) => !NOT_YET_SEALED.includes(file))).toEqual([]);
  });

  it('lists only files that still do (a sealed one leaves the list)', () => {
    expect(NOT_YET_SEALED.filter((file) => !naming.includes(file))).toEqual([]);
  });

  it('recognises a query of the events table, so the check can fail', () => {
    expect(
      NAMES_A_STORE_TABLE.some((p) => p.test('sql`SELECT 1 FROM\n    events WHERE stream_id = ${id}`')),
    ).toBe(true);
    expect(NAMES_A_STORE_TABLE.some((p) => p.test("import { events } from '../db/schema.js';"))).toBe(true);
    expect(
      NAMES_A_STORE_TABLE.some((p) =>
        p.test('SELECT extract(epoch FROM now() - recorded_at) FROM order_events'),
      ),
    ).toBe(false);
  });
});
