import { performance } from 'node:perf_hooks';
import type { Executor, Tx } from '../db/connect.js';
import {
  DomainError,
  type Command,
  type CommandMetadata,
  type DomainEvent,
  type LedgerEvent,
} from '../domain/index.js';
import {
  ConcurrencyError,
  DuplicateEventError,
  saveSnapshot,
  versionAt,
  type EventMetadata,
  type EventStore,
  type Position,
} from '../eventstore/index.js';
import type { Logger } from '../logger.js';
import { aggregateFor, type Aggregate, type AnyCommand, type AppCommand } from './aggregates.js';
import { eventIdFor, requestHash } from './ids.js';
import { onceForKey } from './idempotency.js';
import { committingAlone, committingTransaction } from './outcome.js';
import { loadStream, type Loaded } from './loader.js';

export interface CommandResult {
  streamId: string;
  streamVersion: number;
  /** Position of the command's last event in the global feed (or of the stream's last one, when it wrote none). */
  position: Position;
  events: { id: string; type: string; data: unknown }[];
}

export interface HandleOptions {
  /** Pins the stream version the caller decided on: a conflict is returned, never retried. */
  expectedVersion?: number;
}

export interface CommandHandlerOptions {
  snapshotEvery: number;
  idempotencyTtlMs: number;
  logger: Logger;
  maxAttempts?: number;
  /** Told of every command handled: its type, `ok` or the error's code, and how long it took. */
  onHandled?: (type: string, outcome: string, seconds: number) => void;
}

/** One stream's share of a command: what to decide and where its events go. */
interface Step {
  aggregate: Aggregate;
  streamId: string;
  decide: (state: unknown) => DomainEvent[];
  /** The state the plan was made on; the append then expects exactly its version. */
  loaded?: Loaded<unknown>;
}

interface Written {
  result: CommandResult;
  loaded: Loaded<unknown>;
  aggregate: Aggregate;
  state: unknown;
}

export class CommandHandler {
  private readonly maxAttempts: number;
  /** Conflicts that were resolved by reloading and deciding again. */
  retries = 0;

