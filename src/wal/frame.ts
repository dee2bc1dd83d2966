// Batch framing of the write-ahead log. One frame holds one committed batch:
//
//   offset 0  magic     u32 LE
//          4  crc32     u32 LE  over bytes 8 .. end of body
//          8  body len  u32 LE
//         12  count     u32 LE
//         16  firstSeq  u64 LE  (entries are firstSeq, firstSeq + 1, ...)
//         24  body      count x ([u32 LE length][bytes])
//
// Segments are preallocated with zeros, so the scanner tells apart the clean
// end of the data (zeros), a torn tail (a bad frame with nothing but zeros
// after it: the last write, cut short by a crash) and corruption (a bad frame
// with data after it), which recovery must not silently skip.
import { crc32 } from 'node:zlib';
import { copyRange, copyWords } from '../resp/bytes.js';

export const FRAME_MAGIC = 0x31574456; // "VDW1" in file order
export const HEADER_SIZE = 24;
const LENGTH_PREFIX = 4;
const TWO_POW_32 = 0x1_0000_0000;

/** One log entry: a buffer, or parts written back to back (no concatenation). */
export type Payload = Buffer | readonly Buffer[];

export function payloadLength(payload: Payload): number {
  if (Buffer.isBuffer(payload)) return payload.length;
  let n = 0;
  for (const part of payload) n += part.length;
  return n;
}

/** Bytes an entry takes in a frame body. */
export function entrySize(payload: Payload): number {
  return LENGTH_PREFIX + payloadLength(payload);
}

/**
 * A frame built entry by entry. Each payload is copied in as it is added, so
 * the frame keeps nothing a payload pointed into: the log's records view the
 * socket's input, and held until the batch was sealed they kept those chunks
 * alive into the old generation.
 */
export class FrameBuilder {
  private frame: Buffer;
  private frameView: DataView;
  private pos = HEADER_SIZE;
  /** Entries added so far. */
  count = 0;
  // The buffer the last range came from, and a view of it: the commands of
  // a pipeline come from one chunk of input. One buffer at most is kept, and
  // only until the frame is finished (a batch's, at the end of its turn).
  private source: Buffer | null = null;
  private sourceView: DataView | null = null;

  /** capacity: the frame's expected size in bytes, header included (it grows as needed). */
  constructor(capacity = 4096) {
    this.frame = Buffer.allocUnsafe(Math.max(capacity, HEADER_SIZE));
    this.frameView = viewAsData(this.frame);
  }

  /** The frame's size so far, header included. */
  get length(): number {
    return this.pos;
  }

  add(payload: Payload): void {
    if (Buffer.isBuffer(payload)) return this.addRange(payload, 0, payload.length);
    let pos = this.reserve(payloadLength(payload));
    for (const part of payload) pos = copyRange(this.frame, pos, part, 0, part.length);
  }

  /** Adds buf's bytes [start, end) as one entry (no view of them needed). */
  addRange(buf: Buffer, start: number, end: number): void {
    const pos = this.reserve(end - start); // first: it may grow the frame
    if (buf !== this.source) {
      this.source = buf;
      this.sourceView = viewAsData(buf);
    }
    copyWords(this.frameView, pos, this.sourceView as DataView, start, end);
  }

  /** Makes room for an entry of `length` bytes and writes its length prefix; returns where its bytes go. */
  private reserve(length: number): number {
    const pos = this.pos;
    const end = pos + LENGTH_PREFIX + length;
    if (end > this.frame.length) this.grow(end);
    this.frameView.setUint32(pos, length, true);
    this.pos = end;
    this.count++;
    return pos + LENGTH_PREFIX;
  }

  /** The finished frame (header and CRC written); nothing is added after. */
  finish(firstSeq: number): Buffer {
    this.source = this.sourceView = null;
    const frame = this.frame.subarray(0, this.pos);
    frame.writeUInt32LE(FRAME_MAGIC, 0);
    frame.writeUInt32LE(this.pos - HEADER_SIZE, 8);
    frame.writeUInt32LE(this.count, 12);
    frame.writeUInt32LE(firstSeq % TWO_POW_32, 16);
    frame.writeUInt32LE(Math.floor(firstSeq / TWO_POW_32), 20);
    frame.writeUInt32LE(crc32(frame.subarray(8)), 4);
    return frame;
  }

  private grow(needed: number): void {
    let size = this.frame.length * 2;
    while (size < needed) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.frame.copy(bigger, 0, 0, this.pos);
    this.frame = bigger;
    this.frameView = viewAsData(bigger);
  }
}

