export const ROLES = ['customer', 'staff', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking: from a verified token, or everyone when the server runs open. */
export interface Viewer {
  userId: string;
  role: Role;
  /** No AUTH_JWT_SECRET: development mode, every operation allowed. */
  open: boolean;
  /** Seconds since the epoch when the token stops being valid. */
  expiresAt?: number;
}

export const OPEN_VIEWER: Viewer = { userId: 'anonymous', role: 'admin', open: true };

export class ForbiddenError extends Error {
  readonly code = 'FORBIDDEN';
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export class UnauthenticatedError extends Error {
  readonly code = 'UNAUTHENTICATED';
  constructor(message: string) {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}

/**
 * Viewers who may see the same things share a scope: staff all read alike, as do admins,
 * while each customer sees only its own.
 */
export function viewerScope(viewer: Viewer): string {
  if (viewer.open) return 'open';
  return viewer.role === 'customer' ? `customer:${viewer.userId}` : viewer.role;
}
