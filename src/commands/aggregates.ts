import {
  EMAIL_STATE_SCHEMA_VERSION,
  EMAIL_STREAM_TYPE,
  INVENTORY_COMMAND_TYPES,
  ORDER_STATE_SCHEMA_VERSION,
  ORDER_STREAM_TYPE,
  PRODUCT_STATE_SCHEMA_VERSION,
  PRODUCT_STREAM_TYPE,
  USER_STATE_SCHEMA_VERSION,
  USER_STREAM_TYPE,
  emailReservationDecider,
  emailReservationsFor,
  emailStreamId,
  inventoryDecider,
  orderDecider,
  orderStreamId,
  productStreamId,
  userDecider,
  userStreamId,
  type Command,
  type Decider,
  type DomainEvent,
  type EmailReservationCommand,
  type EmailReservationEvent,
  type EmailReservationState,
  type InventoryCommand,
  type InventoryEvent,
  type OrderCommand,
  type OrderEvent,
  type OrderState,
  type ProductState,
  type UserCommand,
  type UserEvent,
  type UserState,
} from '../domain/index.js';

/** The commands callers send; each belongs to exactly one aggregate below. */
export type AppCommand = OrderCommand | UserCommand | InventoryCommand;
/** Those and the ones only a workflow sends (email reservations). */
export type AnyCommand = AppCommand | EmailReservationCommand;

/**
 * A decider plus what the handler needs to run it: the commands it decides, the stream
 * each acts on, and how its state is stored. The handler knows nothing else of it.
 */
export interface Aggregate<C extends Command = Command, E extends DomainEvent = DomainEvent, S = unknown> {
  readonly name: string;
  readonly decider: Decider<C, E, S>;
  readonly commands: readonly C['type'][];
  /** The stream a command acts on. */
  streamId(command: C): string;
  readonly streamType: string;
  /** Bumped whenever the state's shape changes, so older snapshots are ignored. */
  readonly stateSchemaVersion: number;
  /**
   * Commands that start a stream. They are decided on the initial state and appended
   * expecting no stream, without reading first; should the stream exist after all, the
   * append conflicts and the command is handled again the usual way.
   */
  readonly creates?: readonly C['type'][];
  /**
   * A domain workflow: commands on other streams that must be written in the same
   * transaction as this one's events, from the state before and what was decided.
   */
  follows?(command: C, before: S, decided: readonly E[]): AnyCommand[];
}

export const orderAggregate: Aggregate<OrderCommand, OrderEvent, OrderState> = {
  name: 'order',
  decider: orderDecider,
  commands: ['CreateOrder', 'PayOrder', 'ShipOrder', 'DeliverOrder', 'CancelOrder', 'RefundPayment'],
  streamId: (command) => orderStreamId(command.data.orderId),
  streamType: ORDER_STREAM_TYPE,
  stateSchemaVersion: ORDER_STATE_SCHEMA_VERSION,
  creates: ['CreateOrder'],
};

export const userAggregate: Aggregate<UserCommand, UserEvent, UserState> = {
  name: 'user',
  decider: userDecider,
  commands: ['RegisterUser', 'ChangeUserEmail', 'DeleteUser'],
  streamId: (command) => userStreamId(command.data.userId),
  streamType: USER_STREAM_TYPE,
  stateSchemaVersion: USER_STATE_SCHEMA_VERSION,
  follows: emailReservationsFor,
};

export const emailAggregate: Aggregate<
  EmailReservationCommand,
  EmailReservationEvent,
  EmailReservationState
> = {
  name: 'email',
  decider: emailReservationDecider,
  commands: ['ReserveEmail', 'ReleaseEmail'],
  streamId: (command) => emailStreamId(command.data.email),
  streamType: EMAIL_STREAM_TYPE,
  stateSchemaVersion: EMAIL_STATE_SCHEMA_VERSION,
};

export const productAggregate: Aggregate<InventoryCommand, InventoryEvent, ProductState> = {
  name: 'product',
  decider: inventoryDecider,
  commands: INVENTORY_COMMAND_TYPES,
  streamId: (command) => productStreamId(command.data.productId),
  streamType: PRODUCT_STREAM_TYPE,
  stateSchemaVersion: PRODUCT_STATE_SCHEMA_VERSION,
};

const AGGREGATES: readonly Aggregate[] = [orderAggregate, userAggregate, emailAggregate, productAggregate];
const BY_COMMAND = new Map(
  AGGREGATES.flatMap((aggregate) => aggregate.commands.map((type) => [type, aggregate])),
);

/** The aggregate that decides a command. */
export function aggregateFor(command: AnyCommand): Aggregate {
  const aggregate = BY_COMMAND.get(command.type);
  if (!aggregate) throw new Error(`no aggregate decides ${command.type}`);
  return aggregate;
}
