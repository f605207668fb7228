import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import type { Config } from '../src/config.js';
import { freePort } from '../test/support/pg-cluster.js';
import { treeCpuMs } from './support.js';

/** The server the API bench measures: in this process, or WORKERS processes of its own. */
export interface ServerUnderTest {
  readonly url: string;
  readonly description: string;
  /** CPU time so far, ms; and the event loop's busy and idle time where it is observable. */
  usage(): { cpuMs: number; eluActive: number; eluIdle: number };
  /** Open subscriptions, where observable (in this process). */
  subscribers(): number | undefined;
  stop(): Promise<void>;
}

export async function startInProcess(config: Config, fulfilment: boolean): Promise<ServerUnderTest> {
  const app = buildApp(config, pino({ level: 'silent' }), fulfilment ? {} : { fulfilment: false });
  const { url } = await app.start(0);
  return {
    url,
    description: `server in this process (pid ${process.pid}), fulfilment saga ${fulfilment ? 'on' : 'off'}`,
    usage() {
      const cpu = process.cpuUsage();
      const elu = performance.eventLoopUtilization();
      return { cpuMs: (cpu.user + cpu.system) / 1000, eluActive: elu.active, eluIdle: elu.idle };
    },
    subscribers: () => app.services?.subscriptions.subscriberCount,
    stop: () => app.stop(),
  };
}

/** A server started as `src/main.ts serve` of its own, once it answers /health. */
export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * `src/main.ts serve` on a free port with `env` on top of this process's (metrics off,
 * logging at warn), resolved once it answers /health; `nodeArgs` go before the script.
 */
export async function startServerProcess(
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
  timeoutMs = 120_000,
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', fileURLToPath(new URL('../src/main.ts', import.meta.url)), 'serve'],
    {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        METRICS_PORT: 'off',
        ...env,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = performance.now() + timeoutMs;
  while (
    !(await fetch(url.replace('/graphql', '/health')).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || performance.now() > deadline) throw new Error('the server did not start');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * `npm start` with WORKERS=n against the bench database: a supervisor and n workers
 * sharing the port, their CPU read from /proc for the whole process tree.
 */
export async function startWorkers(databaseUrl: string, workers: number): Promise<ServerUnderTest> {
  const { url, child, stop } = await startServerProcess({
    DATABASE_URL: databaseUrl,
    WORKERS: String(workers),
  });
  // Health answers as soon as one worker listens; give the others their start too.
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  return {
    url,
    description: `${workers} server workers (WORKERS=${workers}, supervisor pid ${child.pid}), fulfilment saga on`,
    usage: () => ({ cpuMs: treeCpuMs(child.pid!), eluActive: NaN, eluIdle: NaN }),
    subscribers: () => undefined,
    stop,
  };
}
