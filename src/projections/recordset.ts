import { getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

// Set-based writes of a batch's rows in one statement: the rows travel as one jsonb
// parameter and come back out through jsonb_to_recordset, typed by the Drizzle table's
// own column list, so no read model declares its columns a second time.

type Key<T extends PgTable> = keyof T['_']['columns'] & string;

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

interface Column {
  key: string;
  name: string;
  type: string;
  /** Read as a JavaScript bigint, which JSON cannot hold: written as its decimal text. */
  bigint: boolean;
}

// A batch writes thousands of rows: each table's column list is worked out once.
const COLUMNS = new WeakMap<PgTable, Column[]>();

function columnsOf<T extends PgTable>(table: T, only?: readonly Key<T>[]): Column[] {
  let all = COLUMNS.get(table);
  if (!all) {
    all = Object.entries(getTableColumns(table)).map(([key, column]) => ({
      key,
      name: column.name,
      type: column.getSQLType(),
      bigint: column.dataType === 'bigint',
    }));
    COLUMNS.set(table, all);
  }
  return only ? all.filter((column) => only.includes(column.key as Key<T>)) : all;
}

/**
 * `jsonb_to_recordset($1::jsonb) AS x(<column> <type>, …)` over `records` (keyed as the
 * Drizzle table names its columns), and the column names it yields.
 */
export function recordset<T extends PgTable>(
  table: T,
  records: readonly Partial<T['$inferInsert']>[],
  only?: readonly Key<T>[],
): { names: string[]; from: SQL } {
  const columns = columnsOf(table, only);
  const json = JSON.stringify(
    records.map((record) => {
      const values = record as Record<string, unknown>;
      const row: Record<string, unknown> = {};
      for (const column of columns) {
        const value = values[column.key] ?? null;
        row[column.name] = column.bigint && value !== null ? String(value) : value;
      }
      return row;
    }),
  );
  const types = columns.map((column) => `${quote(column.name)} ${column.type}`).join(', ');
  return {
    names: columns.map((column) => quote(column.name)),
    from: sql`jsonb_to_recordset(${json}::jsonb) AS x(${sql.raw(types)})`,
  };
}

/** INSERT of every record, updating every column but the key on conflict (for use in a WITH). */
export function upsert<T extends PgTable>(table: T, records: readonly T['$inferInsert'][], key: Key<T>): SQL {
  const { names, from } = recordset(table, records);
  const keyName = quote(getTableColumns(table)[key]!.name);
  const updates = names.filter((n) => n !== keyName).map((n) => `${n} = excluded.${n}`);
  return sql`INSERT INTO ${sql.raw(quote(getTableName(table)))} (${sql.raw(names.join(', '))})
    SELECT ${sql.raw(names.join(', '))} FROM ${from}
    ON CONFLICT (${sql.raw(keyName)}) DO UPDATE SET ${sql.raw(updates.join(', '))}`;
}

/** INSERT of every record (for use in a WITH). */
export function insert<T extends PgTable>(table: T, records: readonly T['$inferInsert'][]): SQL {
  const { names, from } = recordset(table, records);
  return sql`INSERT INTO ${sql.raw(quote(getTableName(table)))} (${sql.raw(names.join(', '))})
    SELECT ${sql.raw(names.join(', '))} FROM ${from}`;
}

/**
 * Folds a batch into rows keyed by id, from the rows already stored: each event through
 * `evolve` on its row so far (undefined: the event changes nothing). Returns the rows it
 * changed, each once, in their latest form.
 */
export function evolveRows<R, E>(
  stored: Map<string, R>,
  events: readonly E[],
  idOf: (event: E) => string,
  evolve: (row: R | undefined, event: E) => R | undefined,
): R[] {
  const changed = new Set<string>();
  for (const event of events) {
    const id = idOf(event);
    const row = evolve(stored.get(id), event);
    if (!row) continue;
    stored.set(id, row);
    changed.add(id);
  }
  return [...changed].map((id) => stored.get(id)!);
}
