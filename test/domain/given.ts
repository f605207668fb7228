import { expect } from 'vitest';
import { fold, type Decider } from '../../src/domain/decider.js';

type ErrorClass = abstract new (...args: never[]) => Error;

/** given(decider, history).when(command).then(events) — the decider tested as data in, data out. */
export function given<C, E, S>(decider: Decider<C, E, S>, events: E[]) {
  const state = fold(decider, events);
  // States are snapshotted as JSON, so every state a test reaches must survive the round trip.
  expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);
  return {
    state,
    when(command: C) {
      const run = () => decider.decide(command, state);
      return {
        then(expected: E[]): S {
          const produced = run();
          expect(produced).toStrictEqual(expected);
          return fold(decider, produced, state);
        },
        thenNothing(): void {
          expect(run()).toStrictEqual([]);
        },
        thenThrows(errorClass: ErrorClass, fields?: Record<string, unknown>): Error {
          let caught: unknown;
          try {
            run();
          } catch (error) {
            caught = error;
          }
          expect(caught).toBeInstanceOf(errorClass);
          if (fields) expect(caught).toMatchObject(fields);
          return caught as Error;
        },
      };
    },
  };
}
