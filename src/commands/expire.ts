// Key expiry: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX/XX/GT/LT), TTL,
// PTTL, EXPIRETIME, PEXPIRETIME, PERSIST, plus exact absolute expiry times
// shared with SET/GETEX/RENAME/COPY/MOVE.
//
// Redis keeps expiry times as signed 64-bit milliseconds; the keyspace keeps
// a double. Times beyond 2^53 (PEXPIREAT k 9223372036854775807 is legal)
// also go into a side table of exact values, so PEXPIRETIME answers exactly.
// Expiry changes are logged as absolute PEXPIREAT (or DEL for a time already
// past), as Redis propagates them.
import { ERR, invalidExpireTime, unsupportedOption } from '../errors.js';
import { INT64_MAX, INT64_MIN, parseInt64 } from '../resp/integers.js';
import type { Client } from '../server/client.js';
import { notify, NOTIFY } from '../server/notify.js';
import type { Database } from '../store/keyspace.js';
import { isOption, lookupRead, str } from './args.js';
import { ReplyError } from './reply-error.js';
import type { HandlerTable } from './table.js';

/** Exact times of expiries that a double cannot hold, per expires map (it moves with SWAPDB). */
const exactTimes = new WeakMap<Map<string, number>, Map<string, bigint>>();

/** Key's absolute expiry in ms, exact, or undefined when it has none. */
export function getExpireExact(db: Database, key: string): bigint | undefined {
  const when = db.expireAt(key);
  return when === undefined ? undefined : exactExpireTime(db.expires, key, when);
}

/** The exact time of `when`, what the expires map holds for key. */
export function exactExpireTime(expires: Map<string, number>, key: string, when: number): bigint {
  if (Number.isSafeInteger(when)) return BigInt(when);
  const exact = exactTimes.get(expires)?.get(key);
  // A stale entry (the time was changed through another path) does not match.
  return exact !== undefined && Number(exact) === when ? exact : BigInt(when);
}

/** Sets key's absolute expiry to `when` ms (exact over int64). */
export function setExpireExact(db: Database, key: string, when: bigint | number): void {
  const approx = Number(when);
  db.setExpire(key, approx);
  if (Number.isSafeInteger(approx)) return;
  let exact = exactTimes.get(db.expires);
  if (!exact) exactTimes.set(db.expires, (exact = new Map()));
  exact.set(key, BigInt(when));
}

/** Copies key's expiry in `from` to `toKey` in `to` (RENAME, MOVE, COPY). */
export function copyExpire(from: Database, key: string, to: Database, toKey: string): void {
  const when = getExpireExact(from, key);
  if (when !== undefined) setExpireExact(to, toKey, when);
}

/** Redis's checkAlreadyExpired: a time at or before now deletes instead (not while replaying the log). */
export function alreadyExpired(c: Client, when: bigint): boolean {
  return when <= BigInt(c.server.keyspace.now) && !c.server.keyspace.replaying;
}

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

