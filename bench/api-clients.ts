import http from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { compare, percentile } from './support.js';

// The client side of api.bench.ts, forked as a child process and driven over IPC. The
// server's event loop then runs alone in the parent: HTTP load generation and tens of
// thousands of socket reads here would otherwise steal its time and distort the figures.

export type Command =
  | { kind: 'load'; url: string; connections: number; warmupMs: number; durationMs: number }
  | { kind: 'create'; url: string; ids: string[]; concurrency: number }
  | { kind: 'pay'; url: string; ids: string[]; perSecond: number }
  | { kind: 'subscribe'; url: string; subscribers: number; concurrency: number }
  | { kind: 'expect'; ids: string[] }
  | { kind: 'collect'; requested: Record<string, number>; answered: Record<string, number>; drainMs: number }
  | { kind: 'unsubscribe' }
  | { kind: 'usage' }
  /** Messages received that were not for an expected order, since the last `expect`. */
  | { kind: 'others' };

export interface LoadResult {
  ok: number;
  failed: number;
  elapsedMs: number;
  perSecond: number;
  p50: number;
  p99: number;
  firstFailure?: string;
}
export interface PayResult {
  /** Wall-clock time each payOrder was sent and answered, by order id (answered: successes only). */
  requested: Record<string, number>;
  answered: Record<string, number>;
  failed: number;
  p50: number;
  p99: number;
  firstFailure?: string;
}
export interface FanOutResult {
  changes: number;
  subscribers: number;
  expected: number;
  received: number;
  missing: number;
  duplicates: number;
  /** Changes other than the payments' (a saga shipping paid orders, say), over all subscribers. */
  others: number;
  ended: number;
  firstEnd?: string;
  drainedMs: number;
  /** Over every (subscriber, change) pair: receipt time minus the payOrder response time. */
  delay: { p50: number; p99: number; min: number; max: number };
  /** The same from when the payOrder was sent: while the server lags, its answers lag too. */
  fromRequest: { p50: number; p99: number };
  /** Per change: its first and its last receipt, i.e. pipeline latency and fan-out time. */
  first: { p50: number; p99: number };
  last: { p50: number; p99: number };
}
export interface Usage {
  cpuMs: number;
  eluActive: number;
  eluIdle: number;
}

export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/**
 * Wall-clock milliseconds with sub-millisecond precision. The payer and the subscribers
 * run in different processes, so their timestamps must share an origin; performance.now()
 * alone does not.
 */
export const wallClock = (): number => performance.timeOrigin + performance.now();

export const CREATE_ORDER = `mutation CreateOrder($input: CreateOrderInput!) {
  createOrder(input: $input) {
    __typename
    ... on CreateOrderSuccess { position order { id status totalAmount } }
    ... on Error { code message }
  }
}`;

const PAY_ORDER = `mutation PayOrder($input: PayOrderInput!, $idempotencyKey: String) {
  payOrder(input: $input, idempotencyKey: $idempotencyKey) {
    __typename
    ... on PayOrderSuccess { position order { id status version } }
    ... on Error { code message }
  }
}`;

// No `order` field: that would be one read per subscriber per change, a different bench.
const STATUS_CHANGES = 'subscription { orderStatusChanged { orderId userId from to position occurredAt } }';

export const ITEMS = [
  { productId: 'prod-1', quantity: 2, price: '99.99' },
  { productId: 'prod-2', quantity: 1, price: '149.99' },
];
const TOTAL = '349.97';

function post(agent: http.Agent, url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        timeout: 30_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (response.statusCode !== 200)
            reject(new Error(`HTTP ${response.statusCode}: ${text.slice(0, 300)}`));
          else resolve(text);
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('request timed out after 30 s')));
    request.on('error', reject);
    request.end(body);
  });
}

/** Runs one mutation; resolves when it answered with `success`, rejects with why not otherwise. */
async function mutate(
  agent: http.Agent,
  url: string,
  query: string,
  variables: unknown,
  field: string,
  success: string,
): Promise<void> {
  const text = await post(agent, url, JSON.stringify({ query, variables }));
  const body = JSON.parse(text) as { data?: Record<string, { __typename: string }>; errors?: unknown[] };
  if (body.data?.[field]?.__typename !== success) throw new Error(text.slice(0, 300));
}

const createOrder = (agent: http.Agent, url: string, userId: string, id?: string) =>
  mutate(
    agent,
    url,
    CREATE_ORDER,
    { input: { id, userId, items: ITEMS } },
    'createOrder',
    'CreateOrderSuccess',
  );

