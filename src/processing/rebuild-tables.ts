import { sql } from 'drizzle-orm';
import { rows, type Executor } from '../db/connect.js';

// DDL for a rebuild: fresh copies of a projection's tables in a schema of their own,
// and the switch that puts them in place of the serving ones. Copies keep every
// table, constraint and index name, so later migrations apply to them unchanged.

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export function quoteIdent(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`"${name}" is not a plain identifier`);
  return `"${name}"`;
}

/** The schema the serving copy of `table` lives in, as the search_path resolves it. */
export async function servingSchema(exec: Executor, table: string): Promise<string> {
  const [row] = await rows<{ schema: string | null }>(
    exec,
    sql`
    SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = to_regclass(${table})`,
  );
  if (!row?.schema) throw new Error(`table ${table} does not exist; run the migrations first`);
  return row.schema;
}

/** Creates empty copies with columns, defaults and constraints; indexes come later. */
export async function createCopies(
  exec: Executor,
  tables: readonly string[],
  from: string,
  into: string,
): Promise<void> {
  await exec.execute(sql.raw(`DROP SCHEMA IF EXISTS ${quoteIdent(into)} CASCADE`));
  await exec.execute(sql.raw(`CREATE SCHEMA ${quoteIdent(into)}`));
  for (const table of tables) {
    const source = `${quoteIdent(from)}.${quoteIdent(table)}`;
    const target = `${quoteIdent(into)}.${quoteIdent(table)}`;
    await exec.execute(
      sql.raw(`CREATE TABLE ${target} (LIKE ${source}
      INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS)`),
    );
    // Primary and unique keys now: the projection's upserts need them while loading.
    const keys = await rows<{ name: string; definition: string }>(
      exec,
      sql`
      SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE conrelid = ${source}::regclass AND contype IN ('p', 'u', 'x')`,
    );
    for (const key of keys) {
      await exec.execute(
        sql.raw(`ALTER TABLE ${target} ADD CONSTRAINT ${quoteIdent(key.name)} ${key.definition}`),
      );
    }
  }
}

/**
 * The serving tables' other indexes, built once over the loaded rows (faster than
 * maintaining them row by row), then fresh planner statistics.
 */
export async function createSecondaryIndexes(
  exec: Executor,
  tables: readonly string[],
  from: string,
  into: string,
): Promise<void> {
  for (const table of tables) {
    const source = `${quoteIdent(from)}.${quoteIdent(table)}`;
    const target = `${quoteIdent(into)}.${quoteIdent(table)}`;
    const indexes = await rows<{ definition: string }>(
      exec,
      sql`
      SELECT pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
      WHERE i.indrelid = ${source}::regclass
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)`,
    );
    for (const index of indexes) {
      const definition = index.definition.replace(/ ON (ONLY )?\S+ USING /, ` ON ${target} USING `);
      await exec.execute(sql.raw(definition));
    }
    await exec.execute(sql.raw(`ANALYZE ${target}`));
  }
}

/** Inside the switching transaction: the copies take the serving tables' place; the old ones are dropped. */
export async function swapIn(
  exec: Executor,
  tables: readonly string[],
  serving: string,
  fresh: string,
): Promise<void> {
  const retired = quoteIdent(`retired_${fresh}`);
  await exec.execute(sql.raw(`DROP SCHEMA IF EXISTS ${retired} CASCADE`));
  await exec.execute(sql.raw(`CREATE SCHEMA ${retired}`));
  for (const table of tables) {
    await exec.execute(
      sql.raw(`ALTER TABLE ${quoteIdent(serving)}.${quoteIdent(table)} SET SCHEMA ${retired}`),
    );
    await exec.execute(
      sql.raw(`ALTER TABLE ${quoteIdent(fresh)}.${quoteIdent(table)} SET SCHEMA ${quoteIdent(serving)}`),
    );
  }
  await exec.execute(sql.raw(`DROP SCHEMA ${retired} CASCADE`));
  await exec.execute(sql.raw(`DROP SCHEMA ${quoteIdent(fresh)} CASCADE`));
}

export async function dropCopies(exec: Executor, schema: string): Promise<void> {
  await exec.execute(sql.raw(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`));
}
