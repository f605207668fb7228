/**
 * A place in the global feed: the pair (transaction id, global position) that the
 * feed is ordered by. Outside this module it is an opaque string.
 */
export type Position = string;

export interface FeedPoint {
  tx: bigint;
  pos: bigint;
}

export const START: Position = '0:0';

export class InvalidPositionError extends Error {
  readonly code = 'VALIDATION';
  readonly field = 'position';
  constructor(readonly value: string) {
    super(`"${value}" is not a position of the event feed`);
    this.name = 'InvalidPositionError';
  }
}

export function encodePosition(tx: bigint | string, pos: bigint | string): Position {
  return `${tx}:${pos}`;
}

export function decodePosition(position: Position): FeedPoint {
  const match = /^(\d{1,20}):(\d{1,19})$/.exec(position);
  if (!match) throw new InvalidPositionError(position);
  return { tx: BigInt(match[1]!), pos: BigInt(match[2]!) };
}

export function comparePositions(a: Position, b: Position): number {
  return compareFeedPoints(decodePosition(a), decodePosition(b));
}

export function compareFeedPoints(x: FeedPoint, y: FeedPoint): number {
  if (x.tx !== y.tx) return x.tx < y.tx ? -1 : 1;
  if (x.pos !== y.pos) return x.pos < y.pos ? -1 : 1;
  return 0;
}
