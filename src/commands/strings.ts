// String commands (t_string.c): GET, SET and its options, SETNX, SETEX,
// PSETEX, GETSET, GETDEL, GETEX, MGET, MSET, MSETNX, APPEND, STRLEN,
// GETRANGE, SUBSTR, SETRANGE, INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT, LCS.
//
// Values are Buffers. A short value is overwritten in place when a write
// replaces it with one of the same length (see IN_PLACE_MAX); otherwise a
// stored value's bytes never change: APPEND and SETRANGE store a new Buffer.
// APPEND grows into spare room behind the value, past the bytes any earlier
// view can see, so a loop of appends costs what it costs in Redis.
import { ERR, invalidExpireTime, wrongArity } from '../errors.js';
import { INT64_MAX, INT64_MIN, decimalDigits, parseInt64, parseInteger, writeDecimal } from '../resp/integers.js';
import { allocBytes, copyBytes } from '../resp/bytes.js';
import type { Client } from '../server/client.js';
import { notify, NOTIFY } from '../server/notify.js';
import type { Database, KeyEntry } from '../store/keyspace.js';
import { incrByFloat } from '../store/long-double.js';
import { int64Arg, intArg, isOption, keyMiss, lookupRead, lookupReadTyped, str } from './args.js';
import { alreadyExpired, setExpireExact } from './expire.js';
import { ReplyError } from './reply-error.js';
import type { HandlerTable } from './table.js';

// ---- encodings (OBJECT ENCODING / REFCOUNT) ----

/** Never "int" (INCRBYFLOAT results are embstr even when they look integral). */
const NOT_INT = 1;
/** "raw" whatever the content (APPEND, SETRANGE). */
const RAW = 2;
/** An int that is not one of Redis's shared integers (COPY duplicates it). */
const UNSHARED = 4;
const stringFlags = new WeakMap<Buffer, number>();

/** OBJ_SHARED_INTEGERS and OBJ_SHARED_REFCOUNT. */
const SHARED_INTEGERS = 10000;
const SHARED_REFCOUNT = 2147483647;
/** OBJ_ENCODING_EMBSTR_SIZE_LIMIT. */
const EMBSTR_LIMIT = 44;

/** The encoding Redis would report for a string value: int, embstr or raw. */
export function stringEncoding(value: Buffer): 'int' | 'embstr' | 'raw' {
  const flags = stringFlags.get(value) ?? 0;
  if (flags & RAW) return 'raw';
  if (!(flags & NOT_INT) && value.length <= 20 && parseInteger(value) !== null) return 'int';
  return value.length <= EMBSTR_LIMIT ? 'embstr' : 'raw';
}

/** OBJECT REFCOUNT of a string value: shared integers 0..9999 report INT_MAX. */
export function stringRefcount(value: Buffer): number {
  if (stringEncoding(value) !== 'int' || (stringFlags.get(value) ?? 0) & UNSHARED) return 1;
  const n = parseInteger(value) as number;
  return n >= 0 && n < SHARED_INTEGERS ? SHARED_REFCOUNT : 1;
}

/** A duplicate of a stored string for COPY (dupStringObject: same encoding, never shared). */
export function duplicateString(value: Buffer): Buffer {
  const copy = copyBytes(value);
  stringFlags.set(copy, (stringFlags.get(value) ?? 0) | UNSHARED);
  return copy;
}

// ---- growing values in place (APPEND) ----

interface Room {
  backing: Buffer;
  used: number;
}
/** Values with spare room behind them: only the newest view of a backing may grow into it. */
const appendRoom = new WeakMap<Buffer, Room>();
/** sds's greedy growth: double below 1MB, then +1MB. */
const SDS_MAX_PREALLOC = 1024 * 1024;

