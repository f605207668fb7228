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
