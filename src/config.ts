import { z } from 'zod';

const durationMs = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)?$/, 'a duration such as 500ms, 30s, 5m, 24h or 30d')
  .transform((value) => {
    const [, amount, unit] = /^(\d+)(ms|s|m|h|d)?$/.exec(value)!;
    const scale: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
    return Number(amount) * scale[unit ?? 's']!;
  });

const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./.data'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(20),
  // Unset: openDatabase's default (DEFAULT_CONNECT_TIMEOUT_MS, 10 s).
  DATABASE_CONNECT_TIMEOUT: durationMs.optional(),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SNAPSHOT_EVERY: z.coerce.number().int().min(1).default(100),
  IDEMPOTENCY_TTL: durationMs.default(24 * 3_600_000),
  CHECK_INTERVAL: durationMs.optional(),
  LEADER_RETRY_INTERVAL: durationMs.default(500),
  SUBSCRIBER_BUFFER: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
  NODE_ENV: z.string().default('development'),
  AUTH_JWT_SECRET: z.string().min(32, 'AUTH_JWT_SECRET must be at least 32 characters').optional(),
  AUTH_MAX_TOKEN_AGE: durationMs.default(30 * 86_400_000),
  CORS_ORIGINS: z.string().optional(),
  METRICS_PORT: z.union([z.literal('off'), z.coerce.number().int().min(0).max(65_535)]).default(9464),
  WS_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(100_000).default(100),
  GRAPHQL_INTROSPECTION: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
  BODY_LIMIT: z.coerce.number().int().min(1_024).default(1_048_576),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).default(10),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(15),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).default(2_000),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(100).default(5_000),
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(1).default(20),
});

export interface Config {
  database:
    | { kind: 'pglite'; dataDir: string }
    | { kind: 'postgres'; url: string; poolMax: number; connectTimeoutMs?: number };
  host: string;
  port: number;
  /** Server processes sharing the port (node:cluster); more than one needs PostgreSQL. */
  workers: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  snapshotEvery: number;
  idempotencyTtlMs: number;
  checkIntervalMs?: number;
  /** How often an instance on standby tries to take the projection and saga locks (bounds fail-over). */
  leaderRetryMs: number;
  /** Changes queued for one subscriber that is not reading before its subscription is ended. */
  subscriberBuffer: number;
  production: boolean;
  /** HS256 secret for bearer tokens; undefined: the server runs open (development only). */
  authSecret?: string;
  /** The longest a token may live (exp - iat, or exp - now without iat); longer ones are refused. */
  authMaxTokenAgeMs: number;
  /** Origins a browser may call the API from (CORS); empty: same origin only. */
  corsOrigins: string[];
  /** Prometheus metrics on a listener of their own, bound to `host`; undefined: not served. */
  metricsPort?: number;
  /** Subscriptions one WebSocket may hold at once. */
  wsMaxSubscriptions: number;
  graphql: {
    introspection: boolean;
    bodyLimit: number;
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    maxCost: number;
    maxDirectives: number;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the environment once; everything below receives the typed result. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.AUTH_JWT_SECRET) {
    throw new ConfigError('NODE_ENV=production needs AUTH_JWT_SECRET: a production server never runs open');
  }
  if (e.WORKERS > 1 && !e.DATABASE_URL) {
    throw new ConfigError(
      'WORKERS > 1 needs DATABASE_URL: the embedded database (PGlite) belongs to one process',
    );
  }
  return {
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          poolMax: e.DATABASE_POOL_MAX,
          connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT,
        }
      : { kind: 'pglite', dataDir: e.DATA_DIR },
    host: e.HOST,
    port: e.PORT,
    workers: e.WORKERS,
    logLevel: e.LOG_LEVEL,
    snapshotEvery: e.SNAPSHOT_EVERY,
    idempotencyTtlMs: e.IDEMPOTENCY_TTL,
    checkIntervalMs: e.CHECK_INTERVAL,
    leaderRetryMs: e.LEADER_RETRY_INTERVAL,
    subscriberBuffer: e.SUBSCRIBER_BUFFER,
    production: e.NODE_ENV === 'production',
    authSecret: e.AUTH_JWT_SECRET,
    authMaxTokenAgeMs: e.AUTH_MAX_TOKEN_AGE,
    corsOrigins: corsOrigins(e.CORS_ORIGINS),
    metricsPort: e.METRICS_PORT === 'off' ? undefined : e.METRICS_PORT,
    wsMaxSubscriptions: e.WS_MAX_SUBSCRIPTIONS,
    graphql: {
      introspection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== 'production',
      bodyLimit: e.BODY_LIMIT,
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxCost: e.GRAPHQL_MAX_COST,
      maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
    },
  };
}

/** "https://a.example, https://b.example" → exact origins; a wildcard is refused (never reflected). */
function corsOrigins(value: string | undefined): string[] {
  const origins = (value ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== origin) {
      throw new ConfigError(
        `CORS_ORIGINS: "${origin}" is not an origin (scheme://host[:port], no path, no wildcard)`,
      );
    }
  }
  return origins;
}
