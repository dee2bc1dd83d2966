// Generic key commands (db.c, object.c): DEL, UNLINK, EXISTS, TYPE, RENAME,
// RENAMENX, COPY, MOVE, KEYS, SCAN, RANDOMKEY, TOUCH, OBJECT and MEMORY USAGE.
// Expiry commands are in expire.ts.
import { ERR } from '../errors.js';
import type { Client } from '../server/client.js';
import { notify, NOTIFY } from '../server/notify.js';
import { Deque } from '../store/deque.js';
import { Dict } from '../store/dict.js';
import { globMatch, isMatchAll } from '../store/glob.js';
import { newEntry, type Database, type KeyEntry } from '../store/keyspace.js';
import { SortedSet } from '../store/sorted-set.js';
import { parseInteger } from '../resp/integers.js';
import { deleteKey, intArg, isOption, lookupRead, str } from './args.js';
import { dictCursor, scanCursor, scanOptions } from './collection-scan.js';
import { copyExpire } from './expire.js';
import { ReplyError } from './reply-error.js';
import { appendCapacity, duplicateString, stringEncoding, stringRefcount } from './strings.js';
import type { HandlerTable } from './table.js';

// ---- DEL, UNLINK, EXISTS, TYPE, TOUCH ----

function del(c: Client, argv: Buffer[]): void {
  const db = c.db;
  let deleted = 0;
  for (let j = 1; j < argv.length; j++) {
    const key = str(argv[j]);
    if (db.expires.size > 0) db.expireIfNeeded(key);
    if (deleteKey(c, key)) deleted++;
  }
  c.reply.integer(deleted);
}

function exists(c: Client, argv: Buffer[]): void {
  let count = 0;
  for (let j = 1; j < argv.length; j++) if (lookupRead(c, str(argv[j]), false) !== undefined) count++;
  c.reply.integer(count);
}

function type(c: Client, argv: Buffer[]): void {
  const entry = lookupRead(c, str(argv[1]), false);
  c.reply.simple(entry === undefined ? 'none' : entry.type);
}

function touch(c: Client, argv: Buffer[]): void {
  let count = 0;
  for (let j = 1; j < argv.length; j++) if (lookupRead(c, str(argv[j])) !== undefined) count++;
  c.reply.integer(count);
}

// ---- RENAME, RENAMENX, MOVE, COPY ----

function renameGeneric(c: Client, argv: Buffer[], nx: boolean): void {
  const from = str(argv[1]);
  const to = str(argv[2]);
  const db = c.db;
  const entry = db.lookup(from);
  if (entry === undefined) throw new ReplyError(ERR.noSuchKey);
  if (from === to) {
    if (nx) c.reply.integer(0);
    else c.reply.ok();
    return;
  }
  if (db.lookup(to) !== undefined) {
    if (nx) {
      c.reply.integer(0);
      return;
    }
    db.delete(to);
  }
  // The entry moves: out of its place under `from` before it goes in under `to`.
  copyExpire(db, from, db, to);
  db.delete(from);
  db.set(to, entry, true);
  c.modified(from);
  c.modified(to);
  notify(c.server, NOTIFY.generic, 'rename_from', from, db.index);
  notify(c.server, NOTIFY.generic, 'rename_to', to, db.index);
  if (nx) c.reply.integer(1);
  else c.reply.ok();
}

function rename(c: Client, argv: Buffer[]): void {
  renameGeneric(c, argv, false);
}

function renamenx(c: Client, argv: Buffer[]): void {
  renameGeneric(c, argv, true);
}

/** A database index argument (getIntFromObjectOrReply + selectDb). */
function databaseArg(c: Client, arg: Buffer): Database {
  const index = intArg(arg);
  if (index < -2147483648 || index > 2147483647) throw new ReplyError(ERR.notInteger);
  const db = c.server.keyspace.databases[index];
  if (!db) throw new ReplyError(ERR.dbIndexOutOfRange);
  return db;
}

