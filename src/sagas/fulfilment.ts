import { assertNever } from '../domain/decider.js';
import { formatMoney, type Cents } from '../domain/money.js';
import type {
  Fulfilment,
  FulfilmentAction,
  FulfilmentFact,
  FulfilmentLine,
  FulfilmentStep,
  NotificationKind,
  StepState,
} from './fulfilment-types.js';

export * from './fulfilment-types.js';

/**
 * The fulfilment process manager as pure functions, like a decider: `startFulfilment`
 * on OrderPaid, `evolveFulfilment` for every fact learnt, `nextActions` for what to do
 * now. Facts may arrive twice (feed redelivery, a worker and the feed both reporting):
 * applying one again changes nothing, and returns the very same object.
 */
export function startFulfilment(paid: {
  orderId: string;
  userId: string;
  amount: Cents;
  paidAt: string;
  lines: FulfilmentLine[];
}): Fulfilment {
  const lines = mergeLines(paid.lines);
  return {
    orderId: paid.orderId,
    userId: paid.userId,
    state: 'RESERVING',
    amount: paid.amount,
    lines,
    steps: [
      { name: 'payment', state: 'DONE', at: paid.paidAt, detail: `${formatMoney(paid.amount)} paid` },
      ...lines.map((line) => pending(`reserve:${line.productId}`)),
      pending('ship'),
    ],
    reason: null,
    trackingNumber: null,
  };
}

export function evolveFulfilment(f: Fulfilment, fact: FulfilmentFact): Fulfilment {
  switch (fact.type) {
    case 'StockReserved': {
      let next = settle(f, `reserve:${fact.productId}`, 'DONE', fact.at, `${fact.quantity} reserved`);
      // Reserved after compensation began (reservations run one after another): give it back too.
      if (next.state === 'COMPENSATING' && !step(next, `release:${fact.productId}`)) {
        next = withSteps(next, [...next.steps, pending(`release:${fact.productId}`)]);
      }
      return reservedAll(next);
    }
    case 'ProductNotManaged':
      return reservedAll(settle(f, `reserve:${fact.productId}`, 'DONE', fact.at, 'not stock-managed'));
    case 'StockReservationRejected': {
      const detail = `requested ${fact.requested}, available ${fact.available}`;
      const next = settle(f, `reserve:${fact.productId}`, 'REJECTED', fact.at, detail);
      return next.state === 'RESERVING' ? compensate(next, `out of stock: ${fact.productId}`, fact.at) : next;
    }
    case 'StockBackordered': {
      const detail = `waiting for restock: requested ${fact.requested}, available ${fact.available}`;
      return settle(f, `reserve:${fact.productId}`, 'WAITING', fact.at, detail);
    }
    case 'Restocked': {
      // Stock came in: ask again, under a new command id (the first one's answer is stored).
      const name = `reserve:${fact.productId}`;
      const waiting = step(f, name);
      if (f.state !== 'RESERVING' || waiting?.state !== 'WAITING') return f;
      const retry: FulfilmentStep = { ...pending(name), attempt: (waiting.attempt ?? 1) + 1 };
      return withSteps(
        f,
        f.steps.map((s) => (s.name === name ? retry : s)),
      );
    }
    case 'StockReleased':
      return compensated(
        settle(f, `release:${fact.productId}`, 'DONE', fact.at, `${fact.quantity} released`),
      );
    case 'ShipmentBooked': {
      if (f.state !== 'SHIPPING' || f.trackingNumber) return f;
      const steps = f.steps.map((s) =>
        s.name === 'ship' ? { ...s, detail: `booked ${fact.trackingNumber}` } : s,
      );
      return { ...f, trackingNumber: fact.trackingNumber, steps };
    }
    case 'OrderShipped': {
      const next = settle(f, 'ship', 'DONE', fact.at, `tracking ${fact.trackingNumber}`);
      return next === f ? f : { ...next, state: 'SHIPPED', trackingNumber: fact.trackingNumber };
    }
    case 'OrderCancelled': {
      // Cancelled by someone else (the customer) while in progress: undo what was done.
      const next =
        f.state === 'RESERVING' || f.state === 'SHIPPING' ? compensate(f, fact.reason, fact.at) : f;
      return compensated(settle(next, 'cancel', 'DONE', fact.at, fact.reason));
    }
    case 'OrderPaymentRefunded':
      return compensated(settle(f, 'refund', 'DONE', fact.at, `${formatMoney(fact.amount)} refunded`));
    case 'StepFailed': {
      const next = settle(f, fact.step, 'FAILED', fact.at, fact.error);
      if (next === f) return f;
      if (next.state === 'RESERVING' || next.state === 'SHIPPING')
        return compensate(next, `${fact.step} failed: ${fact.error}`, fact.at);
      return next.state === 'COMPENSATING' ? { ...next, state: 'FAILED' } : next;
    }
    case 'CustomerNotified':
      if (step(f, 'notify')) return f;
      return withSteps(f, [...f.steps, { name: 'notify', state: 'DONE', at: fact.at, detail: fact.kind }]);
    default:
      return assertNever(fact);
  }
}

