// The keyspace's hash table, chained through the entries themselves as
// dict.c chains dictEntry: a power-of-two array of buckets, each entry holding
// its key, the key's hash and the next entry of its bucket. A lookup touches
// the bucket, the entry and the key's characters, one cache line fewer than a
// Map plus an entry object, and it can take the key as the request's bytes,
// without making a string (getBytes). Measured with bench/dispatch.ts (SET
// over 100K keys), the Map's lookup was a quarter of all the time.
//
// SCAN walks the buckets with dict.c's reverse-binary cursor: every key
// present for a whole scan is returned at least once, even when the table
// grows or shrinks between calls. Iteration follows the buckets too and, as
// dict.c's safe iterator, holds off resizing until it ends: the entry just
// visited may be deleted (KEYS expires keys as it goes).
//
// A capture (beginCapture) hands out every entry as it was when the capture
// began, once, while the table goes on changing: the point-in-time walk of a
// snapshot spread over many turns, without fork's copy-on-write. It walks the
// buckets in order, and the table keeps its size until it is done, so a
// bucket below the cursor has been walked. An entry in a bucket not walked
// yet is handed out before anything can change it: when it is looked up (a
// write looks its key up first), replaced or deleted. A key stored that was
// not there is noted, so that the walk leaves it out.
import { hashBytes, hashRange, hashString, scanBuckets } from './hash-buckets.js';

const MIN_BUCKETS = 4;
/** Scratch for KeyTable.prefetch. */
let prefetchHashes = new Int32Array(32);
/** Scratch for captureStep: the entries of a step, let go right after. */
const stepEntries: unknown[] = [];
/** How far down a bucket prefetch follows a key: buckets hold about one entry. */
const PREFETCH_MAX_STEPS = 4;

/** What an entry of the table carries for it. */
export interface Chained<E> {
  key: string;
  hash: number;
  /** The next entry of the bucket; undefined while the entry is in no table. */
  next: E | null | undefined;
}