  constructor(
    readonly store: EventStore<LedgerEvent>,
    private readonly options: CommandHandlerOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /**
   * Load → decide → append with the loaded version. A conflict reloads and decides
   * again, a bounded number of times, unless the caller pinned the version.
   */
  async handle(command: AppCommand, options: HandleOptions = {}): Promise<CommandResult> {
    const started = performance.now();
    try {
      const result = await this.handleOnce(command, options);
      this.options.onHandled?.(command.type, 'ok', (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      this.options.onHandled?.(
        command.type,
        typeof code === 'string' ? code : 'ERROR',
        (performance.now() - started) / 1000,
      );
      throw error;
    }
  }

  private async handleOnce(command: AppCommand, options: HandleOptions): Promise<CommandResult> {
    const db = this.store.database.db;
    const key = command.metadata.idempotencyKey;
    const written: Written[] = [];
    const run = (exec: Executor) => this.withRetries(command, options, exec, written);
    const result = key
      ? await onceForKey(db, key, requestHash(command), this.options.idempotencyTtlMs, run)
      : await run(db);
    for (const w of written) this.snapshotIfDue(w);
    return result;
  }

  /** The state of a stream as it was at a version or a moment. */
  async loadAt<S>(
    aggregate: Aggregate<Command, DomainEvent, S>,
    streamId: string,
    when: { version: number } | { at: string },
  ): Promise<Loaded<S>> {
    const db = this.store.database.db;
    const version = 'version' in when ? when.version : await versionAt(db, streamId, when.at);
    return loadStream(this.store, aggregate, streamId, db, version);
  }

  private async withRetries(
    command: AppCommand,
    options: HandleOptions,
    exec: Executor,
    written: Written[],
  ): Promise<CommandResult> {
    for (let attempt = 1; ; attempt++) {
      written.length = 0;
      try {
        const aggregate = aggregateFor(command);
        if (!aggregate.follows) {
          const step = stepOf(command);
          // The first attempt at a creating command assumes the stream is new; a conflict says otherwise.
          if (
            attempt === 1 &&
            options.expectedVersion === undefined &&
            aggregate.creates?.includes(command.type)
          ) {
            step.loaded = { state: aggregate.decider.initialState(), version: 0, eventsRead: 0 };
          }
          return await this.runStep(step, command.metadata, options, exec, written);
        }
        // Several streams change together: plan and write them in one transaction, so the
        // plan cannot rest on a state another writer has moved on from.
        const plan = async (tx: Tx) => {
          let last: CommandResult | undefined;
          for (const step of await this.workflow(command, aggregate, tx))
            last = await this.runStep(step, command.metadata, options, tx, written);
          return last!;
        };
        // Inside the idempotency key's transaction it is a savepoint: that one commits.
        return await (exec === this.store.database.db
          ? committingTransaction(exec, plan)
          : exec.transaction(plan));
      } catch (error) {
        if (
          error instanceof ConcurrencyError &&
          options.expectedVersion === undefined &&
          attempt < this.maxAttempts
        ) {
          this.retries++;
          continue;
        }
        // Refused now, or its event ids already stored: a command sent again returns its first result.
        if (error instanceof DomainError || error instanceof DuplicateEventError) {
          const prior = await this.priorResult(command, exec);
          if (prior) return prior;
        }
        throw error;
      }
    }
  }

  private async runStep(
    step: Step,
    metadata: CommandMetadata,
    options: HandleOptions,
    exec: Executor,
    written: Written[],
  ): Promise<CommandResult> {
    const loaded = step.loaded ?? (await loadStream(this.store, step.aggregate, step.streamId, exec));
    if (options.expectedVersion !== undefined && loaded.version !== options.expectedVersion) {
      throw new ConcurrencyError(step.streamId, options.expectedVersion, loaded.version);
    }
    const decided = step.decide(loaded.state);
    if (decided.length === 0) {
      return {
        streamId: step.streamId,
        streamVersion: loaded.version,
        position: await this.store.lastPosition(step.streamId, exec),
        events: [],
      };
    }
    const events = decided.map((e, i) => ({
      id: eventIdFor(metadata.commandId, step.streamId, i),
      type: e.type,
      data: e.data,
      metadata: eventMetadata(metadata),
    }));
    const append = () =>
      this.store.appendToStream(step.streamId, events, {
        expectedVersion: loaded.version,
        streamType: step.aggregate.streamType,
        tx: exec,
      });
    // Outside a transaction the append commits by itself, so a lost connection leaves it unknown.
    const appended = await (exec === this.store.database.db ? committingAlone(append) : append());
    const result = {
      streamId: step.streamId,
      ...appended,
      events: events.map(({ id, type, data }) => ({ id, type, data })),
    };
    const state = decided.reduce((s, e) => step.aggregate.decider.evolve(s, e), loaded.state);
    written.push({ result, loaded, aggregate: step.aggregate, state });
    return result;
  }

  /**
   * A command whose aggregate declares a workflow: it decides first, on its own stream,
   * and the commands the workflow derives from that decision are written before it, in
   * the same transaction (its own stream last).
   */
  private async workflow(command: AnyCommand, aggregate: Aggregate, exec: Executor): Promise<Step[]> {
    const streamId = aggregate.streamId(command);
    const loaded = await loadStream(this.store, aggregate, streamId, exec);
    const decided = aggregate.decider.decide(command, loaded.state);
    const derived = aggregate.follows!(command, loaded.state, decided).map(stepOf);
    return [...derived, { aggregate, streamId, loaded, decide: () => decided }];
  }

  /** A command sent again after it succeeded: its events are stored under its derived ids. */
  private async priorResult(command: AppCommand, exec: Executor): Promise<CommandResult | undefined> {
    const streamId = aggregateFor(command).streamId(command);
    const ids = Array.from({ length: 8 }, (_, i) => eventIdFor(command.metadata.commandId, streamId, i));
    const found = await this.store.readEvents(ids, exec);
    const last = found.at(-1);
    if (!last) return undefined;
    return {
      streamId,
      streamVersion: last.version,
      position: last.position,
      events: found.map(({ id, type, data }) => ({ id, type, data })),
    };
  }

  /** Saved off the request path, after the commit; a failure is logged and costs only speed. */
  private snapshotIfDue({ result, loaded, aggregate, state }: Written): void {
    const every = this.options.snapshotEvery;
    if (Math.floor(result.streamVersion / every) === Math.floor(loaded.version / every)) return;
    saveSnapshot(
      this.store.database.db,
      result.streamId,
      result.streamVersion,
      aggregate.stateSchemaVersion,
      state,
    ).catch((error: unknown) =>
      this.options.logger.warn({ err: error, streamId: result.streamId }, 'snapshot failed'),
    );
  }
}

/** A command on one stream: its aggregate's decision on that stream's state. */
function stepOf(command: AnyCommand): Step {
  const aggregate = aggregateFor(command);
  return {
    aggregate,
    streamId: aggregate.streamId(command),
    decide: (state) => aggregate.decider.decide(command, state),
  };
}

function eventMetadata(m: CommandMetadata): EventMetadata {
  return {
    commandId: m.commandId,
    correlationId: m.correlationId,
    causationId: m.causationId,
    actor: m.actor,
    idempotencyKey: m.idempotencyKey,
    requestId: m.requestId,
  };
}
