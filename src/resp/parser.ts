// The request parser: RESP multibulk arrays and inline commands, with Redis's
// limits and protocol errors (networking.c: processMultibulkBuffer and
// processInlineBuffer). Arguments are Buffer views into the received chunk; a
// command that arrived whole also yields its raw RESP bytes for the log. A
// chunk is only lent to feed(): what the parser keeps past the call (the
// unparsed rest, the arguments of a command not complete yet) it copies, so
// the caller may read the next input into the same memory.
import { copyBytes, view, viewOf } from './bytes.js';
import { parseInteger } from './integers.js';
import { LastName, MAX_NAME } from './last-name.js';

/** Longest inline command, count line or bulk length line Redis waits for. */
export const INLINE_MAX = 64 * 1024;
export const DEFAULT_MAX_BULK = 512 * 1024 * 1024;
/** Before AUTH, Redis refuses larger requests outright. */
const UNAUTH_MAX_ARGS = 10;
const UNAUTH_MAX_BULK = 16384;
/** Bulks that must wait for at least this many bytes are gathered into memory of their size (Redis's PROTO_MBULK_BIG_ARG). */
const GATHER_MIN = 32 * 1024;
/** argv is allocated at its announced size up to this count (Redis's argv_len cap), grown beyond. */
const ARGV_PRESIZE_MAX = 1024;
/** argv between commands: never written (argc is 0), so one serves every parser. */
const NO_ARGS: Buffer[] = [];

const CR = 13;
const LF = 10;

export interface ParserSink {
  /**
   * A command. When it arrived whole in one buffer, source.subarray(start, end)
   * is its exact RESP bytes (for the log; made only when needed); else source is null.
   */
  command(argv: Buffer[], source: Buffer | null, start: number, end: number): void;
  /** A protocol error: reply with it and close the connection. */
  protocolError(message: string): void;
  /** Whether the client still has to authenticate (tighter limits). */
  readonly unauthenticated: boolean;
}

export class RequestParser {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes the pending data must reach before a parse can make progress. */
  private needBytes = 0;
  // State of a multibulk request spread over several chunks.
  private argsLeft = 0;
  private argv: Buffer[] = NO_ARGS;
  /** How many of argv are parsed. */
  private argc = 0;
  /** How many of argv are copies already (kept from an earlier chunk). */
  private ownedArgs = 0;
  /**
   * Command names, copied once: a pipeline repeats one name, so argv[0] is
   * the Buffer of the last name with the same bytes instead of a view per
   * command (see parseBulks).
   */
  private readonly names = new LastName((buf, start, end) => copyBytes(view(buf, start, end - start)));
  private rawStart = -1;
  private keepFrom = 0;
  private needExact = false;
  /** A big bulk's bytes, gathered until pendingBytes reaches its length. */
  private gathered: Buffer | null = null;
  /** Whether the buffer being parsed is the parser's own (else it is lent, and what is kept is copied). */
  private parsingOwn = false;
  private failed = false;

  constructor(private readonly sink: ParserSink, public maxBulk = DEFAULT_MAX_BULK) {}

