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

/** Files outside eventstore/ allowed to query its tables by hand: none since #17 sealed it. */
const NOT_YET_SEALED: string[] = [];

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