/** expireGenericCommand: `basetime` is now for EXPIRE/PEXPIRE, 0 for the absolute forms. */
function expireGeneric(c: Client, argv: Buffer[], relative: boolean, seconds: boolean, name: string): void {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    if (isOption(opt, 'nx')) flags |= NX;
    else if (isOption(opt, 'xx')) flags |= XX;
    else if (isOption(opt, 'gt')) flags |= GT;
    else if (isOption(opt, 'lt')) flags |= LT;
    else throw new ReplyError(unsupportedOption(opt));
  }
  if (flags & NX && flags & (XX | GT | LT)) throw new ReplyError(ERR.expireNxAndOthers);
  if (flags & GT && flags & LT) throw new ReplyError(ERR.expireGtAndLt);

  let when = parseInt64(argv[2]);
  if (when === null) throw new ReplyError(ERR.notInteger);
  if (seconds) {
    // LLONG_MAX / 1000 and LLONG_MIN / 1000, truncated as C divides.
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) throw new ReplyError(invalidExpireTime(name));
    when *= 1000n;
  }
  if (relative) {
    const base = BigInt(c.server.keyspace.now);
    if (when > INT64_MAX - base) throw new ReplyError(invalidExpireTime(name));
    when += base;
  }

  const key = str(argv[1]);
  const db = c.db;
  if (db.lookup(key) === undefined) {
    c.reply.integer(0);
    return;
  }
  if (flags) {
    const current = getExpireExact(db, key);
    if (
      (flags & NX && current !== undefined) ||
      (flags & XX && current === undefined) ||
      (flags & GT && (current === undefined || when <= current)) ||
      (flags & LT && current !== undefined && when >= current)
    ) {
      c.reply.integer(0);
      return;
    }
  }
  if (alreadyExpired(c, when)) {
    db.delete(key);
    c.modified(key);
    notify(c.server, NOTIFY.generic, 'del', key, db.index);
    c.log(['DEL', key]);
    c.reply.integer(1);
  } else {
    setExpireExact(db, key, when);
    c.reply.integer(1);
    c.modified(key);
    notify(c.server, NOTIFY.generic, 'expire', key, db.index);
    c.log(['PEXPIREAT', key, String(when)]);
  }
}

function expire(c: Client, argv: Buffer[]): void {
  expireGeneric(c, argv, true, true, 'expire');
}

function pexpire(c: Client, argv: Buffer[]): void {
  expireGeneric(c, argv, true, false, 'pexpire');
}

function expireat(c: Client, argv: Buffer[]): void {
  expireGeneric(c, argv, false, true, 'expireat');
}

function pexpireat(c: Client, argv: Buffer[]): void {
  expireGeneric(c, argv, false, false, 'pexpireat');
}

/** ttlGenericCommand: -2 missing, -1 no expiry; seconds are rounded as (ms + 500) / 1000. */
function ttlGeneric(c: Client, argv: Buffer[], ms: boolean, absolute: boolean): void {
  const key = str(argv[1]);
  if (lookupRead(c, key, false) === undefined) {
    c.reply.integer(-2);
    return;
  }
  const db = c.db;
  const when = db.expireAt(key);
  if (when === undefined) {
    c.reply.integer(-1);
    return;
  }
  if (Number.isSafeInteger(when)) {
    let ttl = absolute ? when : when - c.server.keyspace.now;
    if (ttl < 0) ttl = 0;
    c.reply.integer(ms ? ttl : Math.floor((ttl + 500) / 1000));
    return;
  }
  // Beyond 2^53: exact (Redis 7.0.15 does not wrap ttl + 500 around either).
  let ttl = absolute ? (getExpireExact(db, key) as bigint) : (getExpireExact(db, key) as bigint) - BigInt(c.server.keyspace.now);
  if (ttl < 0n) ttl = 0n;
  c.reply.integer(ms ? ttl : (ttl + 500n) / 1000n);
}

function ttl(c: Client, argv: Buffer[]): void {
  ttlGeneric(c, argv, false, false);
}

function pttl(c: Client, argv: Buffer[]): void {
  ttlGeneric(c, argv, true, false);
}

function expiretime(c: Client, argv: Buffer[]): void {
  ttlGeneric(c, argv, false, true);
}

function pexpiretime(c: Client, argv: Buffer[]): void {
  ttlGeneric(c, argv, true, true);
}

function persist(c: Client, argv: Buffer[]): void {
  const key = str(argv[1]);
  const db = c.db;
  if (db.lookup(key) === undefined || !db.persist(key)) {
    c.reply.integer(0);
    return;
  }
  c.modified(key);
  notify(c.server, NOTIFY.generic, 'persist', key, db.index);
  c.reply.integer(1);
}

export const expireCommands: HandlerTable = { expire, pexpire, expireat, pexpireat, ttl, pttl, expiretime, pexpiretime, persist };