  feed(chunk: Buffer): void {
    if (this.failed) return;
    if (this.gathered !== null) return this.gather(chunk);
    if (this.pendingBytes === 0) return this.parse(chunk, false);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.needBytes) {
      this.pending.push(copyBytes(chunk));
      return;
    }
    this.pending.push(chunk);
    const buf = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.parse(buf, true);
  }

  /** Copies chunk into the big bulk being gathered; parses it once whole, then the rest of chunk. */
  private gather(chunk: Buffer): void {
    const gathered = this.gathered as Buffer;
    const take = Math.min(chunk.length, gathered.length - this.pendingBytes);
    chunk.copy(gathered, this.pendingBytes, 0, take);
    this.pendingBytes += take;
    if (this.pendingBytes < gathered.length) return;
    this.gathered = null;
    this.pendingBytes = 0;
    this.parse(gathered, true);
    if (take < chunk.length) this.feed(view(chunk, take, chunk.length - take));
  }

  /** Bytes buffered but not yet parsed (for CLIENT LIST qbuf). */
  get buffered(): number {
    return this.pendingBytes;
  }

  // The memory under the buffer being parsed, read once for all its arguments.
  private memory = new ArrayBuffer(0);
  private memoryOffset = 0;

  /** own: buf is the parser's (gathered or concatenated), not a lent chunk. */
  private parse(buf: Buffer, own: boolean): void {
    this.parsingOwn = own;
    this.memory = buf.buffer as ArrayBuffer;
    this.memoryOffset = buf.byteOffset;
    let pos = 0;
    const end = buf.length;
    while (pos < end && !this.failed) {
      let next: number;
      if (this.argsLeft > 0) next = this.parseBulks(buf, pos);
      else if (buf[pos] === 42 /* * */) next = this.parseMultibulkHeader(buf, pos);
      else next = this.parseInline(buf, pos);
      if (next < 0) {
        if (!this.failed) this.keep(buf);
        return;
      }
      pos = next;
    }
  }

  /**
   * Records that parsing stopped at pos, short of input, and needs the data
   * from pos to reach `need` bytes before it can progress (exactly, for a
   * bulk's payload: then it can be gathered). Returns -1.
   */
  private incomplete(pos: number, need: number, exact = false): number {
    this.keepFrom = pos;
    this.needBytes = need;
    this.needExact = exact;
    return -1;
  }

  /** Keeps the unparsed rest of buf for the next chunk, and the arguments parsed so far: copies, when buf is lent. */
  private keep(buf: Buffer): void {
    // The raw bytes of a command in progress are not kept contiguous.
    this.rawStart = -1;
    const argv = this.argv;
    if (!this.parsingOwn) for (let i = this.ownedArgs; i < this.argc; i++) argv[i] = copyBytes(argv[i]);
    this.ownedArgs = this.argc;
    const rest = view(buf, this.keepFrom, buf.length - this.keepFrom);
    if (this.needExact && this.needBytes >= GATHER_MIN) {
      // As Redis reads a big argument: into memory of its announced size, copied once.
      this.gathered = Buffer.allocUnsafe(this.needBytes);
      this.pendingBytes = rest.copy(this.gathered);
      return;
    }
    const kept = this.parsingOwn ? rest : copyBytes(rest);
    this.pending = [kept];
    this.pendingBytes = kept.length;
  }

  private fail(message: string): number {
    this.failed = true;
    this.sink.protocolError(message);
    return -1;
  }

  /** Returns the new position, or -1 when incomplete (see incomplete()). */
  private parseMultibulkHeader(buf: Buffer, pos: number): number {
    const cr = findCR(buf, pos);
    if (cr < 0) {
      if (buf.length - pos > INLINE_MAX) return this.fail('Protocol error: too big mbulk count string');
      return this.incomplete(pos, buf.length - pos + 1);
    }
    if (cr + 1 >= buf.length) return this.incomplete(pos, cr - pos + 2);
    const count = parseInteger(buf, pos + 1, cr);
    if (count === null || count > 2147483647) return this.fail('Protocol error: invalid multibulk length');
    if (count > UNAUTH_MAX_ARGS && this.sink.unauthenticated) return this.fail('Protocol error: unauthenticated multibulk length');
    const next = cr + 2;
    if (count <= 0) return next;
    this.argsLeft = count;
    // Sized as announced up to a point, as Redis sizes its argv: a count alone must not take memory.
    this.argv = count <= ARGV_PRESIZE_MAX ? new Array<Buffer>(count) : [];
    this.argc = 0;
    this.ownedArgs = 0;
    this.rawStart = pos;
    return this.parseBulks(buf, next);
  }

  private parseBulks(buf: Buffer, pos: number): number {
    const end = buf.length;
    const maxBulk = this.sink.unauthenticated ? UNAUTH_MAX_BULK : this.maxBulk;
    while (this.argsLeft > 0) {
      if (pos >= end) return this.incomplete(pos, 1);
      const cr = findCR(buf, pos);
      if (cr < 0) {
        if (end - pos > INLINE_MAX) return this.fail('Protocol error: too big bulk count string');
        return this.incomplete(pos, end - pos + 1);
      }
      if (cr + 1 >= end) return this.incomplete(pos, cr - pos + 2);
      if (buf[pos] !== 36 /* $ */) {
        return this.fail(`Protocol error: expected '$', got '${String.fromCharCode(buf[pos])}'`);
      }
      const len = parseInteger(buf, pos + 1, cr);
      if (len === null || len < 0 || len > this.maxBulk) return this.fail('Protocol error: invalid bulk length');
      if (len > maxBulk) return this.fail('Protocol error: unauthenticated bulk length');
      const start = cr + 2;
      if (start + len + 2 > end) return this.incomplete(pos, start + len + 2 - pos, true);
      // Every object made per command is fresh memory the CPU must fetch
      // before writing it (perf of the real server put 10% of a pipelined
      // SET's time in making argument views): the short name a pipeline
      // repeats is shared instead.
      this.argv[this.argc] = this.argc === 0 && len <= MAX_NAME ? this.names.get(buf, start, start + len) : viewOf(this.memory, this.memoryOffset + start, len);
      this.argc++;
      pos = start + len + 2;
      this.argsLeft--;
    }
    const argv = this.argv;
    const rawStart = this.rawStart;
    this.argv = NO_ARGS;
    this.argc = 0;
    this.rawStart = -1;
    this.sink.command(argv, rawStart >= 0 ? buf : null, rawStart, pos);
    return pos;
  }

  private parseInline(buf: Buffer, pos: number): number {
    let lf = buf.indexOf(LF, pos);
    // Redis finds the newline with strchr: a NUL byte before it hides it, and
    // the line waits for more input until the inline limit.
    if (lf > pos) {
      const nul = buf.indexOf(0, pos);
      if (nul >= 0 && nul < lf) lf = -1;
    }
    if (lf < 0) {
      if (buf.length - pos > INLINE_MAX) return this.fail('Protocol error: too big inline request');
      return this.incomplete(pos, buf.length - pos + 1);
    }
    const lineEnd = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
    const argv = splitInlineArgs(buf, pos, lineEnd);
    if (argv === null) return this.fail('Protocol error: unbalanced quotes in request');
    if (argv.length > 0) this.sink.command(argv, null, 0, 0);
    return lf + 1;
  }
}

