import { sql } from 'drizzle-orm';
import { rows } from '../../src/db/connect.js';
import type { CommandHandler } from '../../src/commands/index.js';
import { encodePosition } from '../../src/eventstore/index.js';
import { ProjectionManager } from '../../src/processing/index.js';
import { PROJECTIONS } from '../../src/projections/projections.js';
import { LocalCarrier, type Carrier } from '../../src/sagas/carrier.js';
import { fulfilmentProjection } from '../../src/sagas/fulfilment-projection.js';
import { loadFulfilment, type StoredFulfilment } from '../../src/sagas/fulfilment-store.js';
import { FulfilmentWorker } from '../../src/sagas/fulfilment-worker.js';
import { TERMINAL_STATES } from '../../src/sagas/fulfilment.js';
import { commandHandler, meta, silentLogger } from '../support/commands.js';
import type { TestDatabase } from '../support/database.js';

/** The saga's moving parts on one database: projections (with its feed consumer) and a worker that can be swapped. */
export class SagaHarness {
  readonly commands: CommandHandler;
  readonly projections: ProjectionManager;
  worker: FulfilmentWorker | undefined;

  constructor(readonly database: TestDatabase) {
    this.commands = commandHandler(database);
    this.projections = new ProjectionManager({
      database,
      registry: this.commands.store.registry,
      logger: silentLogger,
      projections: [...PROJECTIONS, fulfilmentProjection(this.commands.store.registry)],
      pollIntervalMs: 100,
    });
  }

  async start(carrier: Carrier = new LocalCarrier()): Promise<void> {
    await this.projections.start();
    await this.startWorker(carrier);
  }

  async startWorker(carrier: Carrier = new LocalCarrier()): Promise<void> {
    this.worker = new FulfilmentWorker({
      database: this.database,
      commands: this.commands,
      carrier,
      logger: silentLogger,
      pollIntervalMs: 100,
      retryInitialMs: 20,
      retryMaxMs: 200,
      recheckMs: 500,
    });
    await this.worker.start();
  }

  async stop(): Promise<void> {
    await this.worker?.stop();
    await this.projections.stop();
  }

  async product(
    id: string,
    name: string,
    stock: number,
    options: { backorders?: boolean } = {},
  ): Promise<void> {
    await this.commands.handle({
      type: 'DefineProduct',
      data: { productId: id, name, ...options },
      metadata: meta(),
    });
    if (stock > 0)
      await this.commands.handle({
        type: 'AddStock',
        data: { productId: id, quantity: stock },
        metadata: meta(),
      });
  }

  /** Creates and pays an order of (productId, quantity, unit cents) lines. */
  async paidOrder(orderId: string, userId: string, lines: [string, number, number][]): Promise<void> {
    const items = lines.map(([productId, quantity, unitPrice]) => ({ productId, quantity, unitPrice }));
    await this.commands.handle({ type: 'CreateOrder', data: { orderId, userId, items }, metadata: meta() });
    const amount = items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0);
    await this.commands.handle({
      type: 'PayOrder',
      data: { orderId, paymentMethod: 'card', amount },
      metadata: meta(),
    });
  }

  /** Waits until the saga of `orderId` satisfies `until` (by default: finished). */
  async settled(
    orderId: string,
    until = (f: StoredFulfilment) => TERMINAL_STATES.includes(f.fulfilment.state),
    timeoutMs = 45_000,
  ) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stored = await loadFulfilment(this.database.db, orderId);
      if (stored && until(stored)) return stored;
      if (Date.now() > deadline) throw new Error(`saga ${orderId} did not settle: ${JSON.stringify(stored)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async addStock(productId: string, quantity: number): Promise<void> {
    await this.commands.handle({ type: 'AddStock', data: { productId, quantity }, metadata: meta() });
  }

  async eventTypes(streamId: string): Promise<string[]> {
    const found = await rows<{ event_type: string }>(
      this.database.db,
      sql`
      SELECT event_type FROM events WHERE stream_id = ${streamId} ORDER BY stream_version`,
    );
    return found.map((r) => r.event_type);
  }

  /** Waits for the read side (products, orders) to have applied everything written so far. */
  async caughtUp(): Promise<void> {
    const [row] = await rows<{ tx: string; pos: string }>(
      this.database.db,
      sql`
      SELECT transaction_id::text AS tx, global_position::text AS pos FROM events ORDER BY global_position DESC LIMIT 1`,
    );
    if (row) await this.projections.waitForPosition(encodePosition(row.tx, row.pos), 10_000);
  }
}
