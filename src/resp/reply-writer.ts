// The reply encoder: RESP2 and RESP3 replies appended to a connection's output.
// Bytes go into a large buffer that is handed out by reference (no copy) when
// released; a held prefix (replies waiting for durability) is released later
// by global byte offset, so replies keep their order on the connection.
import { formatDouble } from './double.js';
import { copyRange, writeLatin1 } from './bytes.js';
import { writeDecimal } from './integers.js';
import { isSharedInput } from '../server/input.js';

const CHUNK = 16 * 1024;
/** Bulk values at least this long are queued by reference instead of copied (but for the input's, which the next read overwrites). */
const REFERENCE_BULK = 16 * 1024;

const SHARED = {
  ok: Buffer.from('+OK\r\n'),
  queued: Buffer.from('+QUEUED\r\n'),
  zero: Buffer.from(':0\r\n'),
  one: Buffer.from(':1\r\n'),
  nullBulk2: Buffer.from('$-1\r\n'),
  nullArray2: Buffer.from('*-1\r\n'),
  null3: Buffer.from('_\r\n'),
  crlf: Buffer.from('\r\n'),
};

export class ReplyWriter {
  /** Protocol version chosen with HELLO. */
  resp: 2 | 3 = 2;
  /** Number of error replies written so far (the dispatcher diffs it). */
  errors = 0;
  /** Called with each error reply's text, for INFO errorstats. */
  onError: ((message: string) => void) | null = null;

  private buf = Buffer.allocUnsafe(CHUNK);
  private start = 0;
  private pos = 0;
  /** Finished pieces not yet released, oldest first. */
  private queued: Buffer[] = [];
  /** Global offset of the first unreleased byte, and of the next byte written. */
  private released = 0;
  private total = 0;

  /** Global offset of the next byte to be written. */
  get offset(): number {
    return this.total;
  }

  /** Global offset of the first byte not released yet. */
  get releasedOffset(): number {
    return this.released;
  }

  get pendingBytes(): number {
    return this.total - this.released;
  }

  /** Takes the bytes up to global offset `upTo` (default: all) for the socket. */
  release(upTo = this.total): Buffer[] {
    const out: Buffer[] = [];
    while (this.released < upTo) {
      const want = upTo - this.released;
      const head = this.queued[0];
      let piece: Buffer;
      if (head) {
        piece = head.length <= want ? (this.queued.shift() as Buffer) : head.subarray(0, want);
        if (piece !== head) this.queued[0] = head.subarray(want);
      } else {
        piece = this.buf.subarray(this.start, this.start + want);
        this.start += want;
      }
      out.push(piece);
      this.released += piece.length;
    }
    return out;
  }

  /**
   * The caller is done with every piece release() gave out (the socket has
   * them all): when nothing is left unreleased, the next reply is written at
   * the start of the buffer again, as Redis reuses a client's reply buffer.
   * Replies then stay in the same few cache lines, and a new buffer is
   * needed only when one read's replies outgrow it.
   */
  reuse(): void {
    // Everything released means the queued pieces went out too.
    if (this.released === this.total) this.start = this.pos = 0;
  }