function appended(value: Buffer, tail: Buffer): Buffer {
  const length = value.length + tail.length;
  const room = appendRoom.get(value);
  if (room && room.used === value.length && room.backing.length >= length) {
    tail.copy(room.backing, room.used);
    room.used = length;
    const grown = room.backing.subarray(0, length);
    appendRoom.delete(value);
    appendRoom.set(grown, room);
    stringFlags.set(grown, RAW);
    return grown;
  }
  const capacity = length < SDS_MAX_PREALLOC ? length * 2 : length + SDS_MAX_PREALLOC;
  const backing = Buffer.allocUnsafe(capacity);
  value.copy(backing, 0);
  tail.copy(backing, value.length);
  const grown = backing.subarray(0, length);
  appendRoom.set(grown, { backing, used: length });
  stringFlags.set(grown, RAW);
  return grown;
}

/** The allocated size of an appended value (sds's greedy growth), or undefined. */
export function appendCapacity(value: Buffer): number | undefined {
  return appendRoom.get(value)?.backing.length;
}

// ---- overwriting in place ----

/**
 * Values up to this length are overwritten in place when a write replaces a
 * plain string value (no encoding flags, no append room) of the same length:
 * a stream of SETs or INCRs then allocates nothing that outlives its command,
 * and what outlives a command is what the garbage collector costs (measured
 * with bench/dispatch.ts: SET over 100K keys 2.1 -> 1.4 us). Nothing else
 * keeps a stored value's bytes: replies copy values this short (they keep
 * references only from 16 KiB on), log records are encoded when logged, and
 * COPY and SORT ... STORE copy what they store.
 */
const IN_PLACE_MAX = 64;

/** The stored value of entry, when it may be overwritten in place by `length` bytes. */
function overwritable(entry: KeyEntry | undefined, length: number): Buffer | null {
  if (entry === undefined || entry.type !== 'string') return null;
  const value = entry.value;
  return value.length === length && length <= IN_PLACE_MAX && !stringFlags.has(value) ? value : null;
}

// ---- shared pieces ----

function wrongType(): never {
  throw new ReplyError(ERR.wrongType);
}

/** checkStringLength: the result may not exceed proto-max-bulk-len. */
function checkStringLength(c: Client, size: number, append: number): void {
  if (size + append > c.server.config.protoMaxBulkLen) throw new ReplyError(ERR.stringTooLong);
}

/** notifyKeyspaceEvent of class `type` on key of the client's database. */
function keyEvent(c: Client, type: number, event: string, key: string): void {
  notify(c.server, type, event, key, c.db.index);
}

/**
 * setKey: stores a copy of bytes under key (dropping its TTL unless keepTtl),
 * signals the write and notifies "set"; returns the stored value.
 */
function setKey(c: Client, db: Database, key: string, bytes: Buffer, keepTtl = false): Buffer {
  // The old value's expiry runs first, as lookupKeyWrite inside setKey.
  if (db.expires.size > 0) db.expireIfNeeded(key);
  return storeString(c, db, key, db.keys.get(key), bytes, keepTtl);
}

/** setKey of a key given as its bytes: makes no key string when the key exists. */
function setKeyBytes(c: Client, db: Database, keyBytes: Buffer, bytes: Buffer): Buffer {
  let entry = db.keys.getBytes(keyBytes);
  if (entry !== undefined && db.expires.size > 0 && db.expireIfNeeded(entry.key)) entry = undefined;
  return storeString(c, db, entry?.key ?? str(keyBytes), entry, bytes, false);
}

/** The rest of setKey: entry is key's (live) entry, if any. */
function storeString(c: Client, db: Database, key: string, entry: KeyEntry | undefined, bytes: Buffer, keepTtl: boolean): Buffer {
  let value = overwritable(entry, bytes.length);
  if (value !== null) {
    for (let i = 0; i < value.length; i++) value[i] = bytes[i];
    (entry as KeyEntry).lru = db.keyspace.lruClock;
    if (!keepTtl && db.expires.size > 0) db.persist(key);
  } else {
    value = copyBytes(bytes);
    db.put(key, 'string', value, keepTtl);
  }
  c.modified(key);
  keyEvent(c, NOTIFY.string, 'set', key);
  return value;
}

