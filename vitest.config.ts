import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS entry for the libraries; our code must get the same
    // module, or GraphQLError thrown here is not recognised there and gets masked.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/migrated-pglite.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A worker per core (vitest's default keeps one core free: a single worker on two cores).
    // Files share no state (each opens its own database), and the cap bounds how many
    // PGlite instances and server processes run at once on a large machine. On a
    // PostgreSQL server, one worker: the gap-free feed waits for every transaction open in
    // the whole cluster (pg_snapshot_xmin), so another file's transaction in its own
    // database splits this file's batches, and the pacing and rest tests count batches.
    maxWorkers: process.env.TEST_DATABASE_URL ? 1 : Math.min(availableParallelism(), 4),
    // A worker runs its files one after another in one process, which loads the server's
    // modules and compiles PGlite's WebAssembly once rather than for every file: the run
    // takes half the time. Sound because every file stops what it starts (servers, pools,
    // PGlite, child processes) and src keeps no state in its modules beyond caches.
    isolate: false,
  },
});