/** What the worker should do now; empty while waiting for a fact (or for restock), or when finished. */
export function nextActions(f: Fulfilment): FulfilmentAction[] {
  const { orderId } = f;
  type Command = Extract<FulfilmentAction, { kind: 'command' }>['command'];
  const command = (name: string, c: Command, attempt?: number): FulfilmentAction => ({
    kind: 'command',
    step: name,
    commandId: `fulfil:${orderId}:${name}${attempt ? `:${attempt}` : ''}`,
    command: c,
  });
  const isPending = (name: string) => step(f, name)?.state === 'PENDING';
  switch (f.state) {
    case 'RESERVING':
      return f.lines.flatMap(({ productId, quantity }) => {
        const reserve = step(f, `reserve:${productId}`);
        if (reserve?.state !== 'PENDING') return [];
        return [
          command(
            reserve.name,
            { type: 'ReserveStock', data: { productId, orderId, quantity } },
            reserve.attempt,
          ),
        ];
      });
    case 'SHIPPING':
      if (!f.trackingNumber) return [{ kind: 'book', step: 'ship' }];
      return [command('ship', { type: 'ShipOrder', data: { orderId, trackingNumber: f.trackingNumber } })];
    case 'COMPENSATING': {
      const releases = f.steps.filter((s) => s.name.startsWith('release:') && s.state === 'PENDING');
      // Stock first, so it is free again before the customer hears; then cancel, then refund.
      if (releases.length > 0) {
        return releases.map((s) => {
          const productId = s.name.slice('release:'.length);
          return command(s.name, { type: 'ReleaseStock', data: { productId, orderId } });
        });
      }
      const reason = f.reason ?? 'fulfilment failed';
      if (isPending('cancel')) return [command('cancel', { type: 'CancelOrder', data: { orderId, reason } })];
      if (isPending('refund'))
        return [command('refund', { type: 'RefundPayment', data: { orderId, amount: f.amount, reason } })];
      return [];
    }
    case 'SHIPPED':
    case 'COMPENSATED':
    case 'FAILED':
      return [];
    default:
      return assertNever(f.state);
  }
}

/** The notification a transition into `after` warrants, if any. */
export function notificationFor(
  before: Fulfilment | undefined,
  after: Fulfilment,
): { kind: NotificationKind; message: string } | undefined {
  if (before?.state === after.state || step(after, 'notify')) return undefined;
  if (after.state === 'SHIPPED') {
    return {
      kind: 'shipped',
      message: `Your order ${after.orderId} has shipped, tracking ${after.trackingNumber}`,
    };
  }
  if (after.state === 'COMPENSATED') {
    const refund =
      step(after, 'refund')?.state === 'DONE'
        ? `; a refund of ${formatMoney(after.amount)} is on its way`
        : '';
    return {
      kind: 'compensated',
      message: `Your order ${after.orderId} was cancelled: ${after.reason}${refund}`,
    };
  }
  return undefined;
}

function compensate(f: Fulfilment, reason: string, at: string): Fulfilment {
  const steps = f.steps.map((s) =>
    s.state === 'PENDING' || s.state === 'WAITING' ? { ...s, state: 'SKIPPED' as const, at } : s,
  );
  const releases = f.steps
    .filter((s) => s.name.startsWith('reserve:') && s.state === 'DONE' && s.detail !== 'not stock-managed')
    .map((s) => pending(`release:${s.name.slice('reserve:'.length)}`));
  const undo = [...releases, pending('cancel'), ...(f.amount > 0 ? [pending('refund')] : [])];
  return { ...f, state: 'COMPENSATING', reason, steps: [...steps, ...undo] };
}

function reservedAll(f: Fulfilment): Fulfilment {
  if (f.state !== 'RESERVING') return f;
  const done = f.lines.every((l) => step(f, `reserve:${l.productId}`)?.state === 'DONE');
  return done ? { ...f, state: 'SHIPPING' } : f;
}

function compensated(f: Fulfilment): Fulfilment {
  if (f.state !== 'COMPENSATING') return f;
  const undo = f.steps.filter(
    (s) => s.name.startsWith('release:') || s.name === 'cancel' || s.name === 'refund',
  );
  return undo.every((s) => s.state === 'DONE') ? { ...f, state: 'COMPENSATED' } : f;
}

/** Moves a pending step to its outcome; a step already settled keeps its first outcome. */
function settle(f: Fulfilment, name: string, state: StepState, at: string, detail: string): Fulfilment {
  if (step(f, name)?.state !== 'PENDING') return f;
  return withSteps(
    f,
    f.steps.map((s) => (s.name === name ? { ...s, state, at, detail } : s)),
  );
}

function step(f: Fulfilment, name: string): FulfilmentStep | undefined {
  return f.steps.find((s) => s.name === name);
}

function withSteps(f: Fulfilment, steps: FulfilmentStep[]): Fulfilment {
  return { ...f, steps };
}

function pending(name: string): FulfilmentStep {
  return { name, state: 'PENDING', at: null, detail: null };
}

function mergeLines(lines: FulfilmentLine[]): FulfilmentLine[] {
  const merged = new Map<string, number>();
  for (const line of lines) merged.set(line.productId, (merged.get(line.productId) ?? 0) + line.quantity);
  return [...merged].map(([productId, quantity]) => ({ productId, quantity }));
}
