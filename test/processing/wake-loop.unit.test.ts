import { describe, expect, it } from 'vitest';
import { WakeLoop, type Next } from '../../src/processing/index.js';

const LONG: Next = { sleepMs: 60_000, wakeable: true };
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** A loop whose passes are counted and answer what `next` says. */
function counted(next: (n: number) => Next, failed: (error: unknown) => Next = () => LONG) {
  let passes = 0;
  const loop = new WakeLoop(async () => next(++passes), failed);
  return { loop, passes: () => passes };
}

describe('the wake/sleep loop every consumer shares', () => {
  it('goes again at once while a pass says so, then sleeps until woken', async () => {
    // given a loop whose first three passes find more work
    const { loop, passes } = counted((n) => (n < 3 ? 'again' : LONG));
    // when it starts
    loop.start();
    await tick();
    // then it ran three passes and sleeps
    expect(passes()).toBe(3);
    // when woken, it runs one more
    loop.wake();
    await tick();
    expect(passes()).toBe(4);
    await loop.stop();
    expect(loop.active).toBe(false);
  });

  it('remembers a wake-up that came during a pass: the next wait ends at once', async () => {
    let release: () => void = () => {};
    let passes = 0;
    const loop = new WakeLoop(
      async () => {
        passes += 1;
        if (passes === 1) await new Promise<void>((resolve) => (release = resolve));
        return LONG;
      },
      () => LONG,
    );
    loop.start();
    await tick();
    // when woken while the first pass still runs
    loop.wake();
    release();
    await tick();
    // then the second pass did not wait a whole poll interval
    expect(passes).toBe(2);
    await loop.stop();
  });

  it('does not heed wake-ups while backing off, nor while resting', async () => {
    // given a pass that fails (backing off) and one that rests before its wakeable sleep
    const failing = counted(
      () => {
        throw new Error('down');
      },
      () => ({ sleepMs: 60_000, wakeable: false }),
    );
    const resting = counted(() => ({ restMs: 60_000, sleepMs: 60_000, wakeable: true }));
    failing.loop.start();
    resting.loop.start();
    await tick();
    // when both are woken
    failing.loop.wake();
    resting.loop.wake();
    await tick();
    // then neither ran another pass
    expect(failing.passes()).toBe(1);
    expect(resting.passes()).toBe(1);
    // and stop ends any wait at once
    const started = performance.now();
    await Promise.all([failing.loop.stop(), resting.loop.stop()]);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
