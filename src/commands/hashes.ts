// Hash commands (t_hash.c): HSET, HMSET, HSETNX, HGET, HMGET, HDEL, HEXISTS,
// HLEN, HSTRLEN, HKEYS, HVALS, HGETALL, HINCRBY, HINCRBYFLOAT, HRANDFIELD and
// HSCAN.
//
// A hash is a Dict<Buffer> (field -> value), deleted when it becomes empty.
// Its Map keeps insertion order, which is a listpack's order; the encoding
// (listpack or hashtable) is keys.ts's encodingOf, and writes report what they
// added to noteGrowth so that a conversion sticks as in Redis. HINCRBYFLOAT is
// logged as HSET with the result, as Redis propagates it.
import { ERR, wrongArity } from '../errors.js';
import { copyBytes } from '../resp/bytes.js';
import { parseInteger, parseInt64 } from '../resp/integers.js';
import type { Client } from '../server/client.js';
import { notify, NOTIFY } from '../server/notify.js';
import { Dict } from '../store/dict.js';
import { newEntry } from '../store/keyspace.js';
import { addLongDouble, formatLongDouble, isFiniteLongDouble, parseLongDouble } from '../store/long-double.js';
import { entryOfType, type EntryOf, isOption, lookupRead, lookupReadTyped, lookupTyped, str } from './args.js';
import { collectionScan, type ScanStep } from './collection-scan.js';
import { encodingOf, noteGrowth } from './keys.js';
import { ReplyError } from './reply-error.js';
import { LONG_MAX, randomCountArg, randomPick } from './sampling.js';
import type { HandlerTable } from './table.js';

type Hash = Dict<Buffer>;

function createHash(c: Client, key: string): EntryOf<'hash'> {
  const entry: EntryOf<'hash'> = newEntry('hash', new Dict<Buffer>(), c.server.keyspace.lruClock);
  c.db.set(key, entry);
  return entry;
}

/** hashTypeLookupWriteOrCreate: the hash's entry, created empty when missing; WRONGTYPE otherwise. */
function hashForWrite(c: Client, key: string): EntryOf<'hash'> {
  return entryOfType(c.db.lookup(key), 'hash') ?? createHash(c, key);
}

/** Sets field to a copy of value (argv views the socket chunk); true when the field is new. */
function setField(hash: Hash, field: Buffer, value: Buffer): boolean {
  return hash.set(str(field), copyBytes(value));
}

/** Deletes the key of a hash left empty; notifies the given event and the deletion. */
function changed(c: Client, key: string, hash: Hash, event: string): void {
  c.modified(key);
  notify(c.server, NOTIFY.hash, event, key, c.db.index);
  if (hash.size === 0) {
    c.db.delete(key);
    notify(c.server, NOTIFY.generic, 'del', key, c.db.index);
  }
}

// ---- HSET, HMSET, HSETNX ----

/** HSET replies with the number of new fields, HMSET with OK. */
function hsetGeneric(c: Client, argv: Buffer[], name: 'hset' | 'hmset'): void {
  if (argv.length % 2 === 1) throw new ReplyError(wrongArity(name));
  const key = str(argv[1]);
  const entry = hashForWrite(c, key);
  let created = 0;
  for (let j = 2; j < argv.length; j += 2) if (setField(entry.value, argv[j], argv[j + 1])) created++;
  noteGrowth(c, entry, argv.slice(2));
  // Redis replies before it notifies (hsetCommand, hsetnxCommand, hincrby*).
  if (name === 'hset') c.reply.integer(created);
  else c.reply.ok();
  changed(c, key, entry.value, 'hset');
}

function hset(c: Client, argv: Buffer[]): void {
  hsetGeneric(c, argv, 'hset');
}

function hmset(c: Client, argv: Buffer[]): void {
  hsetGeneric(c, argv, 'hmset');
}

function hsetnx(c: Client, argv: Buffer[]): void {
  const key = str(argv[1]);
  const existing = entryOfType(c.db.lookup(key), 'hash');
  if (existing !== null && existing.value.has(str(argv[2]))) {
    c.reply.integer(0);
    return;
  }
  const entry = existing ?? createHash(c, key);
  setField(entry.value, argv[2], argv[3]);
  noteGrowth(c, entry, [argv[2], argv[3]]);
  c.reply.integer(1);
  changed(c, key, entry.value, 'hset');
}

