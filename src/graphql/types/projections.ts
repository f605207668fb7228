import { ADMIN, STAFF } from '../../auth/scopes.js';
import { ForbiddenError } from '../../auth/viewer.js';
import { NotFoundError } from '../../domain/index.js';
import { RebuildInProgressError, type RebuildResult } from '../../projections/index.js';
import type { ProjectionError, ProjectionStatus } from '../../projections/index.js';
import { builder } from '../builder.js';
import { ErrorInterface } from '../errors.js';

const ProjectionErrorRef = builder.objectRef<ProjectionError>('ProjectionError').implement({
  fields: (t) => ({
    message: t.exposeString('message'),
    position: t.field({
      type: 'Position',
      nullable: true,
      description: 'The event it stopped at.',
      resolve: (e) => e.position,
    }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
  }),
});

const ProjectionStatusRef = builder.objectRef<ProjectionStatus>('ProjectionStatus').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    position: t.field({ type: 'Position', description: 'The checkpoint.', resolve: (s) => s.position }),
    eventsBehind: t.exposeInt('eventsBehind'),
    secondsBehind: t.exposeFloat('secondsBehind'),
    state: t.string({
      description:
        'running, catching_up, failing, rebuilding, standby (another instance runs it) or stopped.',
      resolve: (s) => s.state,
    }),
    lastError: t.field({ type: ProjectionErrorRef, nullable: true, resolve: (s) => s.lastError }),
  }),
});

builder.queryField('projections', (t) =>
  t.field({
    type: [ProjectionStatusRef],
    authScopes: STAFF,
    resolve: (_root, _args, ctx) => ctx.services.projections.status(),
  }),
);

builder.objectType(RebuildInProgressError, {
  name: 'RebuildInProgressError',
  description: 'A rebuild of this projection is already running (here, on another instance or from the CLI).',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof RebuildInProgressError,
  fields: (t) => ({ projection: t.exposeString('projection') }),
});

const RebuildProjectionSuccess = builder
  .objectRef<RebuildResult & { status: ProjectionStatus }>('RebuildProjectionSuccess')
  .implement({
    description: 'The rebuilt tables now serve; `projection` is its status right after the switch.',
    fields: (t) => ({
      projection: t.field({ type: ProjectionStatusRef, resolve: (r) => r.status }),
      eventsProcessed: t.exposeInt('processed', { description: 'Events replayed from the feed.' }),
      seconds: t.exposeFloat('seconds'),
      position: t.field({
        type: 'Position',
        description: 'Where the rebuilt tables took over.',
        resolve: (r) => r.position,
      }),
    }),
  });

builder.mutationField('rebuildProjection', (t) =>
  t.field({
    type: RebuildProjectionSuccess,
    errors: {
      types: [ForbiddenError, NotFoundError, RebuildInProgressError],
      union: { name: 'RebuildProjectionResult' },
    },
    description:
      "Admins only: replays the whole feed into fresh copies of a projection's tables while the current ones " +
      'serve, then swaps them in atomically. Answers once the new tables serve; an interrupted rebuild changes nothing.',
    args: { name: t.arg.string({ required: true }) },
    authScopes: ADMIN,
    resolve: async (_root, { name }, ctx) => {
      const { projections } = ctx.services;
      if (!projections.manages(name)) throw new NotFoundError('projection', name);
      ctx.logger.info({ projection: name, actor: ctx.actor }, 'rebuild requested');
      const result = await projections.rebuild(name);
      const status = (await projections.status()).find((s) => s.name === name)!;
      return { ...result, status };
    },
  }),
);