function move(c: Client, argv: Buffer[]): void {
  const src = c.db;
  const dst = databaseArg(c, argv[2]);
  if (src === dst) throw new ReplyError(ERR.sameObject);
  const key = str(argv[1]);
  const entry = src.lookup(key);
  if (entry === undefined || dst.lookup(key) !== undefined) {
    c.reply.integer(0);
    return;
  }
  copyExpire(src, key, dst, key);
  src.delete(key);
  dst.set(key, entry, true);
  c.modified(key, src);
  c.modified(key, dst);
  notify(c.server, NOTIFY.generic, 'move_from', key, src.index);
  notify(c.server, NOTIFY.generic, 'move_to', key, dst.index);
  c.reply.integer(1);
}

/** Keys of hashes, sets and sorted sets whose encoding became the big one (Redis never converts back). */
const converted = new WeakSet<object>();

/** A deep copy of a value, keeping its encoding (COPY). */
function duplicate(entry: KeyEntry, lru: number): KeyEntry {
  switch (entry.type) {
    case 'string':
      return newEntry('string', duplicateString(entry.value), lru);
    case 'list':
      return newEntry('list', new Deque(entry.value), lru);
    case 'hash': {
      const copy = new Dict<Buffer>();
      for (const [field, value] of entry.value) copy.set(field, value);
      if (converted.has(entry.value)) converted.add(copy);
      return newEntry('hash', copy, lru);
    }
    case 'set': {
      const copy = new Dict<null>();
      for (const member of entry.value.keys()) copy.set(member, null);
      if (converted.has(entry.value)) converted.add(copy);
      return newEntry('set', copy, lru);
    }
    case 'zset': {
      const copy = new SortedSet();
      for (const { member, score } of entry.value.entries()) copy.add(member, score);
      if (converted.has(entry.value)) converted.add(copy);
      return newEntry('zset', copy, lru);
    }
  }
}

function copy(c: Client, argv: Buffer[]): void {
  const src = c.db;
  let dst = c.db;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    if (isOption(argv[j], 'replace')) replace = true;
    else if (isOption(argv[j], 'db') && j + 1 < argv.length) dst = databaseArg(c, argv[++j]);
    else throw new ReplyError(ERR.syntax);
  }
  const key = str(argv[1]);
  const newKey = str(argv[2]);
  if (src === dst && key === newKey) throw new ReplyError(ERR.sameObject);
  const entry = lookupRead(c, key);
  if (entry === undefined) {
    c.reply.integer(0);
    return;
  }
  if (dst.lookup(newKey) !== undefined) {
    if (!replace) {
      c.reply.integer(0);
      return;
    }
    dst.delete(newKey);
  }
  dst.set(newKey, duplicate(entry, c.server.keyspace.lruClock));
  copyExpire(src, key, dst, newKey);
  c.modified(newKey, dst);
  notify(c.server, NOTIFY.generic, 'copy_to', newKey, dst.index);
  c.reply.integer(1);
}

// ---- KEYS, SCAN, RANDOMKEY ----

/** keyIsExpired without deleting (KEYS only looks). */
function isExpired(c: Client, db: Database, key: string): boolean {
  const when = db.expireAt(key);
  return when !== undefined && when <= c.server.keyspace.now && !c.server.keyspace.replaying;
}

function keys(c: Client, argv: Buffer[]): void {
  const pattern = str(argv[1]);
  const all = isMatchAll(pattern);
  const db = c.db;
  const volatile = db.expires.size > 0;
  const found: string[] = [];
  for (const key of db.keys.keys()) {
    if ((all || globMatch(pattern, key)) && !(volatile && isExpired(c, db, key))) found.push(key);
  }
  c.reply.array(found.length);
  for (const key of found) c.reply.bulk(key);
}

