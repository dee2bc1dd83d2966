// A Map with Redis's SCAN and random-key semantics. Lookups use the Map; a
// bucket index (power-of-two table of key lists, built on the first SCAN or
// random pick) gives the reverse-binary cursor of dict.c: every key present
// for a whole scan is returned at least once, even when the table grows or
// shrinks between calls.
import { hashString, scanBuckets } from './hash-buckets.js';

const MIN_TABLE = 4;

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
      const bucket = this.buckets[hashString(key) & this.mask] as string[];
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
    return scanBuckets(cursor, count, this.mask, (i) => {
      const bucket = buckets[i];
      if (!bucket) return 0;
      for (const key of bucket) emit(key, this.map.get(key) as V);
      return bucket.length;
    });
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
    const i = hashString(key) & this.mask;
    const bucket = buckets[i];
    if (bucket) bucket.push(key);
    else buckets[i] = [key];
  }
}
