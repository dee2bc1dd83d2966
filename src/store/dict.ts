// A Map with Redis's SCAN and random-key semantics. Lookups use the Map; a
// bucket index (power-of-two table of key lists, built on the first SCAN or
// random pick) gives the reverse-binary cursor of dict.c: every key present
// for a whole scan is returned at least once, even when the table grows or
// shrinks between calls.

const MIN_TABLE = 4;

/** FNV-1a over the key's latin1 code units. */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function reverseBits(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

export class Dict<V> {
  private readonly map = new Map<string, V>();
  private buckets: (string[] | undefined)[] | null = null;
  private mask = 0;

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Sets key to value; returns true when the key is new. */
  set(key: string, value: V): boolean {
    const size = this.map.size;
    this.map.set(key, value);
    if (this.map.size === size) return false;
    if (this.buckets) {
      if (this.map.size > this.buckets.length) this.rebuild();
      else this.bucketAdd(key);
    }
    return true;
  }

  delete(key: string): boolean {
    if (!this.map.delete(key)) return false;
    if (this.buckets) {
      const bucket = this.buckets[hashKey(key) & this.mask] as string[];
      const i = bucket.indexOf(key);
      bucket[i] = bucket[bucket.length - 1];
      bucket.pop();
      if (this.buckets.length > MIN_TABLE && this.map.size * 8 < this.buckets.length) this.rebuild();
    }
    return true;
  }

  clear(): void {
    this.map.clear();
    this.buckets = null;
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  entries(): IterableIterator<[string, V]> {
    return this.map.entries();
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.map.entries();
  }

  /**
   * Visits buckets from `cursor` until about `count` keys were emitted or the
   * table was covered; returns the next cursor (0 when done), as dictScan.
   */
  scan(cursor: number, count: number, emit: (key: string, value: V) => void): number {
    if (this.map.size === 0) return 0;
    const buckets = this.index();
    const mask = this.mask;
    let v = cursor >>> 0;
    let emitted = 0;
    let visits = count * 10; // dictScan's empty-bucket budget
    do {
      const bucket = buckets[v & mask];
      if (bucket) {
        for (const key of bucket) emit(key, this.map.get(key) as V);
        emitted += bucket.length;
      }
      v = (v | ~mask) >>> 0;
      v = reverseBits(v);
      v = (v + 1) >>> 0;
      v = reverseBits(v);
    } while (v !== 0 && emitted < count && --visits > 0);
    return v;
  }

  /** A random key (uniform over buckets first, as dictGetRandomKey). */
  randomKey(random: () => number = Math.random): string | undefined {
    if (this.map.size === 0) return undefined;
    const buckets = this.index();
    for (;;) {
      const bucket = buckets[Math.floor(random() * buckets.length)];
      if (bucket && bucket.length > 0) return bucket[Math.floor(random() * bucket.length)];
    }
  }

  private index(): (string[] | undefined)[] {
    if (!this.buckets) this.rebuild();
    return this.buckets as (string[] | undefined)[];
  }

  private rebuild(): void {
    let size = MIN_TABLE;
    while (size < this.map.size) size *= 2;
    this.buckets = new Array(size);
    this.mask = size - 1;
    for (const key of this.map.keys()) this.bucketAdd(key);
  }

  private bucketAdd(key: string): void {
    const buckets = this.buckets as (string[] | undefined)[];
    const i = hashKey(key) & this.mask;
    const bucket = buckets[i];
    if (bucket) bucket.push(key);
    else buckets[i] = [key];
  }
}
