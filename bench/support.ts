import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The admin URL from DATABASE_URL, refused unless it is loopback: a bench hammers the server. */
export function adminUrl(): string {
  const url = new URL(process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL);
  if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(url.hostname)) {
    throw new Error(`benches run against a loopback server only, not ${url.hostname}`);
  }
  return url.toString();
}

export async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export interface BenchDatabase {
  database: Database;
  url: string;
  /** Closes the pool and drops the database; safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * A freshly created and migrated database of the given name. A leftover of an earlier,
 * killed run is dropped first. Statement and idle-in-transaction timeouts on every
 * connection keep a wedged bench from holding the server.
 */
export async function createBenchDatabase(
  admin: string,
  name: string,
  poolMax: number,
): Promise<BenchDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  await adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await adminQuery(admin, `CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  url.searchParams.set('statement_timeout', '120000');
  url.searchParams.set('idle_in_transaction_session_timeout', '60000');
  let database: Database | undefined;
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    await database?.close().catch(() => {});
    await adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  try {
    database = await openDatabase({ kind: 'postgres', url: url.toString(), poolMax });
    await migrate(database);
  } catch (error) {
    await dispose().catch(() => {});
    throw error;
  }
  return { database, url: url.toString(), dispose };
}

/**
 * Exits the process if the bench overruns, after `cleanup` (itself bounded), so a hung
 * query never leaves a run going forever. Returns the function that disarms it.
 */
export function watchdog(ms: number, cleanup: () => Promise<void>): () => void {
  const timer = setTimeout(() => {
    process.stderr.write(`bench: still running after ${ms / 1000} s, giving up\n`);
    const bounded = new Promise((resolve) => setTimeout(resolve, 15_000).unref());
    void Promise.race([cleanup().catch(() => {}), bounded]).finally(() => process.exit(2));
  }, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

export interface RunResult {
  ops: number;
  elapsedMs: number;
  perSecond: number;
  /** Latency of each measured operation in milliseconds, sorted ascending. */
  latencies: Float64Array;
}

/** One operation; `writer` and `seq` let it build unique keys without shared state. */
export type Op = (writer: number, seq: number) => Promise<unknown>;

interface Window {
  ops: number;
  elapsedMs: number;
  latencies: number[];
}

/**
 * `writers` loops running `op` back to back for `ms`. Operations started in the window
 * are counted and timed to when the last of them finished, so a slow tail is not cut off.
 * `seqs` carries each writer's sequence number across windows.
 */
async function window(writers: number, ms: number, op: Op, seqs: number[]): Promise<Window> {
  const latencies: number[] = [];
  const started = performance.now();
  const until = started + ms;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      while (performance.now() < until) {
        const begun = performance.now();
        await op(writer, seqs[writer]!++);
        latencies.push(performance.now() - begun);
      }
    }),
  );
  return { ops: latencies.length, elapsedMs: performance.now() - started, latencies };
}

function result(windows: Window[]): RunResult {
  const ops = windows.reduce((n, w) => n + w.ops, 0);
  const elapsedMs = windows.reduce((n, w) => n + w.elapsedMs, 0);
  const latencies = Float64Array.from(windows.flatMap((w) => w.latencies)).sort();
  return { ops, elapsedMs, perSecond: (ops * 1000) / elapsedMs, latencies };
}

export interface CompareOptions {
  writers: number;
  /** Per side, not counted; it also opens the pool's connections. */
  warmupMs: number;
  /** Measured time per side, split evenly over the rounds. */
  durationMs: number;
  rounds: number;
}

/**
 * Runs the sides in alternating slices (a b a b …) rather than one after the other, so
 * a burst of load from elsewhere on the machine, a checkpoint or autovacuum falls on
 * every side alike and the ratio between them stays meaningful.
 */
export async function compare<K extends string>(
  sides: Record<K, Op>,
  options: CompareOptions,
): Promise<Record<K, RunResult>> {
  const names = Object.keys(sides) as K[];
  const seqs = new Map(names.map((name) => [name, new Array<number>(options.writers).fill(0)]));
  const windows = new Map(names.map((name) => [name, [] as Window[]]));
  for (const name of names) await window(options.writers, options.warmupMs, sides[name], seqs.get(name)!);
  const slice = options.durationMs / options.rounds;
  for (let round = 0; round < options.rounds; round++) {
    for (const name of names)
      windows.get(name)!.push(await window(options.writers, slice, sides[name], seqs.get(name)!));
  }
  return Object.fromEntries(names.map((name) => [name, result(windows.get(name)!)])) as Record<K, RunResult>;
}

/** Nearest-rank percentile of an ascending array, `p` in 0..100. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Aligned columns: the first left-aligned, the rest right-aligned. */
export function formatTable(header: string[], body: string[][]): string {
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fmtMs = (n: number): string => n.toFixed(2);

/** Benches print their figures, which is their whole output; the app's logger is for the app. */
export function print(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export interface CpuSample {
  /** Busy and total time of the whole machine, all cores, in milliseconds. */
  machineBusyMs: number;
  machineTotalMs: number;
  /** CPU time of each postgres process by pid, in milliseconds: all, or one database's backends. */
  postgres: Map<number, number>;
}

// /proc counts in USER_HZ ticks, which Linux fixes at 100 per second for user space.
const CLOCK_TICK_MS = 10;

/**
 * CPU counters from /proc (Linux; NaN elsewhere), to tell which side of a bench saturates
 * the machine. With `database`, only the backends serving that database count: the
 * PostgreSQL server may be busy with others' databases too.
 */
export function readCpu(database?: string): CpuSample {
  const postgres = new Map<number, number>();
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    // guest time is already counted in user time: only the first eight fields add up.
    const ticks = fields.slice(0, 8).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    // idle and iowait are the fourth and fifth fields.
    const busy = total - ticks[3]! - (ticks[4] ?? 0);
    for (const [pid, process] of processes()) {
      if (process.name !== 'postgres') continue;
      // A backend's title reads "postgres: <cluster>: <user> <database> <client> <state>".
      if (database !== undefined && !readTitle(String(pid)).includes(` ${database} `)) continue;
      postgres.set(pid, process.cpuMs);
    }
    return { machineBusyMs: busy * CLOCK_TICK_MS, machineTotalMs: total * CLOCK_TICK_MS, postgres };
  } catch {
    return { machineBusyMs: Number.NaN, machineTotalMs: Number.NaN, postgres };
  }
}

export interface ProcessStat {
  name: string;
  parent: number;
  cpuMs: number;
  rssMb: number;
}

const PAGE_MB = 4096 / 1e6;

/** Every process's name, parent and CPU time (user and system), by pid, from /proc. */
export function processes(): Map<number, ProcessStat> {
  const found = new Map<number, ProcessStat>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // it ended while the list was read
    }
    // The name may hold spaces and parentheses: the fields proper start after the last ')'.
    const close = stat.lastIndexOf(')');
    const rest = stat.slice(close + 2).split(' ');
    // `rest` starts at field 3: the parent is field 4, utime and stime fields 14 and 15, rss (pages) field 24.
    found.set(Number(pid), {
      name: stat.slice(stat.indexOf('(') + 1, close),
      parent: Number(rest[1]),
      cpuMs: (Number(rest[11]) + Number(rest[12])) * CLOCK_TICK_MS,
      rssMb: Number(rest[21]) * PAGE_MB,
    });
  }
  return found;
}

/** A process and all its descendants. */
export function processTree(root: number): ProcessStat[] {
  const all = processes();
  const inTree = (pid: number): boolean =>
    pid === root || (pid > 1 && all.has(pid) && inTree(all.get(pid)!.parent));
  return [...all].filter(([pid]) => inTree(pid)).map(([, stat]) => stat);
}

/** CPU time of a process and all its descendants, ms. */
export function treeCpuMs(root: number): number {
  return processTree(root).reduce((total, process) => total + process.cpuMs, 0);
}

function readTitle(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/**
 * PostgreSQL's CPU time between two samples. A backend that exited in between takes its
 * time since the first sample with it, so this is a lower bound when connections churn.
 */
export function postgresCpuMs(before: CpuSample, after: CpuSample): number {
  let ms = 0;
  for (const [pid, now] of after.postgres) ms += now - (before.postgres.get(pid) ?? 0);
  return ms;
}
