import type { Viewer } from '../auth/viewer.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';

/** What every resolver receives: the services, and who is asking. */
export interface GraphQLContext {
  services: Services;
  requestId: string;
  /** The instance's logger with this request's id on every line. */
  logger: Logger;
  /** Who is asking; decides what they may do. */
  viewer: Viewer;
  /** The caller as recorded in events' metadata. */
  actor: string;
  /** From the Idempotency-Key header; a mutation's own argument takes precedence. */
  idempotencyKey?: string;
}

/**
 * What a transport hands yoga once it knows who is asking: HTTP (and SSE) for each request,
 * graphql-ws for each operation on an authenticated socket.
 */
export interface Caller {
  viewer: Viewer;
  requestId: string;
  idempotencyKey: string | null;
}

export function contextFor(
  services: Services,
  { viewer, requestId, idempotencyKey }: Caller,
): GraphQLContext {
  return {
    services,
    viewer,
    requestId,
    logger: services.logger.child({ requestId }),
    actor: viewer.open ? 'anonymous' : `${viewer.role}:${viewer.userId}`,
    idempotencyKey: idempotencyKey ?? undefined,
  };
}