// SET/GETEX option flags (parseExtendedStringArgumentsOrReply).
const F_NX = 1;
const F_XX = 2;
const F_GET = 4;
const F_KEEPTTL = 8;
const F_EX = 16;
const F_PX = 32;
const F_EXAT = 64;
const F_PXAT = 128;
const F_PERSIST = 256;
const F_EXPIRES = F_EX | F_PX | F_EXAT | F_PXAT;

/** Option flags in bits 0-9; the index of the expire argument (0 if none) from bit 10 on. */
function parseStringOptions(argv: Buffer[], start: number, isSet: boolean): number {
  let flags = 0;
  let expireIndex = 0;
  for (let j = start; j < argv.length; j++) {
    const opt = argv[j];
    const hasNext = j < argv.length - 1;
    if (isSet && isOption(opt, 'nx') && !(flags & F_XX)) flags |= F_NX;
    else if (isSet && isOption(opt, 'xx') && !(flags & F_NX)) flags |= F_XX;
    else if (isSet && isOption(opt, 'get')) flags |= F_GET;
    else if (isSet && isOption(opt, 'keepttl') && !(flags & (F_PERSIST | F_EXPIRES))) flags |= F_KEEPTTL;
    else if (!isSet && isOption(opt, 'persist') && !(flags & (F_EXPIRES | F_KEEPTTL))) flags |= F_PERSIST;
    else if (hasNext && isOption(opt, 'ex') && !(flags & (F_KEEPTTL | F_PERSIST | F_EXAT | F_PX | F_PXAT))) {
      flags |= F_EX;
      expireIndex = ++j;
    } else if (hasNext && isOption(opt, 'px') && !(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_EXAT | F_PXAT))) {
      flags |= F_PX;
      expireIndex = ++j;
    } else if (hasNext && isOption(opt, 'exat') && !(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_PX | F_PXAT))) {
      flags |= F_EXAT;
      expireIndex = ++j;
    } else if (hasNext && isOption(opt, 'pxat') && !(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_EXAT | F_PX))) {
      flags |= F_PXAT;
      expireIndex = ++j;
    } else throw new ReplyError(ERR.syntax);
  }
  return flags | (expireIndex << 10);
}

/** getExpireMillisecondsOrReply: the absolute expiry in ms of an EX/PX/EXAT/PXAT argument. */
function expireMilliseconds(c: Client, arg: Buffer, flags: number, name: string): bigint {
  let ms = int64Arg(arg);
  const seconds = (flags & (F_EX | F_EXAT)) !== 0;
  if (ms <= 0n || (seconds && ms > INT64_MAX / 1000n)) throw new ReplyError(invalidExpireTime(name));
  if (seconds) ms *= 1000n;
  if (flags & (F_EX | F_PX)) ms += BigInt(c.server.keyspace.now);
  // An int64 overflow wraps negative in Redis: the same error.
  if (ms > INT64_MAX) throw new ReplyError(invalidExpireTime(name));
  return ms;
}

