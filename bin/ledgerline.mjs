#!/usr/bin/env node
// `npm start` and the other scripts: builds dist/ when src/ changed since the last build
// (a no-op otherwise), then runs the compiled command line (dist/main.js).
import cluster from 'node:cluster';
import { ensureBuilt } from '../scripts/build.mjs';

// WORKERS: the supervisor built dist/ before forking; its workers run what it built.
if (cluster.isPrimary) {
  const { built, ms } = await ensureBuilt();
  if (built) process.stderr.write(`built dist/ from src/ in ${Math.round(ms)} ms\n`);
}
await import('../dist/main.js');
