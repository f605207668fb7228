/** How long one change's deliveries may hold the event loop before everything else gets a turn. */
export const FAN_OUT_SLICE_MS = 5;

/**
 * Deliveries per turn at most. A delivery starts its subscriber's execution, whose reads
 * (`order { … }`) go out batched per turn (OrderReads) and come back as one reply, which
 * resumes every execution of the turn at once to finish, serialise and send. Starting
 * costs some 20 µs, so a time slice alone lets ~250 into a turn and their reply then holds
 * the loop for hundreds of milliseconds; 32 keep it to a few tens (bench/fanout-stall.ts).
 */
export const FAN_OUT_MOST = 32;

/**
 * Hands one change to each target in turn, giving the event loop back (setImmediate) after
 * FAN_OUT_MOST deliveries or FAN_OUT_SLICE_MS, whichever comes first. A delivery to a
 * waiting subscriber runs that subscriber's GraphQL execution in the microtasks it sets
 * off, not inside `deliver`; the short wait after each one (a nextTick, which Node runs
 * only once the microtasks and ticks queued before it are done) puts that on the clock.
 *
 * The targets are taken as they are when the change arrives, and the caller's next change
 * waits for this one to have reached them all, so each subscriber gets changes in order.
 */
export async function fanOut<T>(targets: Iterable<T>, deliver: (target: T) => void): Promise<void> {
  let slice = performance.now();
  let delivered = 0;
  for (const target of [...targets]) {
    deliver(target);
    await new Promise((resolve) => process.nextTick(resolve));
    if (++delivered >= FAN_OUT_MOST || performance.now() - slice >= FAN_OUT_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
      delivered = 0;
    }
  }
}