function viewAsData(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Encodes one frame into a single new Buffer; each payload byte is copied
 * once. bodyBytes is the sum of entrySize() over entries, when the caller
 * knows it (checked).
 */
export function encodeFrame(firstSeq: number, entries: readonly Payload[], bodyBytes = sumEntrySizes(entries)): Buffer {
  const builder = new FrameBuilder(HEADER_SIZE + bodyBytes);
  for (const payload of entries) builder.add(payload);
  const encoded = builder.length - HEADER_SIZE;
  if (encoded !== bodyBytes) throw new RangeError(`encodeFrame: bodyBytes ${bodyBytes} does not match the entries (${encoded})`);
  return builder.finish(firstSeq);
}

function sumEntrySizes(entries: readonly Payload[]): number {
  let n = 0;
  for (const payload of entries) n += entrySize(payload);
  return n;
}

export interface DecodedFrame {
  /** File offset of the frame's header. */
  offset: number;
  /** Offset just past the frame. */
  end: number;
  firstSeq: number;
  /** Views into the scanned buffer. */
  entries: Buffer[];
}

export type ScanEnd =
  /** Everything after the last frame is zero (or there is nothing). */
  | { kind: 'clean' }
  /** A bad frame at offset followed only by zeros or the end of the file. */
  | { kind: 'torn'; offset: number; reason: string }
  /** A bad frame at offset with more data after it. */
  | { kind: 'corrupt'; offset: number; reason: string };

export interface SegmentScan {
  frames: DecodedFrame[];
  /** Offset just past the last valid frame: where the next frame goes. */
  end: number;
  tail: ScanEnd;
}

/** Reads frames from offset 0 until the data ends or stops making sense. */
export function scanSegment(buf: Buffer): SegmentScan {
  const frames: DecodedFrame[] = [];
  let off = 0;
  while (off < buf.length) {
    const result = readFrame(buf, off);
    if ('frame' in result) {
      frames.push(result.frame);
      off = result.next;
      continue;
    }
    if (isZeroFrom(buf, off)) break;
    // A torn write leaves its first bytes and zeros (or the end of file) after
    // them. Data past the frame's extent, or a valid frame inside a damaged
    // length's reach, proves that something was written after it.
    const torn = result.tearable && isZeroFrom(buf, result.extentEnd) && !validFrameAfter(buf, off + 4);
    return { frames, end: off, tail: { kind: torn ? 'torn' : 'corrupt', offset: off, reason: result.reason } };
  }
  return { frames, end: off, tail: { kind: 'clean' } };
}

type FrameResult =
  | { frame: DecodedFrame; next: number }
  /** extentEnd: where the bad frame claims (or may claim) to end. */
  | { reason: string; extentEnd: number; tearable: boolean };

function readFrame(buf: Buffer, off: number): FrameResult {
  if (buf.length - off < HEADER_SIZE) return { reason: 'incomplete frame header', extentEnd: buf.length, tearable: true };
  if (buf.readUInt32LE(off) !== FRAME_MAGIC) return { reason: 'bad frame magic', extentEnd: off + 4, tearable: true };
  const bodyBytes = buf.readUInt32LE(off + 8);
  const end = off + HEADER_SIZE + bodyBytes;
  if (end > buf.length) return { reason: 'frame length past end of file', extentEnd: buf.length, tearable: true };
  if (crc32(buf.subarray(off + 8, end)) !== buf.readUInt32LE(off + 4)) return { reason: 'frame checksum mismatch', extentEnd: end, tearable: true };
  const count = buf.readUInt32LE(off + 12);
  const firstSeq = buf.readUInt32LE(off + 20) * TWO_POW_32 + buf.readUInt32LE(off + 16);
  const entries: Buffer[] = [];
  let pos = off + HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const len = pos + LENGTH_PREFIX <= end ? buf.readUInt32LE(pos) : -1;
    if (len < 0 || pos + LENGTH_PREFIX + len > end) break;
    pos += LENGTH_PREFIX;
    entries.push(buf.subarray(pos, pos + len));
    pos += len;
  }
  // A checksummed frame whose entries do not fill its body exactly was
  // written wrong, not torn.
  if (entries.length !== count || pos !== end) return { reason: 'frame entries do not match its body', extentEnd: end, tearable: false };
  return { frame: { offset: off, end, firstSeq, entries }, next: end };
}

const MAGIC_BYTES = Buffer.alloc(4);
MAGIC_BYTES.writeUInt32LE(FRAME_MAGIC);

function validFrameAfter(buf: Buffer, from: number): boolean {
  for (let at = buf.indexOf(MAGIC_BYTES, from); at >= 0; at = buf.indexOf(MAGIC_BYTES, at + 1)) {
    if ('frame' in readFrame(buf, at)) return true;
  }
  return false;
}

const ZEROS = Buffer.alloc(1 << 20);

/** Whether buf holds only zero bytes from offset from to its end. */
export function isZeroFrom(buf: Buffer, from: number): boolean {
  for (let pos = from; pos < buf.length; pos += ZEROS.length) {
    const end = Math.min(buf.length, pos + ZEROS.length);
    if (buf.compare(ZEROS, 0, end - pos, pos, end) !== 0) return false;
  }
  return true;
}
