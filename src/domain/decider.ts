export interface CommandMetadata {
  commandId: string;
  correlationId: string;
  causationId?: string;
  actor: string;
  idempotencyKey?: string;
  requestId?: string;
  /** ISO-8601; the only clock a decider may read. */
  now: string;
}

export interface DomainEvent<T extends string = string, D = unknown> {
  type: T;
  data: D;
}

export interface Command<T extends string = string, D = unknown> {
  type: T;
  data: D;
  metadata: CommandMetadata;
}

export interface Decider<C, E, S> {
  initialState(): S;
  decide(command: C, state: S): E[];
  evolve(state: S, event: E): S;
}

export function fold<E, S>(
  decider: Pick<Decider<unknown, E, S>, 'initialState' | 'evolve'>,
  events: E[],
  state?: S,
): S {
  return events.reduce((s, e) => decider.evolve(s, e), state ?? decider.initialState());
}

/** Ends exhaustive switches so a new command, event or status fails to compile until handled. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
