import { orderOf } from '../../auth/scopes.js';
import { builder } from '../builder.js';
import { FULFILMENT_STATES, type FulfilmentStepView, type FulfilmentView } from '../reads.js';

const FulfilmentStateEnum = builder.enumType('FulfilmentState', { values: FULFILMENT_STATES });

const FulfilmentStepRef = builder.objectRef<FulfilmentStepView>('FulfilmentStep').implement({
  fields: (t) => ({
    name: t.exposeString('name', {
      description: 'reserve:<productId>, ship, notify; compensating: release:<productId>, cancel, refund.',
    }),
    state: t.exposeString('state', {
      description:
        'PENDING, WAITING (a reserve step short of a product that takes backorders, until stock is added), DONE, REJECTED, SKIPPED or FAILED.',
    }),
    at: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.at }),
    detail: t.exposeString('detail', { nullable: true }),
  }),
});

const FulfilmentRef = builder.objectRef<FulfilmentView>('Fulfilment').implement({
  description: "A paid order's way to the customer: the fulfilment saga's state and its steps.",
  fields: (t) => ({
    orderId: t.exposeID('orderId'),
    state: t.field({
      type: FulfilmentStateEnum,
      description:
        'RESERVING also while a line waits for restock (its step WAITING); the order stays PAID meanwhile.',
      resolve: (f) => f.state,
    }),
    steps: t.field({ type: [FulfilmentStepRef], resolve: (f) => f.steps }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why it was compensated.' }),
    trackingNumber: t.exposeString('trackingNumber', { nullable: true }),
    attempts: t.exposeInt('attempts', {
      description: 'Failed tries of the current step, reset when it moves on.',
    }),
    lastError: t.exposeString('lastError', { nullable: true }),
    updatedAt: t.field({ type: 'DateTime', resolve: (f) => f.updatedAt }),
  }),
});

builder.queryFields((t) => ({
  fulfilment: t.field({
    type: FulfilmentRef,
    nullable: true,
    description:
      'The fulfilment of a paid order; null before it is paid (or while the payment is being recorded).',
    args: { orderId: t.arg.id({ required: true }) },
    authScopes: (_root, args) => orderOf(String(args.orderId)),
    resolve: async (_root, args, ctx) => (await ctx.services.reads.fulfilment(String(args.orderId))) ?? null,
  }),
}));