/** The C string of an argument: up to its first NUL byte. */
function cString(arg: Buffer): string {
  const nul = arg.indexOf(0);
  return arg.toString('latin1', 0, nul < 0 ? arg.length : nul);
}

function scan(c: Client, argv: Buffer[]): void {
  const cursor = scanCursor(argv[1]);
  const options = scanOptions(argv, 2, true);
  const pattern = options.pattern;
  const typeName = options.type === null ? null : cString(options.type).toLowerCase();
  const db = c.db;
  const found: string[] = [];
  const next = db.keys.scan(dictCursor(cursor), options.count, (key) => found.push(key));
  let kept = 0;
  for (const key of found) {
    if (pattern !== null && !globMatch(pattern, key)) continue;
    if (typeName !== null) {
      const entry = lookupRead(c, key, false);
      if ((entry === undefined ? 'none' : entry.type) !== typeName) continue;
    }
    if (db.expires.size > 0 && db.expireIfNeeded(key)) continue;
    found[kept++] = key;
  }
  found.length = kept;
  c.reply.array(2);
  c.reply.bulk(String(next));
  c.reply.array(kept);
  for (const key of found) c.reply.bulk(key);
}

function randomkey(c: Client): void {
  c.reply.bulkOrNull(c.db.randomKey());
}

// ---- OBJECT ----

/** A Redis parameter's value as CONFIG SET left it (config.settings), or undefined. */
function settingValue(c: Client, name: string): unknown {
  return (c.server.config as { settings?: Map<string, unknown> }).settings?.get(name);
}

/** A numeric parameter (hash-max-listpack-entries, ...), or Redis 7.0's default. */
function setting(c: Client, name: string, fallback: number): number {
  const value = settingValue(c, name);
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return fallback;
}

function maxmemoryPolicy(c: Client): string {
  const value = settingValue(c, 'maxmemory-policy');
  return typeof value === 'string' ? value : 'noeviction';
}

/** A set member an intset can hold: an int64 in canonical form. */
function isIntsetMember(member: string | Buffer): boolean {
  return member.length <= 20 && parseInteger(typeof member === 'string' ? Buffer.from(member, 'latin1') : member) !== null;
}

/**
 * After a write added `added` (fields and values, or members) to a hash or
 * set: Redis converts to the big encoding during that write and never back,
 * so when the write crossed a threshold the conversion is recorded now.
 */
export function noteGrowth(c: Client, entry: KeyEntry, added: readonly (string | Buffer)[]): void {
  if (converted.has(entry.value)) return;
  let crossed = false;
  if (entry.type === 'hash') {
    const maxValue = setting(c, 'hash-max-listpack-value', 64);
    crossed = entry.value.size > setting(c, 'hash-max-listpack-entries', 512) || added.some((e) => e.length > maxValue);
  } else if (entry.type === 'set') {
    crossed = entry.value.size > setting(c, 'set-max-intset-entries', 512) || !added.every(isIntsetMember);
  }
  if (crossed) encodingOf(c, entry);
}

/** The encoding Redis 7.0 would report for the value (the big encodings are sticky). */
export function encodingOf(c: Client, entry: KeyEntry): string {
  switch (entry.type) {
    case 'string':
      return stringEncoding(entry.value);
    case 'list':
      return 'quicklist';
    case 'hash': {
      const hash = entry.value;
      if (converted.has(hash)) return 'hashtable';
      const maxEntries = setting(c, 'hash-max-listpack-entries', 512);
      const maxValue = setting(c, 'hash-max-listpack-value', 64);
      let big = hash.size > maxEntries;
      if (!big) {
        for (const [field, value] of hash) {
          if (field.length > maxValue || value.length > maxValue) {
            big = true;
            break;
          }
        }
      }
      if (!big) return 'listpack';
      converted.add(hash);
      return 'hashtable';
    }
    case 'set': {
      const set = entry.value;
      if (converted.has(set)) return 'hashtable';
      let big = set.size > setting(c, 'set-max-intset-entries', 512);
      if (!big) {
        for (const member of set.keys()) {
          if (!isIntsetMember(member)) {
            big = true;
            break;
          }
        }
      }
      if (!big) return 'intset';
      converted.add(set);
      return 'hashtable';
    }
    case 'zset': {
      const zset = entry.value;
      if (converted.has(zset)) return 'skiplist';
      const maxValue = setting(c, 'zset-max-listpack-value', 64);
      let big = zset.length > setting(c, 'zset-max-listpack-entries', 128);
      if (!big) {
        for (const { member } of zset.entries()) {
          if (member.length > maxValue) {
            big = true;
            break;
          }
        }
      }
      if (!big) return 'listpack';
      converted.add(zset);
      return 'skiplist';
    }
  }
}

