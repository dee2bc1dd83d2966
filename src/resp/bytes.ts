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
  if (n <= 32) for (let i = 0; i < n; i++) copy[i] = src[i];
  else copy.set(src);
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
