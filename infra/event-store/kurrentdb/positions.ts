import type { Position as ClientPosition } from '@kurrent/kurrentdb-client';
import type { Position } from '../event-store.js';

const PREPARE_BITS = 64n;
const PREPARE_LIMIT = 1n << PREPARE_BITS;
const PREPARE_MASK = PREPARE_LIMIT - 1n;
/** Positions are below this: commit and prepare are unsigned 64-bit integers. */
export const POSITION_LIMIT = PREPARE_LIMIT << PREPARE_BITS;

/**
 * KurrentDB places an event in its log with two numbers, {commit, prepare}, compared
 * commit first. The port wants one bigint, so a position is `commit * 2^64 + prepare`:
 * both parts are unsigned 64-bit on the wire, so the encoding is exact both ways and
 * integer order equals log order.
 */
export function encodePosition(position: ClientPosition): Position {
  const { commit, prepare } = position;
  if (commit < 0n || prepare < 0n || prepare >= PREPARE_LIMIT || commit >= PREPARE_LIMIT) {
    throw new RangeError(`KurrentDB position out of range: commit ${commit}, prepare ${prepare}`);
  }
  return (commit << PREPARE_BITS) | prepare;
}

export function decodePosition(position: Position): ClientPosition {
  if (position < 0n || position >= POSITION_LIMIT) {
    throw new RangeError(`not a KurrentDB position: ${position}`);
  }
  return { commit: position >> PREPARE_BITS, prepare: position & PREPARE_MASK };
}

/** The larger of the positions that are known; undefined when none is. */
export function latest(...positions: (Position | undefined)[]): Position | undefined {
  let result: Position | undefined;
  for (const position of positions) {
    if (position !== undefined && (result === undefined || position > result)) result = position;
  }
  return result;
}
