import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines; the pid tells apart the instances (or WORKERS) writing to one stream. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'ledgerline', pid: process.pid } });
}