async function load(command: Extract<Command, { kind: 'load' }>): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: command.connections });
  let failed = 0;
  let firstFailure: string | undefined;
  try {
    const { createOrder: run } = await compare(
      {
        createOrder: async (writer) => {
          // A failure is counted, not thrown: one bad answer should show in the table, not end the run.
          await createOrder(agent, command.url, `user-${writer}`).catch((error: unknown) => {
            failed++;
            firstFailure ??= String(error);
          });
        },
      },
      { writers: command.connections, warmupMs: command.warmupMs, durationMs: command.durationMs, rounds: 1 },
    );
    const ok = run.ops - failed;
    return {
      ok,
      failed,
      elapsedMs: run.elapsedMs,
      perSecond: (ok * 1000) / run.elapsedMs,
      p50: percentile(run.latencies, 50),
      p99: percentile(run.latencies, 99),
      firstFailure,
    };
  } finally {
    agent.destroy();
  }
}

async function create(command: Extract<Command, { kind: 'create' }>): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: command.concurrency });
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: command.concurrency }, async () => {
        while (next < command.ids.length) {
          const id = command.ids[next++]!;
          await createOrder(agent, command.url, 'user-fan-out', id);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
}

/** Pays the orders at a steady rate, open loop: a slow answer does not delay the next payment. */
async function pay(command: Extract<Command, { kind: 'pay' }>): Promise<PayResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const requested: Record<string, number> = {};
  const answered: Record<string, number> = {};
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  const started = performance.now();
  try {
    await Promise.all(
      command.ids.map(async (orderId, i) => {
        const at = started + (i * 1000) / command.perSecond;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - performance.now())));
        const begun = performance.now();
        requested[orderId] = wallClock();
        const variables = {
          input: { orderId, paymentMethod: 'credit_card', amount: TOTAL },
          idempotencyKey: `bench-pay-${orderId}`,
        };
        try {
          // A kept-alive socket the server closed as the request went out resets; a client
          // retries that with the same idempotency key, which cannot pay twice.
          await mutate(agent, command.url, PAY_ORDER, variables, 'payOrder', 'PayOrderSuccess').catch(
            (error: NodeJS.ErrnoException) => {
              if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') throw error;
              return mutate(agent, command.url, PAY_ORDER, variables, 'payOrder', 'PayOrderSuccess');
            },
          );
          answered[orderId] = wallClock();
          latencies.push(performance.now() - begun);
        } catch (error) {
          failed++;
          firstFailure ??= String(error);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    requested,
    answered,
    failed,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    firstFailure,
  };
}

/**
 * Subscribers speaking the graphql-ws protocol (graphql-transport-ws) directly over `ws`,
 * one subscription per socket. The protocol is a handful of JSON messages; a full client
 * object per subscriber would only add client CPU to what this process must keep up with.
 */
class Subscribers {
  private readonly sockets: WebSocket[] = [];
  private index = new Map<string, number>();
  /** Receipt wall-clock time per [change * subscribers + subscriber]; 0 while not received. */
  private received = new Float64Array(0);
  private count = 0;
  private duplicates = 0;
  private others = 0;
  private ended = 0;
  private firstEnd: string | undefined;

  async open(url: string, subscribers: number, concurrency: number): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < subscribers) await this.connectRetrying(url, next++);
      }),
    );
  }

  /**
   * Setting up is not what is measured, and on a busy machine a handshake can miss the
   * server's 3 s connection_init deadline; a real client reconnects, and so does this one.
   */
  private async connectRetrying(url: string, subscriber: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.connect(url, subscriber);
      } catch (error) {
        this.sockets[subscriber]?.terminate();
        if (attempt === 3) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  private connect(url: string, subscriber: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, 'graphql-transport-ws', {
        perMessageDeflate: false,
        handshakeTimeout: 30_000,
      });
      this.sockets[subscriber] = socket;
      let subscribed = false;
      socket.on('open', () => socket.send('{"type":"connection_init"}'));
      socket.on('error', (error) => {
        if (!subscribed) reject(error);
        else this.end(`socket error: ${error.message}`);
      });
      socket.on('close', (code, reason) => {
        if (!subscribed) reject(new Error(`closed before subscribing: ${code} ${reason.toString()}`));
        else this.end(`socket closed: ${code} ${reason.toString()}`);
      });
      socket.on('message', (data: Buffer) => {
        const now = wallClock();
        const message = JSON.parse(data.toString()) as { type: string; payload?: any };
        if (message.type === 'next') {
          this.record(subscriber, message.payload?.data?.orderStatusChanged, now);
        } else if (message.type === 'connection_ack') {
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: STATUS_CHANGES } }));
          subscribed = true;
          resolve();
        } else if (message.type === 'ping') {
          socket.send('{"type":"pong"}');
        } else if (message.type === 'error' || message.type === 'complete') {
          this.end(`${message.type}: ${JSON.stringify(message.payload ?? null).slice(0, 300)}`);
        }
      });
    });
  }

  private record(
    subscriber: number,
    change: { orderId?: string; to?: string } | undefined,
    now: number,
  ): void {
    const c =
      change?.orderId === undefined || change.to !== 'PAID' ? undefined : this.index.get(change.orderId);
    if (c === undefined) {
      this.others++;
      return;
    }
    const slot = c * this.sockets.length + subscriber;
    if (this.received[slot] !== 0) {
      this.duplicates++;
      return;
    }
    this.received[slot] = now;
    this.count++;
  }

  private end(why: string): void {
    this.ended++;
    this.firstEnd ??= why;
  }

  get otherMessages(): number {
    return this.others;
  }

  expect(ids: string[]): void {
    this.index = new Map(ids.map((id, i) => [id, i]));
    this.received = new Float64Array(ids.length * this.sockets.length);
    this.count = this.duplicates = this.others = this.ended = 0;
    this.firstEnd = undefined;
  }

  async collect(
    requested: Record<string, number>,
    answered: Record<string, number>,
    drainMs: number,
  ): Promise<FanOutResult> {
    const n = this.sockets.length;
    const paid = [...this.index].filter(([id]) => answered[id] !== undefined);
    const expected = paid.length * n;
    const began = performance.now();
    // Late deliveries still count; only those not in by the deadline are missing.
    while (this.count < expected && performance.now() - began < drainMs)
      await new Promise((r) => setTimeout(r, 20));
    const drainedMs = performance.now() - began;
    const delays = new Float64Array(this.count);
    const sinceRequest = new Float64Array(this.count);
    const firsts: number[] = [];
    const lasts: number[] = [];
    let k = 0;
    for (const [id, c] of paid) {
      const at = answered[id]!;
      const asked = requested[id]!;
      let first = Infinity;
      let last = -Infinity;
      for (let s = 0; s < n; s++) {
        const t = this.received[c * n + s]!;
        if (t === 0) continue;
        const delay = t - at;
        sinceRequest[k] = t - asked;
        delays[k++] = delay;
        if (delay < first) first = delay;
        if (delay > last) last = delay;
      }
      if (first !== Infinity) {
        firsts.push(first);
        lasts.push(last);
      }
    }
    const sorted = delays.subarray(0, k).sort();
    const sortedSinceRequest = sinceRequest.subarray(0, k).sort();
    const firstSorted = Float64Array.from(firsts).sort();
    const lastSorted = Float64Array.from(lasts).sort();
    return {
      changes: paid.length,
      subscribers: n,
      expected,
      received: k,
      missing: expected - k,
      duplicates: this.duplicates,
      others: this.others,
      ended: this.ended,
      firstEnd: this.firstEnd,
      drainedMs,
      delay: {
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        min: sorted[0] ?? NaN,
        max: sorted[k - 1] ?? NaN,
      },
      fromRequest: { p50: percentile(sortedSinceRequest, 50), p99: percentile(sortedSinceRequest, 99) },
      first: { p50: percentile(firstSorted, 50), p99: percentile(firstSorted, 99) },
      last: { p50: percentile(lastSorted, 50), p99: percentile(lastSorted, 99) },
    };
  }

  async close(): Promise<void> {
    const closing = this.sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close(1000);
        }),
    );
    // A socket that does not finish its closing handshake in time is cut.
    const timer = setTimeout(() => {
      for (const socket of this.sockets) socket.terminate();
    }, 10_000);
    await Promise.all(closing);
    clearTimeout(timer);
    this.sockets.length = 0;
  }
}

