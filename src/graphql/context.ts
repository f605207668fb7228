import type { Viewer } from '../auth/viewer.js';
import type { CommandHandler } from '../commands/index.js';
import type { Config } from '../config.js';
import type { LedgerEvent } from '../domain/index.js';
import type { Position, StoredEvent } from '../eventstore/index.js';
import type { NotificationHub } from '../live/notification-hub.js';
import type { StatusHub } from '../live/status-hub.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { OrderStatusChange, ProjectionStatus, RebuildResult } from '../projections/index.js';
import type { NotificationView, Reads } from './reads.js';

/**
 * What the API needs of a running instance, declared here so that graphql/ imports nothing
 * from the composition root: services.ts builds something that satisfies it. There is no
 * database in it; resolvers read through `reads`.
 */
export interface ApiServices {
  readonly config: Config;
  readonly logger: Logger;
  readonly reads: Reads;
  /** An order's own stream: Order.events, and who owns an order (scope-auth). */
  readonly store: {
    readStream(streamId: string, options?: { toVersion?: number }): Promise<StoredEvent<LedgerEvent>[]>;
  };
  readonly commands: Pick<CommandHandler, 'handle' | 'loadAt'>;
  /** The read side's progress: read-your-writes, status, rebuilds. */
  readonly projections: {
    waitForPosition(position: Position, timeoutMs: number): Promise<void>;
    status(): Promise<ProjectionStatus[]>;
    manages(name: string): boolean;
    rebuild(name: string): Promise<RebuildResult>;
  };
  readonly subscriptions: Pick<StatusHub<OrderStatusChange>, 'subscribe' | 'endAll'>;
  readonly notifications: Pick<NotificationHub<NotificationView>, 'subscribe'>;
  readonly metrics: Pick<Metrics, 'observe' | 'subscriptionEvents'>;
  /** What /health answers; 503 unless ready. */
  health(): Promise<{ ready: boolean }>;
}

/** What every resolver receives: the services, and who is asking. */
export interface GraphQLContext {
  services: ApiServices;
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
  services: ApiServices,
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
