// Where the keys of the next pipelined commands lie in the input, found
// ahead of parsing so the keyspace can read their memory all at once
// (Database.prefetch). A hint only: it takes the keys where the command's
// COMMAND INFO puts them (first key, last key, step: MGET's every argument,
// MSET's every other one) and stops at the first thing it does not expect;
// the parser decides what the bytes really are.

const CR = 13;
/** Longest run of digits read as a count or length. */
const MAX_DIGITS = 10;
/** Names longer than this are looked up each time instead of compared with the last one. */
const NAME_CACHE = 16;

/** Where a command's keys are among its arguments: COMMAND INFO's first key, last key (negative: from the end) and step. */
export interface KeyPositions {
  readonly firstKey: number;
  readonly lastKey: number;
  readonly keyStep: number;
}

/** The key positions of the command named by buf[start, end), or null when it has no keys there (or is unknown). */
export type KeyPositionsOf = (buf: Buffer, start: number, end: number) => KeyPositions | null;

export class KeyHints {
  /** Key i is buf[starts[i], ends[i]). */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  count = 0;
  /** Where the scan stopped: the end of the last whole command it went over. */
  scannedTo = 0;

  // The last command name seen and its key positions: pipelines repeat one command.
  private readonly lastName = new Uint8Array(NAME_CACHE);
  private lastNameLength = -1;
  private lastPositions: KeyPositions | null = null;

  constructor(
    /** Keys per scan at most. */
    readonly max: number,
    private readonly positionsOf: KeyPositionsOf,
  ) {
    this.starts = new Int32Array(max);
    this.ends = new Int32Array(max);
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
          const positions = this.keyPositions(buf, i, argEnd);
          if (positions !== null) {
            lastKey = positions.lastKey < 0 ? args + positions.lastKey : positions.lastKey;
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

  private keyPositions(buf: Buffer, start: number, end: number): KeyPositions | null {
    const length = end - start;
    const last = this.lastName;
    if (length === this.lastNameLength) {
      let i = 0;
      while (i < length && buf[start + i] === last[i]) i++;
      if (i === length) return this.lastPositions;
    }
    const found = this.positionsOf(buf, start, end);
    const positions = found !== null && found.firstKey > 0 && found.keyStep > 0 ? found : null;
    if (length <= NAME_CACHE) {
      for (let i = 0; i < length; i++) last[i] = buf[start + i];
      this.lastNameLength = length;
      this.lastPositions = positions;
    }
    return positions;
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