/** objectCommandLookup: no access-time update, but counted as a read. */
function objectLookup(c: Client, argv: Buffer[]): KeyEntry | undefined {
  const entry = lookupRead(c, str(argv[2]), false, false);
  if (entry === undefined) c.reply.nullBulk();
  return entry;
}

function objectEncoding(c: Client, argv: Buffer[]): void {
  const entry = objectLookup(c, argv);
  if (entry) c.reply.bulk(encodingOf(c, entry));
}

function objectRefcount(c: Client, argv: Buffer[]): void {
  const entry = objectLookup(c, argv);
  if (entry) c.reply.integer(entry.type === 'string' ? stringRefcount(entry.value) : 1);
}

function objectIdletime(c: Client, argv: Buffer[]): void {
  const entry = objectLookup(c, argv);
  if (!entry) return;
  if (maxmemoryPolicy(c).includes('lfu')) throw new ReplyError(ERR.lfuSelected);
  c.reply.integer(Math.max(0, c.server.keyspace.lruClock - entry.lru));
}

function objectFreq(c: Client, argv: Buffer[]): void {
  const entry = objectLookup(c, argv);
  if (!entry) return;
  if (!maxmemoryPolicy(c).includes('lfu')) throw new ReplyError(ERR.lfuNotSelected);
  // Access frequency is not tracked: LFU_INIT_VAL, what a fresh key reports.
  c.reply.integer(5);
}

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

function objectHelp(c: Client): void {
  c.reply.array(OBJECT_HELP.length);
  for (const line of OBJECT_HELP) c.reply.simple(line);
}

// ---- MEMORY USAGE ----

/** jemalloc's size class for an allocation of n bytes. */
function allocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return Math.ceil(n / 16) * 16;
  const step = 2 ** (Math.floor(Math.log2(n - 1)) - 2);
  return Math.ceil(n / step) * step;
}

/** An sds string of len bytes: header by size class, the bytes, the terminator. */
function sdsSize(len: number): number {
  return allocSize(sdsHeader(len) + len + 1);
}

function sdsHeader(len: number): number {
  return len === 0 ? 3 : len < 32 ? 1 : len < 256 ? 3 : len < 65536 ? 5 : len < 2 ** 32 ? 9 : 17;
}

/** Bytes of one listpack entry holding len bytes. */
function listpackEntry(len: number): number {
  const header = len < 64 ? 1 : len < 4096 ? 2 : 5;
  const body = header + len;
  return body + (body < 128 ? 1 : body < 16384 ? 2 : 3);
}

const ROBJ = 16;
const DICT_ENTRY = 24;
const DICT = 56;

/** Estimates a sampled collection: the average of the first `samples` items times the count. */
function sampled<T>(items: Iterable<T>, count: number, samples: number, size: (item: T) => number): number {
  let total = 0;
  let seen = 0;
  for (const item of items) {
    total += size(item);
    if (++seen >= samples) break;
  }
  return seen === 0 ? 0 : (total / seen) * count;
}

function dictSize(count: number): number {
  let buckets = 4;
  while (buckets < count) buckets *= 2;
  return DICT + buckets * 8;
}

