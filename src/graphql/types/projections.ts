import { requireRole } from '../../auth/policy.js';
import type { ProjectionError, ProjectionStatus } from '../../projections/types.js';
import { builder } from '../builder.js';

const ProjectionErrorRef = builder.objectRef<ProjectionError>('ProjectionError').implement({
  fields: (t) => ({
    message: t.exposeString('message'),
    position: t.field({ type: 'Position', nullable: true, description: 'The event it stopped at.', resolve: (e) => e.position }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
  }),
});

const ProjectionStatusRef = builder.objectRef<ProjectionStatus>('ProjectionStatus').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    position: t.field({ type: 'Position', description: 'The checkpoint.', resolve: (s) => s.position }),
    eventsBehind: t.exposeInt('eventsBehind'),
    secondsBehind: t.exposeFloat('secondsBehind'),
    state: t.string({ description: 'running, catching_up, failing, rebuilding, standby (another instance runs it) or stopped.', resolve: (s) => s.state }),
    lastError: t.field({ type: ProjectionErrorRef, nullable: true, resolve: (s) => s.lastError }),
  }),
});

builder.queryField('projections', (t) => t.field({
  type: [ProjectionStatusRef],
  resolve: (_root, _args, ctx) => {
    requireRole(ctx.viewer, ['staff', 'admin'], 'read the projections');
    return ctx.services.projections.status();
  },
}));