/** indexOf(CR) for the short lines of RESP headers: a JS loop beats the native call there. */
function findCR(buf: Buffer, from: number): number {
  const near = Math.min(buf.length, from + 24);
  for (let i = from; i < near; i++) if (buf[i] === CR) return i;
  return near === buf.length ? -1 : buf.indexOf(CR, near);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 11 || c === 12 || c === 0;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const ESCAPES: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 97: 7 };

/**
 * Redis's sdssplitargs: space-separated words, "double quotes" with \n \r \t \b
 * \a \xHH escapes, 'single quotes' with only \' escaped. A closing quote must
 * be followed by a space or the end. Returns null on unbalanced quotes.
 */
export function splitInlineArgs(buf: Uint8Array, start: number, end: number): Buffer[] | null {
  const args: Buffer[] = [];
  let p = start;
  for (;;) {
    while (p < end && isSpace(buf[p])) p++;
    if (p >= end) return args;
    const bytes: number[] = [];
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      if (inDouble) {
        if (p >= end) return null;
        const c = buf[p];
        if (c === 92 /* \ */ && p + 3 < end && buf[p + 1] === 120 /* x */ && hexValue(buf[p + 2]) >= 0 && hexValue(buf[p + 3]) >= 0) {
          bytes.push(hexValue(buf[p + 2]) * 16 + hexValue(buf[p + 3]));
          p += 3;
        } else if (c === 92 && p + 1 < end) {
          p++;
          bytes.push(ESCAPES[buf[p]] ?? buf[p]);
        } else if (c === 34 /* " */) {
          if (p + 1 < end && !isSpace(buf[p + 1])) return null;
          p++;
          break;
        } else bytes.push(c);
      } else if (inSingle) {
        if (p >= end) return null;
        const c = buf[p];
        if (c === 92 && p + 1 < end && buf[p + 1] === 39 /* ' */) {
          p++;
          bytes.push(39);
        } else if (c === 39) {
          if (p + 1 < end && !isSpace(buf[p + 1])) return null;
          p++;
          break;
        } else bytes.push(c);
      } else {
        if (p >= end) break;
        const c = buf[p];
        if (isSpace(c)) break;
        if (c === 34) inDouble = true;
        else if (c === 39) inSingle = true;
        else bytes.push(c);
      }
      p++;
    }
    args.push(Buffer.from(bytes));
  }
}
