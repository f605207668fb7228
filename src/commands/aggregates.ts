import {
  EMAIL_STATE_SCHEMA_VERSION,
  EMAIL_STREAM_TYPE,
  ORDER_STATE_SCHEMA_VERSION,
  ORDER_STREAM_TYPE,
  PRODUCT_STATE_SCHEMA_VERSION,
  PRODUCT_STREAM_TYPE,
  USER_STATE_SCHEMA_VERSION,
  USER_STREAM_TYPE,
  emailReservationDecider,
  inventoryDecider,
  orderDecider,
  userDecider,
  type Decider,
  type DomainEvent,
} from '../domain/index.js';

/** A decider plus what the infrastructure needs to store it: its stream type and state version. */
export interface Aggregate<C = any, E extends DomainEvent = DomainEvent, S = unknown> {
  readonly name: string;
  readonly decider: Decider<C, E, S>;
  readonly streamType: string;
  /** Bumped whenever the state's shape changes, so older snapshots are ignored. */
  readonly stateSchemaVersion: number;
  /**
   * Commands that start a stream. They are decided on the initial state and appended
   * expecting no stream, without reading first; should the stream exist after all, the
   * append conflicts and the command is handled again the usual way.
   */
  readonly creates?: readonly string[];
}

export const orderAggregate: Aggregate = {
  name: 'order',
  decider: orderDecider as Decider<any, any, any>,
  streamType: ORDER_STREAM_TYPE,
  stateSchemaVersion: ORDER_STATE_SCHEMA_VERSION,
  creates: ['CreateOrder'],
};

export const userAggregate: Aggregate = {
  name: 'user',
  decider: userDecider as Decider<any, any, any>,
  streamType: USER_STREAM_TYPE,
  stateSchemaVersion: USER_STATE_SCHEMA_VERSION,
};

export const emailAggregate: Aggregate = {
  name: 'email',
  decider: emailReservationDecider as Decider<any, any, any>,
  streamType: EMAIL_STREAM_TYPE,
  stateSchemaVersion: EMAIL_STATE_SCHEMA_VERSION,
};

export const productAggregate: Aggregate = {
  name: 'product',
  decider: inventoryDecider as Decider<any, any, any>,
  streamType: PRODUCT_STREAM_TYPE,
  stateSchemaVersion: PRODUCT_STATE_SCHEMA_VERSION,
};
