// What the two hash tables (KeyTable for the keyspace, Dict for hashes and
// sets) share: the key hash, and dict.c's SCAN walk over power-of-two buckets.

// Per process, so that which keys share a bucket can't be worked out ahead.
const SEED = (Math.random() * 0x100000000) >>> 0;

/**
 * murmur3's finalizer: every input bit reaches the low bits a bucket mask
 * keeps. The result is a signed 32-bit integer, a small integer to V8: an
 * unsigned one above 2^31 would be a heap number, and the hash field of
 * every keyspace entry a pointer to one more object to load.
 */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Seeded FNV-1a over the key's latin1 code units, finished as above. */
export function hashString(key: string): number {
  let h = 0x811c9dc5 ^ SEED;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return finish(h);
}

/** hashString of the key whose latin1 bytes these are. */
export function hashBytes(bytes: Uint8Array): number {
  return hashRange(bytes, 0, bytes.length);
}

/** hashBytes(buf.subarray(start, end)), without the view. */
export function hashRange(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 ^ SEED;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return finish(h);
}

function reverseBits(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/**
 * dictScan over mask + 1 buckets: visits buckets from `cursor` in
 * reverse-binary order until about `count` keys were emitted or the table was
 * covered; visit(i) emits bucket i's keys and returns how many. Returns the
 * next cursor, 0 when done. Every key present for a whole scan is returned at
 * least once, even when the table grows or shrinks between calls.
 */
export function scanBuckets(cursor: number, count: number, mask: number, visit: (bucket: number) => number): number {
  let v = cursor >>> 0;
  let emitted = 0;
  let visits = count * 10; // dictScan's empty-bucket budget
  do {
    emitted += visit(v & mask);
    v = (v | ~mask) >>> 0;
    v = reverseBits(v);
    v = (v + 1) >>> 0;
    v = reverseBits(v);
  } while (v !== 0 && emitted < count && --visits > 0);
  return v;
}