let subscribers = new Subscribers();

async function run(command: Command): Promise<unknown> {
  switch (command.kind) {
    case 'load':
      return load(command);
    case 'create':
      return create(command);
    case 'pay':
      return pay(command);
    case 'subscribe':
      return subscribers.open(command.url, command.subscribers, command.concurrency);
    case 'expect':
      return subscribers.expect(command.ids);
    case 'others':
      return subscribers.otherMessages;
    case 'collect':
      return subscribers.collect(command.requested, command.answered, command.drainMs);
    case 'unsubscribe': {
      await subscribers.close();
      subscribers = new Subscribers();
      return undefined;
    }
    case 'usage': {
      const cpu = process.cpuUsage();
      const elu = performance.eventLoopUtilization();
      return {
        cpuMs: (cpu.user + cpu.system) / 1000,
        eluActive: elu.active,
        eluIdle: elu.idle,
      } satisfies Usage;
    }
  }
}

if (process.send) {
  process.on('message', (message: { id: number; command: Command }) => {
    run(message.command).then(
      (result) => process.send!({ id: message.id, ok: true, result } satisfies Reply),
      (error: unknown) =>
        process.send!({
          id: message.id,
          ok: false,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        } satisfies Reply),
    );
  });
  // The bench that forked this process is gone: nothing is left to report to.
  process.on('disconnect', () => process.exit(0));
}
