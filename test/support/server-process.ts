import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { postGraphql, waitUntil } from './clients.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  readonly name: string;
  readonly url: string;
  readonly wsUrl: string;
  /** Prometheus metrics, on their own listener (METRICS_PORT, a free port here). */
  readonly metricsUrl: string;
  readonly child: ChildProcess;
  /** The last 4,000 characters it wrote to stderr. */
  stderr(): string;
  /** Every JSON log line it printed so far, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** POSTs one GraphQL operation and returns the parsed body. */
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ data?: T; errors?: any[] }>;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | string | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** How the server is run: from the TypeScript sources (tsx), or as `npm start` runs it (the bundle in dist/, built when stale). */
const ENTRIES = {
  source: ['--import', 'tsx', 'src/main.ts', 'serve'],
  built: ['bin/ledgerline.mjs', 'serve'],
};

/**
 * The server as a real process of its own, on a free port, with `env` on top of this
 * process's environment; resolves once it logged its URL.
 */
export async function startServerProcess(
  name: string,
  env: Record<string, string>,
  { timeoutMs = 60_000, entry = 'source' }: { timeoutMs?: number; entry?: keyof typeof ENTRIES } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ENTRIES[entry], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* not a log line */
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  let exitedWith: number | string | null | undefined;
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedWith = code ?? signal;
      resolve(exitedWith);
    }),
  );
  const started = () => logs.find((l) => typeof l.url === 'string')?.url as string | undefined;
  try {
    await waitUntil(() => started() !== undefined || exitedWith !== undefined, timeoutMs);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const url = started();
  if (!url) throw new Error(`server ${name} exited (${String(exitedWith)}) before serving: ${stderr}`);
  return {
    name,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    metricsUrl: `http://127.0.0.1:${String(logs.find((l) => typeof l.url === 'string')?.metricsPort)}/metrics`,
    child,
    logs,
    exited,
    stderr: () => stderr,
    gql: (query, variables, headers) => postGraphql(url, query, variables, headers),
    async kill(signal = 'SIGTERM') {
      if (exitedWith === undefined) child.kill(signal);
      await exited;
    },
  };
}
