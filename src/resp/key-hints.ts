// Where the keys of the next pipelined commands lie in the input, found
// ahead of parsing so the keyspace can read their memory all at once
// (Database.prefetch). A hint only: it takes the second argument of each
// RESP command (the first key of nearly every command that has one) and
// stops at the first thing it does not expect; the parser decides what the
// bytes really are.

const CR = 13;
/** Longest run of digits read as a count or length. */
const MAX_DIGITS = 10;

export class KeyHints {
  /** Key i is buf[starts[i], ends[i]). */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  count = 0;
  /** Where the scan stopped: the end of the last whole command it went over. */
  scannedTo = 0;

  constructor(readonly max: number) {
    this.starts = new Int32Array(max);
    this.ends = new Int32Array(max);
  }

  /** Finds the keys of up to max whole RESP commands in buf from `from`, a command's start. */
  scan(buf: Uint8Array, from: number): void {
    const end = buf.length;
    let pos = from;
    let n = 0;
    while (n < this.max && pos < end && buf[pos] === 42 /* * */) {
      let i = readNumber(buf, pos + 1);
      if (i < 0) break;
      const args = parsed;
      let keyStart = -1;
      let keyEnd = -1;
      for (let arg = 0; arg < args; arg++) {
        i = i < end && buf[i] === 36 /* $ */ ? readNumber(buf, i + 1) : -1;
        if (i < 0) break;
        if (arg === 1) {
          keyStart = i;
          keyEnd = i + parsed;
        }
        i += parsed + 2;
        if (i > end) {
          i = -1;
          break;
        }
      }
      if (i < 0) break;
      if (keyStart >= 0) {
        this.starts[n] = keyStart;
        this.ends[n] = keyEnd;
        n++;
      }
      pos = i;
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
