/**
 * How long `npm start` takes to answer /health on the embedded database, beside the time
 * a bare PGlite takes to open the same kind of data directory (the floor no server can
 * beat): on a fresh directory (PGlite's initdb, then our migrations) and on reopen.
 * Runs interleave (bare, server, bare, server …) so a busy spell of the host falls on both
 * sides; each figure is the median of BENCH_STARTUP_RUNS (5). The server is started as a
 * user does (`npm start`) and as npm then runs it (`node bin/ledgerline.mjs serve`), which
 * tells npm's own start-up apart. Also prints the server's memory once ready, and the
 * stages its log reports.
 *
 * BENCH_STARTUP_ROOT runs another checkout's `npm start` (for a before/after comparison);
 * its own node_modules provide the bare PGlite.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/pg-cluster.js';
import { formatTable, print, processTree } from './support.js';

const ROOT = process.env.BENCH_STARTUP_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
const TIMEOUT_MS = 120_000;

interface Start {
  ms: number;
  rssMb?: number;
  stages?: string;
}

/** A bare PGlite in a process of its own: node's boot, the import, the open and one query. */
const BARE = `
const { PGlite } = await import('@electric-sql/pglite');
const db = new PGlite(process.argv[1]);
await db.query('select 1');
process.stdout.write('open\\n');
await db.close();
`;

function bareOpen(dataDir: string): Promise<Start> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', BARE, dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve({ ms: performance.now() - started }));
    child.once('exit', (code) => code !== 0 && reject(new Error(`bare PGlite exited with ${code}`)));
  }).then(async (start) => {
    await new Promise((resolve) => child.once('exit', resolve));
    return start as Start;
  });
}

/** The stages the server logs (JSON lines with `msg` and `time`), as "name +ms since the process was spawned". */
function stagesOf(log: string, spawnedAt: number): string {
  const lines = log.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as { msg?: string; time?: number }];
    } catch {
      return [];
    }
  });
  const names = ['opening the database', 'migrating', 'starting projections', 'listening'];
  const marks = lines.filter((l) => l.msg && (names.includes(l.msg) || l.msg.startsWith('ready in')));
  return marks
    .map((l) => `${l.msg!.startsWith('ready') ? 'ready' : l.msg} +${l.time! - spawnedAt}`)
    .join(', ');
}

/** How the server is started: as a user does, or the command npm start runs, without npm's own start-up. */
const COMMANDS = {
  npm: ['npm', 'start', '--silent'],
  node: [process.execPath, 'bin/ledgerline.mjs', 'serve'],
} as const;

async function serverStart(dataDir: string, via: keyof typeof COMMANDS = 'npm'): Promise<Start> {
  const port = await freePort();
  const started = performance.now();
  const spawnedAt = Date.now();
  const [command, ...args] = COMMANDS[via];
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      METRICS_PORT: 'off',
      LOG_LEVEL: 'info',
    },
  });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    while (
      !(await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (child.exitCode !== null || performance.now() - started > TIMEOUT_MS)
        throw new Error(`the server did not start:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const ms = performance.now() - started;
    const rssMb = processTree(child.pid!).reduce((sum, p) => sum + (p.name === 'node' ? p.rssMb : 0), 0);
    return { ms, rssMb, stages: stagesOf(log, spawnedAt) };
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'ledgerline-startup-'));
  const reopenDir = join(scratch, 'reopen');
  try {
    print(`bench:startup: ${ROOT}, ${RUNS} runs of each, interleaved`);
    await serverStart(reopenDir); // creates and migrates the directory every reopen run opens
    const runs = {
      bareFresh: [] as Start[],
      serverFresh: [] as Start[],
      nodeFresh: [] as Start[],
      bareReopen: [] as Start[],
      serverReopen: [] as Start[],
      nodeReopen: [] as Start[],
    };
    const ms = (starts: Start[]) => starts.at(-1)!.ms.toFixed(0);
    for (let run = 0; run < RUNS; run++) {
      runs.bareFresh.push(await bareOpen(join(scratch, `bare-${run}`)));
      runs.serverFresh.push(await serverStart(join(scratch, `server-${run}`)));
      runs.nodeFresh.push(await serverStart(join(scratch, `node-${run}`), 'node'));
      runs.bareReopen.push(await bareOpen(reopenDir));
      runs.serverReopen.push(await serverStart(reopenDir));
      runs.nodeReopen.push(await serverStart(reopenDir, 'node'));
      print(
        `run ${run + 1}: fresh ${ms(runs.bareFresh)} / ${ms(runs.serverFresh)} / ${ms(runs.nodeFresh)} ms, ` +
          `reopen ${ms(runs.bareReopen)} / ${ms(runs.serverReopen)} / ${ms(runs.nodeReopen)} ms (bare / npm start / without npm)`,
      );
    }
    const row = (label: string, bare: Start[], server: Start[], target: number): string[] => {
      const b = median(bare.map((s) => s.ms));
      const s = median(server.map((x) => x.ms));
      return [
        label,
        b.toFixed(0),
        s.toFixed(0),
        `+${(s - b).toFixed(0)}`,
        `+${target}`,
        s - b <= target ? 'met' : 'MISSED',
        median(server.map((x) => x.rssMb ?? 0)).toFixed(0),
      ];
    };
    print();
    print(
      formatTable(
        [
          'data directory, started by',
          'bare PGlite ms',
          'server → /health ms',
          'difference',
          'target',
          '',
          'server RSS MB',
        ],
        [
          row('fresh, npm start', runs.bareFresh, runs.serverFresh, 1_500),
          row('fresh, node bin/ledgerline.mjs', runs.bareFresh, runs.nodeFresh, 1_500),
          row('reopen, npm start', runs.bareReopen, runs.serverReopen, 500),
          row('reopen, node bin/ledgerline.mjs', runs.bareReopen, runs.nodeReopen, 500),
        ],
      ),
    );
    print();
    print(`stages of the last fresh npm start (ms from the spawn): ${runs.serverFresh.at(-1)!.stages}`);
    print(`stages of the last reopen by npm start:                 ${runs.serverReopen.at(-1)!.stages}`);
    print(`stages of the last reopen without npm:                  ${runs.nodeReopen.at(-1)!.stages}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