/** objectComputeSize, approximately (exact for strings). */
function valueSize(c: Client, entry: KeyEntry, samples: number): number {
  switch (entry.type) {
    case 'string': {
      const value = entry.value;
      const encoding = stringEncoding(value);
      if (encoding === 'int') return ROBJ;
      if (encoding === 'embstr') return allocSize(ROBJ + 3 + value.length + 1);
      const capacity = appendCapacity(value);
      // Grown by APPEND: sdsMakeRoomFor's greedy size, never a 1-byte header.
      if (capacity !== undefined) return ROBJ + allocSize(Math.max(sdsHeader(capacity), 3) + capacity + 1);
      return ROBJ + sdsSize(value.length);
    }
    case 'list': {
      const list = entry.value;
      // 8KB listpack nodes (list-max-listpack-size -2) in 40-byte quicklist nodes.
      const bytes = sampled(list, list.length, samples, (item) => listpackEntry(item.length));
      const nodes = Math.max(1, Math.ceil(bytes / 8192));
      return ROBJ + 40 + nodes * (40 + allocSize(Math.ceil(bytes / nodes) + 7));
    }
    case 'hash': {
      const hash = entry.value;
      if (encodingOf(c, entry) === 'listpack') {
        let bytes = 7;
        for (const [field, value] of hash) bytes += listpackEntry(field.length) + listpackEntry(value.length);
        return ROBJ + allocSize(bytes);
      }
      return ROBJ + dictSize(hash.size) + sampled(hash, hash.size, samples, ([f, v]) => DICT_ENTRY + sdsSize(f.length) + sdsSize(v.length));
    }
    case 'set': {
      const set = entry.value;
      if (encodingOf(c, entry) === 'intset') {
        let width = 2;
        for (const member of set.keys()) {
          const n = Math.abs(Number(member));
          if (n > 2147483647) width = 8;
          else if (n > 32767 && width < 4) width = 4;
        }
        return ROBJ + allocSize(8 + set.size * width);
      }
      return ROBJ + dictSize(set.size) + sampled(set.keys(), set.size, samples, (m) => DICT_ENTRY + sdsSize(m.length));
    }
    case 'zset': {
      const zset = entry.value;
      if (encodingOf(c, entry) === 'listpack') {
        let bytes = 7;
        for (const { member } of zset.entries()) bytes += listpackEntry(member.length) + 10;
        return ROBJ + allocSize(bytes);
      }
      const node = (m: string) => allocSize(32 + 16 * 1.33) + DICT_ENTRY + sdsSize(m.length);
      return ROBJ + 16 + dictSize(zset.length) + 48 + sampled(zset.entries(), zset.length, samples, (e) => node(e.member));
    }
  }
}

function memoryUsage(c: Client, argv: Buffer[]): void {
  let samples = 5;
  for (let j = 3; j < argv.length; j++) {
    if (isOption(argv[j], 'samples') && j + 1 < argv.length) {
      const n = intArg(argv[++j]);
      if (n < 0) throw new ReplyError(ERR.syntax);
      samples = n === 0 ? Infinity : n;
    } else throw new ReplyError(ERR.syntax);
  }
  // Redis reads the dict directly: no expiry, no statistics.
  const key = str(argv[2]);
  const entry = c.db.keys.get(key);
  if (entry === undefined) {
    c.reply.nullBulk();
    return;
  }
  c.reply.integer(Math.round(valueSize(c, entry, samples)) + sdsSize(key.length) + DICT_ENTRY);
}

export const keyCommands: HandlerTable = {
  del,
  unlink: del,
  exists,
  type,
  touch,
  rename,
  renamenx,
  move,
  copy,
  keys,
  scan,
  randomkey,
  'object|encoding': objectEncoding,
  'object|refcount': objectRefcount,
  'object|idletime': objectIdletime,
  'object|freq': objectFreq,
  'object|help': objectHelp,
  'memory|usage': memoryUsage,
};
