import type { Viewer } from '../auth/viewer.js';
import type { Services } from '../services.js';

/** What every resolver receives: the services, and who is asking. */
export interface GraphQLContext {
  services: Services;
  requestId: string;
  /** Who is asking; decides what they may do. */
  viewer: Viewer;
  /** The caller as recorded in events' metadata. */
  actor: string;
  /** From the Idempotency-Key header; a mutation's own argument takes precedence. */
  idempotencyKey?: string;
}
