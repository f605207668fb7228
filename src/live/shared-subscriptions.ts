import {
  createSourceEventStream,
  execute,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

type MaybePromise<T> = T | Promise<T>;

/**
 * Executes each subscription event once per kind of subscriber rather than once per
 * subscriber. Ten thousand dashboards following every status change all ask for the same
 * selection on the same change; executing it ten thousand times cost more than sending
 * it. Subscribers share a result when they run the same document and operation with the
 * same variables under the same scope (`scopeOf` their context: whatever decides what a
 * resolver may show them), and the event is the very object the source stream yielded to
 * all of them. Anything else executes on its own, as before.
 */
export function sharedSubscriptions<C>(
  scopeOf: (context: C) => string,
  onEvent: (execution: 'executed' | 'shared') => void = () => {},
): Plugin {
  const documents = new WeakMap<DocumentNode, number>();
  const results = new WeakMap<object, Map<string, MaybePromise<ExecutionResult>>>();
  const documentId = (document: DocumentNode) => {
    let id = documents.get(document);
    if (id === undefined) documents.set(document, (id = nextDocumentId++));
    return id;
  };
  let nextDocumentId = 0;

  const subscribe = async (args: ExecutionArgs & { signal?: AbortSignal }) => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const key = [
      documentId(args.document),
      args.operationName ?? '',
      JSON.stringify(args.variableValues ?? {}),
      scopeOf(args.contextValue as C),
    ].join('\u0000');
    const resultFor = (event: unknown): MaybePromise<ExecutionResult> => {
      if (typeof event !== 'object' || event === null) {
        onEvent('executed');
        return execute({ ...args, rootValue: event });
      }
      let byKey = results.get(event);
      if (!byKey) results.set(event, (byKey = new Map()));
      let result = byKey.get(key);
      onEvent(result === undefined ? 'executed' : 'shared');
      if (result === undefined) byKey.set(key, (result = execute({ ...args, rootValue: event })));
      return result;
    };
    const events = new MappedEvents(source[Symbol.asyncIterator](), resultFor);
    args.signal?.addEventListener('abort', () => void events.return(), { once: true });
    return events;
  };

  return { onSubscribe: ({ setSubscribeFn }) => setSubscribeFn(subscribe as never) };
}

/**
 * Events a subscriber executes ahead of what it has taken, at most. A selection that reads
 * (`order { … }`) then overlaps the reads of a burst, which go to the database together,
 * instead of taking them one by one while the burst waits in the subscriber's buffer.
 */
const READ_AHEAD = 16;

const DONE: IteratorResult<ExecutionResult> = { value: undefined, done: true };

/**
 * The source's events as execution results, in order; ending it ends the source. The
 * source is asked for one event at a time, and this by one consumer at a time (graphql-ws
 * iterates it with for await); each event is executed as soon as it arrives.
 */
class MappedEvents implements AsyncIterableIterator<ExecutionResult> {
  private readonly results: Promise<IteratorResult<ExecutionResult>>[] = [];
  private pulling = false;
  private ended = false;

  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly map: (event: unknown) => MaybePromise<ExecutionResult>,
  ) {}

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.results.length === 0) {
      if (this.ended) return Promise.resolve(DONE);
      this.pull();
    }
    const result = this.results.shift()!;
    if (!this.pulling && !this.ended) this.pull();
    return result;
  }

  private pull(): void {
    this.pulling = true;
    // One promise per event, not an async function's several: ten thousand run per change.
    const result = this.source.next().then(
      (step) => {
        this.pulling = false;
        if (step.done) {
          this.ended = true;
          return DONE;
        }
        const value = this.map(step.value);
        if (!this.ended && this.results.length < READ_AHEAD) this.pull();
        return value instanceof Promise
          ? value.then((v) => ({ value: v, done: false }))
          : { value, done: false };
      },
      (error: unknown) => {
        this.pulling = false;
        this.ended = true;
        throw error;
      },
    );
    // Taken by next() in order; one dropped by return() must not count as unhandled.
    result.catch(() => {});
    this.results.push(result);
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.ended = true;
    this.results.length = 0;
    await this.source.return?.();
    return DONE;
  }

  async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}