// ---- HGET, HMGET, HEXISTS, HLEN, HSTRLEN ----

function hget(c: Client, argv: Buffer[]): void {
  const hash = lookupReadTyped(c, str(argv[1]), 'hash');
  c.reply.bulkOrNull(hash?.get(str(argv[2])));
}

function hmget(c: Client, argv: Buffer[]): void {
  const hash = lookupReadTyped(c, str(argv[1]), 'hash');
  c.reply.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) c.reply.bulkOrNull(hash?.get(str(argv[j])));
}

function hexists(c: Client, argv: Buffer[]): void {
  const hash = lookupReadTyped(c, str(argv[1]), 'hash');
  c.reply.integer(hash?.has(str(argv[2])) ? 1 : 0);
}

function hlen(c: Client, argv: Buffer[]): void {
  const hash = lookupReadTyped(c, str(argv[1]), 'hash');
  c.reply.integer(hash === null ? 0 : hash.size);
}

function hstrlen(c: Client, argv: Buffer[]): void {
  const hash = lookupReadTyped(c, str(argv[1]), 'hash');
  c.reply.integer(hash?.get(str(argv[2]))?.length ?? 0);
}

// ---- HDEL ----

function hdel(c: Client, argv: Buffer[]): void {
  const key = str(argv[1]);
  const hash = lookupTyped(c, key, 'hash');
  let deleted = 0;
  if (hash !== null) {
    for (let j = 2; j < argv.length && hash.size > 0; j++) if (hash.delete(str(argv[j]))) deleted++;
    if (deleted > 0) changed(c, key, hash, 'hdel');
  }
  c.reply.integer(deleted);
}

// ---- HKEYS, HVALS, HGETALL ----

function hkeys(c: Client, argv: Buffer[]): void {
  const hash = lookupReadTyped(c, str(argv[1]), 'hash');
  c.reply.array(hash === null ? 0 : hash.size);
  if (hash !== null) for (const field of hash.keys()) c.reply.bulk(field);
}

function hvals(c: Client, argv: Buffer[]): void {
  const hash = lookupReadTyped(c, str(argv[1]), 'hash');
  c.reply.array(hash === null ? 0 : hash.size);
  if (hash !== null) for (const value of hash.values()) c.reply.bulk(value);
}

function hgetall(c: Client, argv: Buffer[]): void {
  const hash = lookupReadTyped(c, str(argv[1]), 'hash');
  c.reply.map(hash === null ? 0 : hash.size);
  if (hash === null) return;
  for (const [field, value] of hash) {
    c.reply.bulk(field);
    c.reply.bulk(value);
  }
}

// ---- HINCRBY, HINCRBYFLOAT ----

/** Below this, number arithmetic is exact. */
const EXACT = 2 ** 52;

/** The field's value plus incr (incrArg's value): errors when it is not an integer or the sum leaves int64. */
function incremented(current: Buffer | undefined, incr: number, incrArg: Buffer): number | bigint {
  const old = current === undefined ? 0 : parseInteger(current);
  if (old === null) throw new ReplyError(ERR.hashNotInteger);
  if (Math.abs(old) < EXACT && Math.abs(incr) < EXACT) return old + incr;
  const sum = (current === undefined ? 0n : (parseInt64(current) as bigint)) + (parseInt64(incrArg) as bigint);
  if (BigInt.asIntN(64, sum) !== sum) throw new ReplyError(ERR.overflow);
  return sum;
}

/** HINCRBY/HINCRBYFLOAT's write: field set to value in the hash at key, created when missing. */
function putField(c: Client, key: string, existing: EntryOf<'hash'> | null, field: string, value: Buffer): Hash {
  const entry = existing ?? createHash(c, key);
  entry.value.set(field, value);
  noteGrowth(c, entry, [field, value]);
  return entry.value;
}

