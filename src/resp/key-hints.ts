// Where the keys of the next pipelined commands lie in the input, found
// ahead of parsing so the keyspace can read their memory all at once
// (Database.prefetch). A hint only: it takes the keys where the command's
// COMMAND INFO puts them (first key, last key, step: MGET's every argument,
// MSET's every other one) and stops at the first thing it does not expect;
// the parser decides what the bytes really are.
import { LastName } from './last-name.js';

const CR = 13;
/** Longest run of digits read as a count or length. */
const MAX_DIGITS = 10;

/** Where a command's keys are among its arguments: COMMAND INFO's first key, last key (negative: from the end) and step. */
export interface KeyPositions {
  readonly firstKey: number;
  readonly lastKey: number;
  readonly keyStep: number;
}

/** The key positions of the command named by buf[start, end), or null when it has no keys there (or is unknown). */
export type KeyPositionsOf = (buf: Buffer, start: number, end: number) => KeyPositions | null;

/** Whether positions give a range of keys (a command without keys has first key 0). */
export function hasKeyRange(positions: KeyPositions): boolean {
  return positions.firstKey > 0 && positions.keyStep > 0;
}

/** The index of the last key of a command of argc arguments: lastKey, counted from the end when negative. */
export function lastKeyIndex(positions: KeyPositions, argc: number): number {
  return positions.lastKey < 0 ? argc + positions.lastKey : Math.min(positions.lastKey, argc - 1);
}

export class KeyHints {
  /** Key i is buf[starts[i], ends[i]). */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  count = 0;
  /** Where the scan stopped: the end of the last whole command it went over. */
  scannedTo = 0;

  /** The key positions of a command name, null when it has no key range; the last name's are kept. */
  private readonly positions: LastName<KeyPositions | null>;

  constructor(
    /** Keys per scan at most. */
    readonly max: number,
    positionsOf: KeyPositionsOf,
  ) {
    this.starts = new Int32Array(max);
    this.ends = new Int32Array(max);
    this.positions = new LastName((buf, start, end) => {
      const found = positionsOf(buf, start, end);
      return found !== null && hasKeyRange(found) ? found : null;
    });
  }

  /**
   * Finds the keys of the whole RESP commands in buf from `from`, a
   * command's start, up to max keys. A command whose keys do not all fit is
   * left to the next scan, unless it is the first: then its first max keys
   * are taken.
   */
  scan(buf: Buffer, from: number): void {
    const end = buf.length;
    let pos = from;
    let n = 0;
    while (pos < end && buf[pos] === 42 /* * */) {
      let i = readNumber(buf, pos + 1);
      if (i < 0) break;
      const args = parsed;
      const before = n;
      let full = false;
      // The index of the argument that is the next key (-1: none), the last key's, the step.
      let nextKey = -1;
      let lastKey = 0;
      let step = 0;
      for (let arg = 0; arg < args; arg++) {
        i = i < end && buf[i] === 36 /* $ */ ? readNumber(buf, i + 1) : -1;
        if (i < 0) break;
        const argEnd = i + parsed;
        if (argEnd + 2 > end) {
          i = -1;
          break;
        }
        if (arg === 0) {
          const positions = this.positions.get(buf, i, argEnd);
          if (positions !== null) {
            lastKey = lastKeyIndex(positions, args);
            step = positions.keyStep;
            if (positions.firstKey <= lastKey) nextKey = positions.firstKey;
          }
        } else if (arg === nextKey) {
          if (n < this.max) {
            this.starts[n] = i;
            this.ends[n] = argEnd;
            n++;
          } else full = true;
          nextKey = arg + step <= lastKey ? arg + step : -1;
        }
        i = argEnd + 2;
      }
      if (i < 0 || (full && before > 0)) {
        n = before;
        break;
      }
      pos = i;
      if (full) break;
    }
    this.count = n;
    this.scannedTo = pos;
  }
}

/** The number readNumber read last. */
let parsed = 0;

/** Reads the decimal digits at pos up to CR LF into `parsed`; returns the position after LF, or -1. */
function readNumber(buf: Uint8Array, pos: number): number {
  let value = 0;
  const stop = Math.min(buf.length, pos + MAX_DIGITS);
  let i = pos;
  for (; i < stop; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
  }
  if (i === pos || buf[i] !== CR || i + 1 >= buf.length) return -1;
  parsed = value;
  return i + 2;
}