/** setGenericCommand. `reply`: 0 = OK/null (SET), 1 = 1/0 (SETNX). */
function setGeneric(c: Client, argv: Buffer[], keyIndex: number, valueIndex: number, flags: number, expireIndex: number, name: string, reply: 0 | 1): void {
  const ms = expireIndex ? expireMilliseconds(c, argv[expireIndex], flags, name) : 0n;
  const key = str(argv[keyIndex]);
  const db = c.db;
  if (flags & F_GET) {
    const entry = lookupRead(c, key);
    if (entry === undefined) c.reply.nullBulk();
    else if (entry.type !== 'string') wrongType();
    else c.reply.bulk(entry.value);
  }
  if (flags & (F_NX | F_XX)) {
    const found = db.lookup(key) !== undefined;
    if ((flags & F_NX && found) || (flags & F_XX && !found)) {
      if (!(flags & F_GET)) {
        if (reply === 1) c.reply.integer(0);
        else c.reply.nullBulk();
      }
      return;
    }
  }
  const value = setKey(c, db, key, argv[valueIndex], (flags & F_KEEPTTL) !== 0);
  if (expireIndex) {
    setExpireExact(db, key, ms);
    keyEvent(c, NOTIFY.generic, 'expire', key);
    c.log(['SET', key, value, 'PXAT', String(ms)]);
  }
  if (!(flags & F_GET)) {
    if (reply === 1) c.reply.integer(1);
    else c.reply.ok();
  }
}

// ---- GET / SET: the hot path ----

function get(c: Client, argv: Buffer[]): void {
  const entry = c.db.lookupBytes(argv[1]);
  if (entry === undefined) {
    keyMiss(c, str(argv[1]));
    c.reply.nullBulk();
    return;
  }
  c.server.stats.keyspaceHits++;
  if (entry.type !== 'string') wrongType();
  c.reply.bulk(entry.value);
}

function set(c: Client, argv: Buffer[]): void {
  if (argv.length === 3) {
    setKeyBytes(c, c.db, argv[1], argv[2]);
    c.reply.ok();
    return;
  }
  const parsed = parseStringOptions(argv, 3, true);
  setGeneric(c, argv, 1, 2, parsed & 1023, parsed >>> 10, 'set', 0);
}

function setnx(c: Client, argv: Buffer[]): void {
  setGeneric(c, argv, 1, 2, F_NX, 0, 'setnx', 1);
}

function setex(c: Client, argv: Buffer[]): void {
  setGeneric(c, argv, 1, 3, F_EX, 2, 'setex', 0);
}

function psetex(c: Client, argv: Buffer[]): void {
  setGeneric(c, argv, 1, 3, F_PX, 2, 'psetex', 0);
}

function getset(c: Client, argv: Buffer[]): void {
  const key = str(argv[1]);
  const entry = lookupRead(c, key);
  if (entry !== undefined && entry.type !== 'string') wrongType();
  c.reply.bulkOrNull(entry?.value as Buffer | undefined);
  setKey(c, c.db, key, argv[2]);
}

function getdel(c: Client, argv: Buffer[]): void {
  const key = str(argv[1]);
  const value = lookupReadTyped(c, key, 'string');
  if (value === null) {
    c.reply.nullBulk();
    return;
  }
  c.reply.bulk(value);
  c.db.delete(key);
  c.modified(key);
  keyEvent(c, NOTIFY.generic, 'del', key);
  c.log(['DEL', key]);
}

function getex(c: Client, argv: Buffer[]): void {
  const parsed = parseStringOptions(argv, 2, false);
  const flags = parsed & 1023;
  const expireIndex = parsed >>> 10;
  const key = str(argv[1]);
  const value = lookupReadTyped(c, key, 'string');
  if (value === null) {
    c.reply.nullBulk();
    return;
  }
  const ms = expireIndex ? expireMilliseconds(c, argv[expireIndex], flags, 'getex') : 0n;
  c.reply.bulk(value);
  const db = c.db;
  if (flags & (F_EXAT | F_PXAT) && alreadyExpired(c, ms)) {
    db.delete(key);
    c.modified(key);
    keyEvent(c, NOTIFY.generic, 'del', key);
    c.log(['DEL', key]);
  } else if (expireIndex) {
    setExpireExact(db, key, ms);
    c.modified(key);
    keyEvent(c, NOTIFY.generic, 'expire', key);
    c.log(['PEXPIREAT', key, String(ms)]);
  } else if (flags & F_PERSIST && db.persist(key)) {
    c.modified(key);
    keyEvent(c, NOTIFY.generic, 'persist', key);
    c.log(['PERSIST', key]);
  }
}