function hincrby(c: Client, argv: Buffer[]): void {
  const incr = parseInteger(argv[3]);
  if (incr === null) throw new ReplyError(ERR.notInteger);
  const key = str(argv[1]);
  const field = str(argv[2]);
  const existing = entryOfType(c.db.lookup(key), 'hash');
  const result = incremented(existing?.value.get(field), incr, argv[3]);
  const hash = putField(c, key, existing, field, Buffer.from(String(result), 'latin1'));
  c.reply.integer(result);
  changed(c, key, hash, 'hincrby');
}

function hincrbyfloat(c: Client, argv: Buffer[]): void {
  const incr = parseLongDouble(argv[3]);
  if (incr === null) throw new ReplyError(ERR.notFloat);
  if (!isFiniteLongDouble(incr)) throw new ReplyError(ERR.nanOrInfinityValue);
  const key = str(argv[1]);
  const field = str(argv[2]);
  const existing = entryOfType(c.db.lookup(key), 'hash');
  const current = existing?.value.get(field);
  const old = current === undefined ? parseLongDouble('0') : parseLongDouble(current);
  if (old === null) throw new ReplyError(ERR.hashNotFloat);
  const sum = addLongDouble(old, incr);
  if (!isFiniteLongDouble(sum)) throw new ReplyError(ERR.nanOrInfinity);
  const value = Buffer.from(formatLongDouble(sum), 'latin1');
  const hash = putField(c, key, existing, field, value);
  c.reply.bulk(value);
  changed(c, key, hash, 'hincrbyfloat');
  c.log(['HSET', key, field, value]);
}

// ---- HRANDFIELD ----

/** One field, or one [field, value] pair (a nested array in RESP3, flat in RESP2). */
function replyField(c: Client, hash: Hash, field: string, withValues: boolean): void {
  if (withValues && c.reply.resp === 3) c.reply.array(2);
  c.reply.bulk(field);
  if (withValues) c.reply.bulk(hash.get(field) as Buffer);
}

/** hrandfieldWithCountCommand: a negative count may repeat fields, a positive one never does. */
function hrandfieldWithCount(c: Client, argv: Buffer[]): void {
  const n = randomCountArg(argv[2]);
  if (argv.length > 4 || (argv.length === 4 && !isOption(argv[3], 'withvalues'))) throw new ReplyError(ERR.syntax);
  const withValues = argv.length === 4;
  // Twice the count must fit a long: the RESP2 reply has a field and a value each.
  if (withValues && (n < -LONG_MAX / 2n || n > LONG_MAX / 2n)) throw new ReplyError(ERR.outOfRange);
  const hash = lookupReadTyped(c, str(argv[1]), 'hash');
  if (hash === null || n === 0n) {
    c.reply.array(0);
    return;
  }
  const fields = randomPick(hash, n, () => hash.keys());
  c.reply.array(withValues && c.reply.resp === 2 ? fields.length * 2 : fields.length);
  for (const field of fields) replyField(c, hash, field, withValues);
}

function hrandfield(c: Client, argv: Buffer[]): void {
  if (argv.length >= 3) {
    hrandfieldWithCount(c, argv);
    return;
  }
  const hash = lookupReadTyped(c, str(argv[1]), 'hash');
  c.reply.bulkOrNull(hash?.randomKey());
}

// ---- HSCAN ----

function hscan(c: Client, argv: Buffer[]): void {
  collectionScan(c, argv, (): ScanStep | null => {
    const entry = entryOfType(lookupRead(c, str(argv[1])), 'hash');
    if (entry === null) return null;
    const hash = entry.value;
    if (encodingOf(c, entry) === 'listpack') {
      return (_cursor, _count, emit) => {
        for (const [field, value] of hash) emit(field, value);
        return 0;
      };
    }
    return (cursor, count, emit) => hash.scan(cursor, count, emit);
  });
}

export const hashCommands: HandlerTable = {
  hset,
  hmset,
  hsetnx,
  hget,
  hmget,
  hexists,
  hlen,
  hstrlen,
  hdel,
  hkeys,
  hvals,
  hgetall,
  hincrby,
  hincrbyfloat,
  hrandfield,
  hscan,
};
