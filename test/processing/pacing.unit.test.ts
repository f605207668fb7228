import { describe, expect, it } from 'vitest';
import { BatchPacer, batchBudgetMs, PGLITE_BATCH_BUDGET_MS } from '../../src/processing/index.js';

/** Sizes asked for when each batch reads what it asked for and takes the time given. */
function sizes(pacer: BatchPacer, durations: number[]): number[] {
  return durations.map((ms) => {
    const size = pacer.next();
    pacer.took(size, ms);
    return size;
  });
}

describe('batch pacing', () => {
  it('paces batches on PGlite only', () => {
    expect(batchBudgetMs({ kind: 'pglite' })).toBe(PGLITE_BATCH_BUDGET_MS);
    expect(batchBudgetMs({ kind: 'postgres' })).toBeUndefined();
  });

  it('given no budget, every batch is the most asked for, however long it takes', () => {
    expect(sizes(new BatchPacer(2_000, undefined), [5_000, 1, 5_000])).toEqual([2_000, 2_000, 2_000]);
  });

  it('given a budget, a batch over it shrinks the next in proportion, down to one event', () => {
    expect(sizes(new BatchPacer(2_000, 20), [80, 40, 400, 20])).toEqual([100, 25, 12, 1]);
  });

  it('given a budget, full batches well under it double the next up to the most asked for; a short or middling one keeps it', () => {
    const pacer = new BatchPacer(500, 20);
    expect(sizes(pacer, [5, 5, 5, 5, 15])).toEqual([100, 200, 400, 500, 500]);
    pacer.took(3, 1);
    expect(pacer.next()).toBe(500);
  });

  it('given an empty batch, learns nothing from it', () => {
    const pacer = new BatchPacer(2_000, 20);
    pacer.took(0, 1_000);
    expect(pacer.next()).toBe(100);
  });
});