function mget(c: Client, argv: Buffer[]): void {
  c.reply.array(argv.length - 1);
  for (let j = 1; j < argv.length; j++) {
    const entry = lookupRead(c, str(argv[j]));
    if (entry === undefined || entry.type !== 'string') c.reply.nullBulk();
    else c.reply.bulk(entry.value);
  }
}

function msetGeneric(c: Client, argv: Buffer[], nx: boolean, name: string): void {
  if (argv.length % 2 === 0) throw new ReplyError(wrongArity(name));
  const db = c.db;
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) {
      if (db.lookup(str(argv[j])) !== undefined) {
        c.reply.integer(0);
        return;
      }
    }
  }
  for (let j = 1; j < argv.length; j += 2) setKey(c, db, str(argv[j]), argv[j + 1]);
  if (nx) c.reply.integer(1);
  else c.reply.ok();
}

function mset(c: Client, argv: Buffer[]): void {
  msetGeneric(c, argv, false, 'mset');
}

function msetnx(c: Client, argv: Buffer[]): void {
  msetGeneric(c, argv, true, 'msetnx');
}

// ---- APPEND, STRLEN, GETRANGE, SETRANGE ----

function append(c: Client, argv: Buffer[]): void {
  const key = str(argv[1]);
  const db = c.db;
  const entry = db.lookup(key);
  let length: number;
  if (entry === undefined) {
    const value = copyBytes(argv[2]);
    db.put(key, 'string', value);
    length = value.length;
  } else {
    if (entry.type !== 'string') wrongType();
    const tail = argv[2];
    checkStringLength(c, entry.value.length, tail.length);
    // Appending even nothing makes the value raw (dbUnshareStringValue).
    const value = appended(entry.value, tail);
    entry.value = value;
    length = value.length;
  }
  c.modified(key);
  keyEvent(c, NOTIFY.string, 'append', key);
  c.reply.integer(length);
}

function strlen(c: Client, argv: Buffer[]): void {
  const value = lookupReadTyped(c, str(argv[1]), 'string');
  c.reply.integer(value === null ? 0 : value.length);
}

const EMPTY = Buffer.alloc(0);

function getrange(c: Client, argv: Buffer[]): void {
  let start = int64Arg(argv[2]);
  let end = int64Arg(argv[3]);
  const value = lookupReadTyped(c, str(argv[1]), 'string');
  if (value === null) {
    c.reply.bulk(EMPTY);
    return;
  }
  const length = BigInt(value.length);
  if (start < 0n && end < 0n && start > end) {
    c.reply.bulk(EMPTY);
    return;
  }
  if (start < 0n) start += length;
  if (end < 0n) end += length;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= length) end = length - 1n;
  if (start > end || length === 0n) c.reply.bulk(EMPTY);
  else c.reply.bulk(value.subarray(Number(start), Number(end) + 1));
}

function setrange(c: Client, argv: Buffer[]): void {
  const offset = intArg(argv[2]);
  if (offset < 0) throw new ReplyError(ERR.offsetOutOfRange);
  const key = str(argv[1]);
  const patch = argv[3];
  const db = c.db;
  const entry = db.lookup(key);
  if (entry === undefined) {
    if (patch.length === 0) {
      c.reply.integer(0);
      return;
    }
    checkStringLength(c, offset, patch.length);
    const value = Buffer.alloc(offset + patch.length);
    patch.copy(value, offset);
    stringFlags.set(value, RAW);
    db.put(key, 'string', value);
    c.modified(key);
    keyEvent(c, NOTIFY.string, 'setrange', key);
    c.reply.integer(value.length);
    return;
  }
  if (entry.type !== 'string') wrongType();
  const old = entry.value;
  if (patch.length === 0) {
    c.reply.integer(old.length);
    return;
  }
  checkStringLength(c, offset, patch.length);
  const length = Math.max(old.length, offset + patch.length);
  const value = Buffer.alloc(length);
  old.copy(value, 0);
  patch.copy(value, offset);
  stringFlags.set(value, RAW);
  entry.value = value;
  c.modified(key);
  keyEvent(c, NOTIFY.string, 'setrange', key);
  c.reply.integer(length);
}

