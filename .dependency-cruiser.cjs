/**
 * The arrows of ../shared/DESIGN.md ("Layout"), as far as today's folders go: imports point
 * down the layers and never back up. Type-only imports count: an arrow is a dependency of
 * the design, not only of the emitted JavaScript.
 *
 * `.dependency-cruiser-known-violations.json` lists the arrows that still run backwards
 * (none since #17 removed the last); `npm run lint:imports` fails on any new one. Regenerate
 * the list only when a change removes some: `npm run lint:imports:baseline`.
 */
const OURS = '^src/';
const layer = (...names) => `^src/(${names.join('|')})/`;

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ holds pure deciders: it imports nothing of ours but itself.',
      severity: 'error',
      from: { path: layer('domain') },
      to: { path: OURS, pathNot: layer('domain') },
    },
    {
      name: 'eventstore-knows-no-domain',
      comment:
        'The event store sits under everything but db/: it imports no domain module, no consumer, no API.',
      severity: 'error',
      from: { path: layer('eventstore') },
      to: {
        path: layer(
          'domain',
          'commands',
          'processing',
          'projections',
          'sagas',
          'live',
          'graphql',
          'auth',
          'seed',
          'dashboard',
        ),
      },
    },
    {
      name: 'eventstore-through-its-index',
      comment:
        "The event store's public surface is its index.ts: nothing outside imports another of its files.",
      severity: 'error',
      from: { path: OURS, pathNot: layer('eventstore') },
      to: { path: '^src/eventstore/', pathNot: '^src/eventstore/index\\.ts$' },
    },
    {
      name: 'db-is-the-bottom',
      comment: 'db/ connects, migrates and declares tables; it imports no layer above it.',
      severity: 'error',
      from: { path: layer('db') },
      to: {
        path: layer(
          'domain',
          'eventstore',
          'commands',
          'processing',
          'projections',
          'sagas',
          'live',
          'graphql',
          'auth',
          'seed',
          'dashboard',
        ),
      },
    },
    {
      name: 'commands-write-only',
      comment: 'commands/ loads, decides and appends: it reads no read model and knows no API.',
      severity: 'error',
      from: { path: layer('commands') },
      to: { path: layer('processing', 'projections', 'sagas', 'live', 'graphql', 'seed', 'dashboard') },
    },
    {
      name: 'read-side-below-the-api',
      comment: 'Projections, sagas, processing and live updates serve the API; they never import it.',
      severity: 'error',
      from: { path: layer('processing', 'projections', 'sagas', 'live') },
      to: { path: layer('graphql', 'seed', 'dashboard') },
    },
    {
      name: 'projections-send-no-commands',
      comment: 'Nothing on the read side writes events but sagas, through the command handler.',
      severity: 'error',
      from: { path: layer('processing', 'projections', 'live') },
      to: { path: layer('commands', 'sagas') },
    },
    {
      name: 'processing-knows-no-consumer',
      comment:
        'processing/ is the engine every feed consumer shares (checkpoints, leadership, the wake/sleep loop, batches, rebuilds); it knows none of them.',
      severity: 'error',
      from: { path: layer('processing') },
      to: {
        path: layer(
          'domain',
          'commands',
          'projections',
          'sagas',
          'live',
          'graphql',
          'auth',
          'seed',
          'dashboard',
        ),
      },
    },
    {
      name: 'processing-through-its-index',
      comment: "The engine's public surface is its index.ts.",
      severity: 'error',
      from: { path: OURS, pathNot: layer('processing') },
      to: { path: '^src/processing/', pathNot: '^src/processing/index\\.ts$' },
    },
    {
      name: 'live-knows-no-read-model',
      comment:
        'live/ fans rows out to subscribers; the composition root hands it each table as a LiveSource, so it imports no read model, saga, command or database.',
      severity: 'error',
      from: { path: layer('live') },
      to: { path: layer('db', 'domain', 'eventstore', 'commands', 'projections', 'sagas') },
    },
    {
      name: 'api-reads-through-facades',
      comment:
        'graphql/ reaches commands, read models, live updates and auth; never the database or a saga directly. ' +
        'Resolvers read through the facades of their context (graphql/context.ts ApiServices, graphql/reads.ts Reads), ' +
        'which hold no database: without this rule graphql/ could import one, with it graphql/ cannot even name its type.',
      severity: 'error',
      from: { path: layer('graphql') },
      to: { path: layer('db', 'sagas', 'processing') },
    },
    {
      name: 'composition-root-is-imported-by-main-only',
      comment: 'services.ts and app.ts may import anything; nothing imports them but main.ts (and tests).',
      severity: 'error',
      from: { path: OURS, pathNot: '^src/(main|app)\\.ts$' },
      to: { path: '^src/(services|app)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
