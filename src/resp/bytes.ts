// Cheap Buffers for the hot path. A Buffer is a Uint8Array whose prototype
// chain holds Buffer.prototype; Node builds its own that way (FastBuffer).
// Making one directly skips what Buffer#subarray and Buffer.from go through
// (the species constructor, the generic array-like copy): measured here at
// 26 ns per view against 105 ns for subarray.

class BufferView extends Uint8Array {}
Object.setPrototypeOf(BufferView.prototype, Buffer.prototype);
// As FastBuffer's: code that compares constructors (deep equality) sees a Buffer.
Object.defineProperty(BufferView.prototype, 'constructor', { value: Buffer, writable: true, configurable: true });

/** A Buffer over buf's bytes [start, start + length), sharing its memory. */
export function view(buf: Buffer, start: number, length: number): Buffer {
  return viewOf(buf.buffer as ArrayBuffer, buf.byteOffset + start, length);
}

/**
 * A Buffer over memory's bytes [offset, offset + length). For many views of
 * one Buffer: reading its .buffer is a call into the runtime each time.
 */
export function viewOf(memory: ArrayBuffer, offset: number, length: number): Buffer {
  return new BufferView(memory, offset, length) as unknown as Buffer;
}

/** Runs up to this length are copied by a loop: for the short values of a pipeline, cheaper than a native call. */
const SHORT_COPY = 64;

/** Copies src's bytes [start, end) into dst at pos; returns where they end. */
export function copyRange(dst: Uint8Array, pos: number, src: Buffer, start: number, end: number): number {
  const n = end - start;
  if (n > SHORT_COPY) return pos + src.copy(dst, pos, start, end);
  for (let i = 0; i < n; i++) dst[pos + i] = src[start + i];
  return pos + n;
}

/** Runs up to this length are copied by copyWords's loop; beyond, a native copy is cheaper. */
const WORD_COPY = 256;

/**
 * copyRange between memory seen through DataViews, four bytes a step: a
 * 41-byte command took 15 ns against 60-70 for the byte loop or a native
 * copy. For a destination written many times from few sources (a log
 * frame), whose views are made once.
 */
export function copyWords(dst: DataView, pos: number, src: DataView, start: number, end: number): number {
  if (end - start > WORD_COPY) {
    new Uint8Array(dst.buffer, dst.byteOffset + pos, end - start).set(new Uint8Array(src.buffer, src.byteOffset + start, end - start));
    return pos + end - start;
  }
  // Little-endian, the machine's order: a copy either way, without byte swaps.
  let i = start;
  for (; i + 8 <= end; i += 8, pos += 8) {
    dst.setUint32(pos, src.getUint32(i, true), true);
    dst.setUint32(pos + 4, src.getUint32(i + 4, true), true);
  }
  if (i + 4 <= end) {
    dst.setUint32(pos, src.getUint32(i, true), true);
    i += 4;
    pos += 4;
  }
  for (; i < end; i++, pos++) dst.setUint8(pos, src.getUint8(i));
  return pos;
}

/** Writes s's latin1 bytes (one per character) into dst at pos; returns where they end. */
export function writeLatin1(dst: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n > SHORT_COPY) return pos + dst.write(s, pos, n, 'latin1');
  for (let i = 0; i < n; i++) dst[pos + i] = s.charCodeAt(i);
  return pos + n;
}

/** Values up to this size are copied into a shared slab, as Node pools small Buffers. */
const SLAB_VALUE_MAX = 1024;
const SLAB_SIZE = 8 * 1024;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabUsed = 0;

/**
 * A copy of src in memory of its own (a value to store: argv views the
 * socket chunk, which must not be kept alive by it). Small copies share an
 * 8 KiB slab, like Buffer.allocUnsafe's pool.
 */
export function copyBytes(src: Buffer): Buffer {
  const n = src.length;
  if (n > SLAB_VALUE_MAX) return Buffer.from(src);
  const copy = allocBytes(n);
  copyRange(copy, 0, src, 0, n);
  return copy;
}

/** n bytes of memory of their own, not zeroed (from the slab when small, as copyBytes). */
export function allocBytes(n: number): Buffer {
  if (n > SLAB_VALUE_MAX) return Buffer.allocUnsafe(n);
  if (slabUsed + n > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabUsed = 0;
  }
  const bytes = new BufferView(slab, slabUsed, n);
  // 8-byte alignment, as Node's pool keeps.
  slabUsed += (n + 7) & ~7;
  return bytes as unknown as Buffer;
}