function sameBytes(key: string, bytes: Uint8Array): boolean {
  if (key.length !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (key.charCodeAt(i) !== bytes[i]) return false;
  return true;
}

interface Capture<E> {
  take: (entry: E) => void;
  /** Reads ahead what take will read of each of a step's entries (see captureStep). */
  readAhead: (entries: readonly E[], count: number) => number;
  /** Buckets below it have been walked. */
  cursor: number;
  /** Keys of buckets not walked yet whose entries were handed out already or were not there. */
  settled: Set<string>;
}

export class KeyTable<E extends Chained<E>> {
  private buckets: (E | null)[] = new Array<E | null>(MIN_BUCKETS).fill(null);
  private mask = MIN_BUCKETS - 1;
  private count = 0;
  /** Iterations under way: the table keeps its size until they end. */
  private iterating = 0;
  /** The entry found or stored last, while it is in the table (see getRecent). */
  private recent: E | null = null;
  private capture: Capture<E> | null = null;

  get size(): number {
    return this.count;
  }

  get(key: string): E | undefined {
    const hash = hashString(key);
    for (let e: E | null | undefined = this.buckets[hash & this.mask]; e != null; e = e.next) {
      if (e.hash === hash && e.key === key) {
        if (this.capture !== null) this.captureEntry(e);
        return (this.recent = e);
      }
    }
    return undefined;
  }

  /**
   * get(key), without hashing the key again when its entry is the one found
   * or stored last: a write's key, looked up once more when the write is
   * logged, to stamp its entry.
   */
  getRecent(key: string): E | undefined {
    const e = this.recent;
    return e !== null && e.key === key ? e : this.get(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** The entry whose key has these bytes (latin1), as get(bytes.toString('latin1')). */
  getBytes(bytes: Uint8Array): E | undefined {
    const hash = hashBytes(bytes);
    for (let e: E | null | undefined = this.buckets[hash & this.mask]; e != null; e = e.next) {
      if (e.hash === hash && sameBytes(e.key, bytes)) {
        if (this.capture !== null) this.captureEntry(e);
        return (this.recent = e);
      }
    }
    return undefined;
  }

  /**
   * Reads ahead what getBytes will read for several keys at once (key i is
   * buf[starts[i], ends[i])): its bucket, the entries of the bucket up to the
   * one with the key's hash, and that entry's key. Each is a likely cache
   * miss, and one key's loads do not wait for another's, so going over all
   * keys pass by pass, one step down every chain at a time, overlaps the
   * misses that lookups one at a time would wait for in turn. found[i] gets
   * the entry key i likely has (null if none). Returns a number made of what
   * was read, for the caller to keep: loads nobody uses may be left out.
   */
  prefetch(buf: Uint8Array, starts: Int32Array, ends: Int32Array, count: number, found: (E | null)[]): number {
    // Hashing first leaves loops of loads alone, as many in flight as the CPU can hold.
    if (prefetchHashes.length < count) prefetchHashes = new Int32Array(count);
    const hashes = prefetchHashes;
    for (let i = 0; i < count; i++) hashes[i] = hashRange(buf, starts[i], ends[i]);
    const buckets = this.buckets;
    const mask = this.mask;
    for (let i = 0; i < count; i++) found[i] = buckets[hashes[i] & mask];
    // A third of the keys are not first in their bucket at the table's fullest.
    for (let step = 0, walking = true; walking && step < PREFETCH_MAX_STEPS; step++) {
      walking = false;
      for (let i = 0; i < count; i++) {
        const e = found[i];
        if (e === null || e.hash === hashes[i]) continue;
        found[i] = e.next as E | null;
        walking = true;
      }
    }
    let touched = 0;
    for (let i = 0; i < count; i++) {
      const e = found[i];
      // The key's last character: a string's characters may run into the next cache line.
      if (e !== null) touched += e.key.charCodeAt(e.key.length - 1) | 0;
    }
    return touched;
  }

  /**
   * Puts entry under key, in place of the key's entry if it has one; returns
   * true when the key is new. The entry may not be in a table already.
   */
  set(key: string, entry: E): boolean {
    const hash = hashString(key);
    const bucket = hash & this.mask;
    let previous: E | null = null;
    for (let e: E | null | undefined = this.buckets[bucket]; e != null; previous = e, e = e.next) {
      if (e.hash !== hash || e.key !== key) continue;
      if (e === entry) return false;
      if (this.capture !== null) this.captureEntry(e);
      this.link(entry, key, hash, e.next as E | null);
      if (previous) previous.next = entry;
      else this.buckets[bucket] = entry;
      e.next = undefined;
      this.recent = entry;
      return false;
    }
    if (this.capture !== null) this.captureAbsent(key, bucket);
    this.link(entry, key, hash, this.buckets[bucket]);
    this.buckets[bucket] = entry;
    this.recent = entry;
    this.count++;
    this.fitSize();
    return true;
  }

  private link(entry: E, key: string, hash: number, next: E | null): void {
    if (entry.next !== undefined) throw new Error(`the entry for ${JSON.stringify(entry.key)} is in a table already`);
    entry.key = key;
    entry.hash = hash;
    entry.next = next;
  }

  delete(key: string): boolean {
    const hash = hashString(key);
    const bucket = hash & this.mask;
    let previous: E | null = null;
    for (let e: E | null | undefined = this.buckets[bucket]; e != null; previous = e, e = e.next) {
      if (e.hash !== hash || e.key !== key) continue;
      if (this.capture !== null) this.captureEntry(e);
      if (previous) previous.next = e.next;
      else this.buckets[bucket] = e.next as E | null;
      e.next = undefined;
      if (e === this.recent) this.recent = null;
      this.count--;
      this.fitSize();
      return true;
    }
    return false;
  }

  *entries(): IterableIterator<[string, E]> {
    for (const e of this.walk()) yield [e.key, e];
  }

  *keys(): IterableIterator<string> {
    for (const e of this.walk()) yield e.key;
  }

  [Symbol.iterator](): IterableIterator<[string, E]> {
    return this.entries();
  }

  /** Every entry, bucket by bucket; reads each link before handing out the entry. */
  private *walk(): IterableIterator<E> {
    this.iterating++;
    try {
      const buckets = this.buckets;
      for (let i = 0; i < buckets.length; i++) {
        for (let e: E | null | undefined = buckets[i]; e != null; ) {
          const next: E | null | undefined = e.next;
          yield e;
          e = next;
        }
      }
    } finally {
      this.iterating--;
      this.fitSize();
    }
  }

  /**
   * Visits buckets from `cursor` until about `count` keys were emitted or the
   * table was covered; returns the next cursor (0 when done), as dictScan.
   */
  scan(cursor: number, count: number, emit: (key: string, entry: E) => void): number {
    if (this.count === 0) return 0;
    const buckets = this.buckets;
    return scanBuckets(cursor, count, this.mask, (bucket) => {
      let emitted = 0;
      for (let e: E | null | undefined = buckets[bucket]; e != null; e = e.next, emitted++) emit(e.key, e);
      return emitted;
    });
  }

  /** A random key: a random non-empty bucket, then a random entry of it (dictGetRandomKey). */
  randomKey(random: () => number = Math.random): string | undefined {
    if (this.count === 0) return undefined;
    for (;;) {
      let e = this.buckets[Math.floor(random() * this.buckets.length)];
      if (e == null) continue;
      let length = 0;
      for (let x: E | null | undefined = e; x != null; x = x.next) length++;
      for (let skip = Math.floor(random() * length); skip > 0; skip--) e = e.next as E;
      return e.key;
    }
  }

  /**
   * Starts handing every entry, as it is now, to `take`, once: from
   * captureStep, or earlier, before it changes (see the top of this file).
   * The table keeps its size until the capture ends. readAhead is given
   * each step's entries before take: see captureStep.
   */
  beginCapture(take: (entry: E) => void, readAhead: (entries: readonly E[], count: number) => number = () => 0): void {
    if (this.capture !== null) throw new Error('the table is being captured already');
    this.capture = { take, readAhead, cursor: 0, settled: new Set() };
    this.iterating++;
  }

  /** What the capture's reading ahead read, kept so that its loads are not optimized away. */
  readAheadSink = 0;

  /**
   * Walks the capture on over up to `buckets` buckets; true once it has
   * covered the table (and ended). Each entry, its key and what take reads
   * of it are likely cache misses (600 ns a string key at 200,000 keys,
   * taken one by one): the step gathers its entries first, then reads their
   * keys, then lets readAhead read the rest, so that each pass's misses
   * overlap, as prefetch's do.
   */
  captureStep(buckets: number): boolean {
    const capture = this.capture;
    if (capture === null) return true;
    const end = Math.min(this.buckets.length, capture.cursor + buckets);
    const entries = stepEntries as E[];
    let count = 0;
    for (let i = capture.cursor; i < end; i++) {
      for (let e: E | null | undefined = this.buckets[i]; e != null; e = e.next) entries[count++] = e;
    }
    const gathered = count;
    let touched = 0;
    for (let i = 0; i < count; i++) touched += entries[i].key.length;
    const settled = capture.settled;
    if (settled.size > 0) {
      let kept = 0;
      for (let i = 0; i < count; i++) if (!settled.has(entries[i].key)) entries[kept++] = entries[i];
      count = kept;
    }
    this.readAheadSink = touched + capture.readAhead(entries, count);
    for (let i = 0; i < count; i++) capture.take(entries[i]);
    for (let i = 0; i < gathered; i++) stepEntries[i] = null;
    capture.cursor = end;
    if (end < this.buckets.length) return false;
    this.endCapture();
    return true;
  }

  /** Ends the capture, done or not. */
  endCapture(): void {
    if (this.capture === null) return;
    this.capture = null;
    this.iterating--;
    this.fitSize();
  }

  /**
   * Whether the running capture has what key held when it began (true when
   * none runs): a write that changed key without the table seeing the key
   * first would make this false.
   */
  captured(key: string): boolean {
    const capture = this.capture;
    return capture === null || (hashString(key) & this.mask) < capture.cursor || capture.settled.has(key);
  }

  /** Hands out e before it changes, unless it was walked or handed out already. */
  private captureEntry(e: E): void {
    const capture = this.capture as Capture<E>;
    if ((e.hash & this.mask) < capture.cursor || capture.settled.has(e.key)) return;
    capture.settled.add(e.key);
    capture.take(e);
  }

  /** A key about to be stored in `bucket` was not there: the walk must leave it out. */
  private captureAbsent(key: string, bucket: number): void {
    const capture = this.capture as Capture<E>;
    if (bucket >= capture.cursor) capture.settled.add(key);
  }

  /** Grows to hold one entry per bucket at most; shrinks below one per 8 buckets (dict.c's ratios). */
  private fitSize(): void {
    if (this.iterating > 0) return;
    let size = this.buckets.length;
    while (this.count > size) size *= 2;
    while (size > MIN_BUCKETS && this.count * 8 < size) size /= 2;
    if (size !== this.buckets.length) this.resize(size);
  }

  private resize(size: number): void {
    const old = this.buckets;
    this.buckets = new Array<E | null>(size).fill(null);
    this.mask = size - 1;
    for (let i = 0; i < old.length; i++) {
      for (let e: E | null | undefined = old[i]; e != null; ) {
        const next: E | null | undefined = e.next;
        const bucket = e.hash & this.mask;
        e.next = this.buckets[bucket];
        this.buckets[bucket] = e;
        e = next;
      }
    }
  }
}
