import type { Database, DedicatedSession } from '../db/connect.js';
import type { Logger } from '../logger.js';

/** First key of every projection lock; the second is a hash of the projection's name. */
export const LOCK_SPACE = 7_370_002;
const PING_TIMEOUT_MS = 5_000;

/**
 * The one leader election of an instance: session-level advisory locks, one per consumer
 * name, on a connection of their own. A lock is held while this instance runs that
 * consumer and released by PostgreSQL the moment the connection (or the process) dies,
 * which is when another instance's periodic try takes it. The projection manager and the
 * saga worker share one per instance (services.ts); each is told of the locks it lost.
 */
export class LeaderLocks {
  private session: DedicatedSession | undefined;
  private readonly held = new Set<string>();
  private readonly losers = new Set<(names: string[]) => void>();

  constructor(
    private readonly database: Database,
    private readonly logger: Logger,
  ) {}

  /** Calls `listener` with the names held when the connection holding them is lost. */
  onLost(listener: (names: string[]) => void): () => void {
    this.losers.add(listener);
    return () => this.losers.delete(listener);
  }

  /** Takes every free lock among `names`; returns the ones this instance holds now. */
  async acquire(names: readonly string[]): Promise<ReadonlySet<string>> {
    const session = await this.connect();
    await this.ping(session);
    for (const name of names) {
      if (this.held.has(name)) continue;
      const [row] = await session.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok',
        [LOCK_SPACE, name],
      );
      if (row?.ok) this.held.add(name);
    }
    return this.held;
  }

  async release(name: string): Promise<void> {
    if (!this.held.delete(name)) return;
    await this.session
      ?.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_SPACE, name])
      .catch(() => {});
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.held.clear();
    await session?.close();
  }

  private async connect(): Promise<DedicatedSession> {
    if (this.session) return this.session;
    const session = await this.database.openSession();
    this.session = session;
    void session.ended.then(() => {
      if (this.session !== session) return;
      this.session = undefined;
      const lost = [...this.held];
      this.held.clear();
      if (lost.length > 0) {
        this.logger.warn({ locks: lost }, 'lost the connection holding the leader locks');
        for (const listener of this.losers) listener(lost);
      }
    });
    return session;
  }

  /** A connection that stopped answering may still hold the locks on the server: drop it. */
  private async ping(session: DedicatedSession): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('lock connection did not answer')), PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([session.query('SELECT 1'), timeout]);
    } catch (error) {
      await session.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
