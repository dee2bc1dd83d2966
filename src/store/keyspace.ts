// The databases: each a KeyTable of entries plus a Map of absolute expiry times (ms).
// Expiry is lazy on access plus an active cycle with a time budget. The clock
// is passed in (Keyspace.now), so replay and tests control time.
import type { Dict } from './dict.js';
import { KeyTable } from './key-table.js';
import type { Deque } from './deque.js';
import type { SortedSet } from './sorted-set.js';

export interface ValueTypes {
  string: Buffer;
  list: Deque<Buffer>;
  hash: Dict<Buffer>;
  set: Dict<null>;
  zset: SortedSet;
}
export type TypeName = keyof ValueTypes;

/**
 * A key's value; `lru` is its last access in whole seconds (Keyspace.lruClock, for OBJECT IDLETIME);
 * `seq` the log record that last wrote it (0: none since start), so that a
 * read of it can wait until that record is durable. `key`, `hash` and `next`
 * belong to the KeyTable that holds the entry.
 */
export type KeyEntry = {
  [T in TypeName]: { type: T; value: ValueTypes[T]; lru: number; seq: number; key: string; hash: number; next: KeyEntry | null | undefined };
}[TypeName];

/** A new entry, in no table yet (all made here, so they share one shape). */
export function newEntry<T extends TypeName>(type: T, value: ValueTypes[T], lru: number): Extract<KeyEntry, { type: T }> {
  return { type, value, lru, seq: 0, key: '', hash: 0, next: undefined } as Extract<KeyEntry, { type: T }>;
}

/**
 * Reads the first byte of the string values of entries[0, count) (null
 * entries are skipped): one pass over many entries overlaps the cache misses
 * of their values. Returns a number made of what was read, for the caller to
 * keep: loads nobody uses may be left out.
 */
export function readValuesAhead(entries: readonly (KeyEntry | null)[], count: number): number {
  let touched = 0;
  for (let i = 0; i < count; i++) {
    const e = entries[i];
    if (e !== null && e.type === 'string' && e.value.length > 0) touched += e.value[0];
  }
  return touched;
}

/** Scratch for Database.prefetch: the entries it reads, let go right after. */
const PREFETCH_FOUND: (KeyEntry | null)[] = [];

export class Database {
  // Replaced, never emptied, by clear() and swapped by swapWith(): a running
  // snapshot goes on walking the ones it began with (see server/snapshot.ts).
  keys = new KeyTable<KeyEntry>();
  expires = new Map<string, number>();
  /** Active expiry resumes where it stopped. */
  expireCursor: Iterator<[string, number]> | null = null;

  constructor(
    readonly index: number,
    readonly keyspace: Keyspace,
  ) {}

  get size(): number {
    return this.keys.size;
  }

  /**
   * Reads ahead the memory that looking up these keys (key i is
   * buf[starts[i], ends[i])) and reading their string values will touch, as
   * KeyTable.prefetch describes; returns a number made of what was read.
   */
  prefetch(buf: Uint8Array, starts: Int32Array, ends: Int32Array, count: number): number {
    const found = PREFETCH_FOUND;
    const touched = this.keys.prefetch(buf, starts, ends, count, found) + readValuesAhead(found, count);
    for (let i = 0; i < count; i++) found[i] = null;
    return touched;
  }

  /** The key's entry, or undefined when missing or expired (expired keys are deleted). */
  lookup(key: string): KeyEntry | undefined {
    return this.live(this.keys.get(key));
  }

  /** lookup() of a key given as its bytes (latin1): makes no string when the key exists. */
  lookupBytes(key: Uint8Array): KeyEntry | undefined {
    return this.live(this.keys.getBytes(key));
  }

  private live(entry: KeyEntry | undefined): KeyEntry | undefined {
    if (entry === undefined) return undefined;
    if (this.expires.size > 0 && this.expireIfNeeded(entry.key)) return undefined;
    if (!this.keyspace.noTouch) entry.lru = this.keyspace.lruClock;
    return entry;
  }

  /** Deletes the key when its time has passed; returns whether it did. */
  expireIfNeeded(key: string): boolean {
    const when = this.expires.get(key);
    if (when === undefined || when > this.keyspace.now || this.keyspace.replaying) return false;
    this.delete(key);
    this.keyspace.onExpired(this, key);
    return true;
  }