// ---- INCR, DECR, INCRBY, DECRBY ----

/** Safe-integer bounds within which number arithmetic is exact. */
const EXACT = 2 ** 52;

/** incrDecrCommand; `by` is a number when safe, a bigint otherwise. */
function incrDecr(c: Client, keyBytes: Buffer, by: number | bigint): void {
  const db = c.db;
  const entry = db.lookupBytes(keyBytes);
  const key = entry?.key ?? str(keyBytes);
  let current: number | bigint = 0;
  if (entry !== undefined) {
    if (entry.type !== 'string') wrongType();
    const parsed = parseInteger(entry.value);
    if (parsed === null) throw new ReplyError(ERR.notInteger);
    current = parsed;
  }
  let result: number | bigint;
  if (typeof by === 'number' && Math.abs(current as number) < EXACT && Math.abs(by) < EXACT) {
    result = (current as number) + by;
  } else {
    const old = entry === undefined ? 0n : (parseInt64(entry.value) as bigint);
    const incr = BigInt(by);
    if ((incr < 0n && old < 0n && incr < INT64_MIN - old) || (incr > 0n && old > 0n && incr > INT64_MAX - old)) {
      throw new ReplyError(ERR.overflow);
    }
    result = old + incr;
  }
  // A safe integer's digits are written straight into the value: no string.
  const text = typeof result === 'number' ? null : String(result);
  const length = text === null ? (result < 0 ? 1 : 0) + decimalDigits(Math.abs(result as number)) : text.length;
  const inPlace = overwritable(entry, length);
  const value = inPlace ?? allocBytes(length);
  if (text === null) writeDecimal(value, 0, result as number);
  else value.write(text, 'latin1');
  if (inPlace === null) {
    if (entry === undefined) db.put(key, 'string', value);
    else entry.value = value;
  }
  c.modified(key);
  keyEvent(c, NOTIFY.string, 'incrby', key);
  c.reply.integer(result);
}

/** An int64 argument: a number when it is a safe integer, else an exact bigint. */
function incrementArg(arg: Buffer): number | bigint {
  const n = parseInteger(arg);
  if (n === null) throw new ReplyError(ERR.notInteger);
  return Number.isSafeInteger(n) ? n : (parseInt64(arg) as bigint);
}

function incr(c: Client, argv: Buffer[]): void {
  incrDecr(c, argv[1], 1);
}

function decr(c: Client, argv: Buffer[]): void {
  incrDecr(c, argv[1], -1);
}

function incrby(c: Client, argv: Buffer[]): void {
  incrDecr(c, argv[1], incrementArg(argv[2]));
}

function decrby(c: Client, argv: Buffer[]): void {
  const by = incrementArg(argv[2]);
  if (by === INT64_MIN) throw new ReplyError(ERR.decrementOverflow);
  incrDecr(c, argv[1], typeof by === 'number' ? -by : -by);
}

// ---- INCRBYFLOAT ----

/** Logged as SET key <result> KEEPTTL, as Redis propagates it: replay needs no float arithmetic. */
function incrbyfloat(c: Client, argv: Buffer[]): void {
  const key = str(argv[1]);
  const db = c.db;
  const entry = db.lookup(key);
  if (entry !== undefined && entry.type !== 'string') wrongType();
  const result = incrByFloat(entry === undefined ? null : entry.value, argv[2]);
  if ('error' in result) throw new ReplyError(result.error === 'not-a-float' ? ERR.notFloat : ERR.nanOrInfinity);
  const value = Buffer.from(result.value, 'latin1');
  // createStringObjectFromLongDouble: embstr or raw, never int.
  stringFlags.set(value, NOT_INT);
  if (entry === undefined) db.put(key, 'string', value);
  else entry.value = value;
  c.modified(key);
  keyEvent(c, NOTIFY.string, 'incrbyfloat', key);
  c.log(['SET', key, value, 'KEEPTTL']);
  c.reply.bulk(value);
}

