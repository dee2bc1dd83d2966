// Commands as RESP arrays of bulk strings (log records, rewrites, snapshots).
// String arguments are latin1: one byte per character.
import { copyRange, writeLatin1 } from './bytes.js';
import { writeDecimal } from './integers.js';

/** Commands encoded back to back into one buffer that grows as needed. */
export class CommandWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(capacity = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, 16));
  }

  /** Bytes written since the last reset. */
  get length(): number {
    return this.pos;
  }

  command(argv: readonly (Buffer | string)[]): void {
    this.header(42 /* * */, argv.length);
    for (const arg of argv) {
      const n = arg.length;
      this.header(36 /* $ */, n);
      this.reserve(n + 2);
      const buf = this.buf;
      const pos = typeof arg === 'string' ? writeLatin1(buf, this.pos, arg) : copyRange(buf, this.pos, arg, 0, n);
      buf[pos] = 13;
      buf[pos + 1] = 10;
      this.pos = pos + 2;
    }
  }

  /** The bytes written since the last reset: a view that the next write overwrites. */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }

  /** Writes `*n\r\n` or `$n\r\n` (mark is the first byte). */
  private header(mark: number, n: number): void {
    this.reserve(24);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = mark;
    pos = writeDecimal(buf, pos, n);
    buf[pos] = 13;
    buf[pos + 1] = 10;
    this.pos = pos + 2;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}

/** argv as one RESP command, in a buffer of its own. */
export function encodeCommand(argv: readonly (Buffer | string)[]): Buffer {
  let size = 16;
  for (const arg of argv) size += arg.length + 16;
  const writer = new CommandWriter(size);
  writer.command(argv);
  return writer.bytes();
}