  /** Stores a value under key, dropping any TTL unless keepTtl. */
  set(key: string, entry: KeyEntry, keepTtl = false): void {
    if (this.keys.set(key, entry)) this.keyspace.onNewKey(this, key);
    if (!keepTtl && this.expires.size > 0) this.expires.delete(key);
  }

  /** Adds or replaces key's value with a fresh entry. */
  put<T extends TypeName>(key: string, type: T, value: ValueTypes[T], keepTtl = false): void {
    this.set(key, newEntry(type, value, this.keyspace.lruClock), keepTtl);
  }

  delete(key: string): boolean {
    if (!this.keys.delete(key)) return false;
    if (this.expires.size > 0) this.expires.delete(key);
    return true;
  }

  clear(): void {
    this.keys = new KeyTable<KeyEntry>();
    this.expires = new Map<string, number>();
    this.expireCursor = null;
  }

  /** Absolute expiry time in ms, or undefined when the key has none. */
  expireAt(key: string): number | undefined {
    return this.expires.get(key);
  }

  setExpire(key: string, when: number): void {
    this.beforeExpiryChange(key);
    this.expires.set(key, when);
  }

  persist(key: string): boolean {
    this.beforeExpiryChange(key);
    return this.expires.delete(key);
  }

  /** A running snapshot takes the key with its expiry before that changes (a lookup hands it out). */
  private beforeExpiryChange(key: string): void {
    if (this.keyspace.capturing) this.keys.get(key);
  }

  /** A random key that is not expired (expired picks are deleted), as RANDOMKEY. */
  randomKey(): string | undefined {
    // Give up after many expired picks in a mostly-expired db, as dbRandomKey does.
    for (let tries = 0; tries < 100; tries++) {
      const key = this.keys.randomKey();
      if (key === undefined || !this.expireIfNeeded(key)) return key;
    }
    return this.keys.randomKey();
  }

  /** Moves everything of `other` here and vice versa (SWAPDB). */
  swapWith(other: Database): void {
    [this.keys, other.keys] = [other.keys, this.keys];
    [this.expires, other.expires] = [other.expires, this.expires];
    this.expireCursor = other.expireCursor = null;
  }
}

export class Keyspace {
  readonly databases: Database[];
  private nowMs = Date.now();
  /**
   * The LRU clock (KeyEntry.lru): now in whole seconds, the resolution of
   * Redis's LRU clock and OBJECT IDLETIME. A small integer to V8, so entries
   * hold it in place; milliseconds would be a heap number per entry.
   */
  lruClock = Math.floor(this.nowMs / 1000);

  /** The current time in ms, set once per chunk of input as Redis caches mstime. */
  get now(): number {
    return this.nowMs;
  }

  set now(ms: number) {
    this.nowMs = ms;
    this.lruClock = Math.floor(ms / 1000);
  }
  /** While replaying the log, keys are not expired (the log says what happened). */
  replaying = false;
  /** A snapshot is walking the tables (server/snapshot.ts). */
  capturing = false;
  /** A key written while capturing whose table had not seen it first, so the snapshot lacks its old value. */
  missedByCapture: string | null = null;
  /** CLIENT NO-TOUCH: lookups leave the access time alone. */
  noTouch = false;
  /** Called after a key was deleted because its time passed. */
  onExpired: (db: Database, key: string) => void = () => {};
  /** Called when a key is added that was not there (Redis's dbAdd: the `new` event). */
  onNewKey: (db: Database, key: string) => void = () => {};

  constructor(count: number) {
    this.databases = Array.from({ length: count }, (_, i) => new Database(i, this));
  }

  /**
   * Deletes expired keys for at most budgetMs, resuming where the previous
   * call stopped; returns the number deleted.
   */
  activeExpire(budgetMs: number): number {
    const deadline = performance.now() + budgetMs;
    let deleted = 0;
    for (const db of this.databases) {
      if (db.expires.size === 0) continue;
      let checked = 0;
      for (;;) {
        db.expireCursor ??= db.expires.entries();
        const next = db.expireCursor.next();
        if (next.done) {
          db.expireCursor = null;
          break;
        }
        const [key, when] = next.value;
        if (when <= this.now && db.expireIfNeeded(key)) deleted++;
        if (++checked % 64 === 0 && performance.now() > deadline) return deleted;
        if (checked >= db.expires.size) break;
      }
    }
    return deleted;
  }
}