// ---- LCS ----

function lcs(c: Client, argv: Buffer[]): void {
  const entryA = lookupRead(c, str(argv[1]));
  const entryB = lookupRead(c, str(argv[2]));
  if ((entryA && entryA.type !== 'string') || (entryB && entryB.type !== 'string')) throw new ReplyError(ERR.lcsNotStrings);
  const a = (entryA?.value as Buffer | undefined) ?? EMPTY;
  const b = (entryB?.value as Buffer | undefined) ?? EMPTY;
  let getIdx = false;
  let getLen = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (isOption(argv[j], 'idx')) getIdx = true;
    else if (isOption(argv[j], 'len')) getLen = true;
    else if (isOption(argv[j], 'withmatchlen')) withMatchLen = true;
    else if (isOption(argv[j], 'minmatchlen') && more > 0) {
      const n = int64Arg(argv[++j]);
      minMatchLen = n < 0n ? 0 : n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
    } else throw new ReplyError(ERR.syntax);
  }
  if (getIdx && getLen) throw new ReplyError(ERR.lcsLenAndIdx);
  const alen = a.length;
  const blen = b.length;
  if (alen >= 0xffffffff - 1 || blen >= 0xffffffff - 1) throw new ReplyError(ERR.lcsTooLong);
  const width = blen + 1;
  if ((alen + 1) * width * 4 > c.server.config.protoMaxBulkLen) throw new ReplyError(ERR.lcsExceedsLimit);

  // table[i * width + j] = length of the LCS of a[0..i) and b[0..j).
  const table = new Uint32Array((alen + 1) * width);
  for (let i = 1; i <= alen; i++) {
    const ai = a[i - 1];
    const row = i * width;
    const prev = row - width;
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) table[row + j] = table[prev + j - 1] + 1;
      else {
        const up = table[prev + j];
        const left = table[row + j - 1];
        table[row + j] = up > left ? up : left;
      }
    }
  }
  const total = table[alen * width + blen];
  if (getLen) {
    c.reply.integer(total);
    return;
  }

  // Walk back from the end, building the string and the ranges as Redis does.
  const result = Buffer.allocUnsafe(total);
  const ranges: number[] = [];
  let idx = total;
  let aStart = alen;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j] > table[i * width + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (minMatchLen === 0 || matchLen >= minMatchLen) ranges.push(aStart, aEnd, bStart, bEnd, matchLen);
      aStart = alen;
    }
  }
  if (!getIdx) {
    c.reply.bulk(result);
    return;
  }
  const r = c.reply;
  r.map(2);
  r.bulk('matches');
  r.array(ranges.length / 5);
  for (let k = 0; k < ranges.length; k += 5) {
    r.array(withMatchLen ? 3 : 2);
    r.array(2);
    r.integer(ranges[k]);
    r.integer(ranges[k + 1]);
    r.array(2);
    r.integer(ranges[k + 2]);
    r.integer(ranges[k + 3]);
    if (withMatchLen) r.integer(ranges[k + 4]);
  }
  r.bulk('len');
  r.integer(total);
}

export const stringCommands: HandlerTable = {
  get,
  set,
  setnx,
  setex,
  psetex,
  getset,
  getdel,
  getex,
  mget,
  mset,
  msetnx,
  append,
  strlen,
  getrange,
  substr: getrange,
  setrange,
  incr,
  decr,
  incrby,
  decrby,
  incrbyfloat,
  lcs,
};