  /** Drops everything written after global offset `from` (CLIENT REPLY, failed writes). */
  truncate(from: number): void {
    const excess = this.total - from;
    if (excess <= 0) return;
    if (this.queued.length > 0) {
      // Rare (a big reply was queued): flatten the unreleased part and cut it.
      const kept = Buffer.concat([...this.queued, this.buf.subarray(this.start, this.pos)]).subarray(0, from - this.released);
      this.queued = kept.length ? [kept] : [];
      this.start = this.pos;
    } else {
      this.pos -= excess;
    }
    this.total = from;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.pos > this.start) this.queued.push(this.buf.subarray(this.start, this.pos));
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK, n));
    this.start = this.pos = 0;
  }

  private ascii(s: string): void {
    const n = s.length;
    this.reserve(n);
    this.pos = writeLatin1(this.buf, this.pos, s);
    this.total += n;
  }

  private bytes(b: Buffer): void {
    if (b.length >= REFERENCE_BULK && !isSharedInput(b)) {
      if (this.pos > this.start) this.queued.push(this.buf.subarray(this.start, this.pos));
      this.start = this.pos;
      this.queued.push(b);
    } else {
      const n = b.length;
      this.reserve(n);
      this.pos = copyRange(this.buf, this.pos, b, 0, n);
    }
    this.total += b.length;
  }

  /** `<type><n>\r\n` for n >= 0, with the digits written directly. */
  private header(type: number, n: number): void {
    this.reserve(24);
    const buf = this.buf;
    let pos = this.pos;
    const start = pos;
    buf[pos++] = type;
    if (n < 10) buf[pos++] = 48 + n;
    else pos = writeDecimal(buf, pos, n);
    buf[pos++] = 13;
    buf[pos++] = 10;
    this.total += pos - start;
    this.pos = pos;
  }

  ok(): void {
    this.bytes(SHARED.ok);
  }

  queuedReply(): void {
    this.bytes(SHARED.queued);
  }

  simple(s: string): void {
    this.ascii(`+${s}\r\n`);
  }

  error(message: string): void {
    this.errors++;
    this.onError?.(message);
    this.ascii(`-${message}\r\n`);
  }

  integer(n: number | bigint): void {
    if (n === 0) this.bytes(SHARED.zero);
    else if (n === 1) this.bytes(SHARED.one);
    else if (typeof n === 'number' && n > 0 && n <= Number.MAX_SAFE_INTEGER) this.header(58 /* : */, n);
    else this.ascii(`:${n}\r\n`);
  }

  /** A bulk string from bytes, or from a latin1 string (keys, members). */
  bulk(value: Buffer | string): void {
    if (typeof value === 'string') {
      this.ascii(`$${value.length}\r\n${value}\r\n`);
      return;
    }
    this.header(36 /* $ */, value.length);
    this.bytes(value);
    this.bytes(SHARED.crlf);
  }

  /** A bulk reply or null. */
  bulkOrNull(value: Buffer | string | null | undefined): void {
    if (value == null) this.nullBulk();
    else this.bulk(value);
  }

  nullBulk(): void {
    this.bytes(this.resp === 2 ? SHARED.nullBulk2 : SHARED.null3);
  }

  nullArray(): void {
    this.bytes(this.resp === 2 ? SHARED.nullArray2 : SHARED.null3);
  }

  array(length: number): void {
    this.header(42 /* * */, length);
  }

  /** A map of `pairs` entries: RESP3 `%`, RESP2 a flat array. */
  map(pairs: number): void {
    this.ascii(this.resp === 3 ? `%${pairs}\r\n` : `*${pairs * 2}\r\n`);
  }

  set(length: number): void {
    this.ascii(this.resp === 3 ? `~${length}\r\n` : `*${length}\r\n`);
  }

  /** Out-of-band data (pub/sub messages): RESP3 push, RESP2 array. */
  push(length: number): void {
    this.ascii(this.resp === 3 ? `>${length}\r\n` : `*${length}\r\n`);
  }

  double(d: number): void {
    const text = formatDouble(d);
    if (this.resp === 3) this.ascii(`,${text}\r\n`);
    else this.bulk(text);
  }

  boolean(b: boolean): void {
    if (this.resp === 3) this.ascii(b ? '#t\r\n' : '#f\r\n');
    else this.integer(b ? 1 : 0);
  }

  /** Text meant for humans (INFO, CLIENT LIST): RESP3 verbatim string, RESP2 bulk. */
  verbatim(text: string): void {
    if (this.resp === 3) this.ascii(`=${Buffer.byteLength(text, 'latin1') + 4}\r\ntxt:${text}\r\n`);
    else this.bulk(text);
  }

  /** A list of bulk strings. */
  bulkArray(items: readonly (Buffer | string)[]): void {
    this.array(items.length);
    for (const item of items) this.bulk(item);
  }

  /** Bytes that are already a complete RESP reply. */
  raw(reply: Buffer): void {
    this.bytes(reply);
  }
}
