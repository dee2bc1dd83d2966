// Argument parsing shared by every command family, with Redis's error replies.
// Parsers throw ReplyError, so handlers validate everything before writing.
import { ERR } from '../errors.js';
import { parseInteger, parseInt64 } from '../resp/integers.js';
import { string2d } from '../resp/strtod.js';
import type { Client } from '../server/client.js';
import { notify, NOTIFY } from '../server/notify.js';
import type { KeyEntry, TypeName, ValueTypes } from '../store/keyspace.js';
import { ReplyError } from './reply-error.js';

/** dbDelete, signalModifiedKey and the "del" event; false when key was not there. */
export function deleteKey(c: Client, key: string): boolean {
  if (!c.db.delete(key)) return false;
  c.modified(key);
  notify(c.server, NOTIFY.generic, 'del', key, c.db.index);
  return true;
}

/**
 * A STORE form's result (BITOP, SORT ... STORE): a value replaces dest,
 * dropping its TTL, and notifies `event` of class `type`; null deletes dest
 * instead (an expired dest expires first), with "del".
 */
export function storeOrDelete<T extends TypeName>(c: Client, dest: string, valueType: T, value: ValueTypes[T] | null, type: number, event: string): void {
  const db = c.db;
  if (value !== null) {
    db.put(dest, valueType, value);
    c.modified(dest);
    notify(c.server, type, event, dest, db.index);
    return;
  }
  if (db.expires.size > 0) db.expireIfNeeded(dest);
  deleteKey(c, dest);
}

/** A key, member or field: the argument's bytes as a latin1 string. */
export function str(arg: Buffer): string {
  return arg.toString('latin1');
}

/** An option keyword, case-insensitively. */
export function keyword(arg: Buffer): string {
  return arg.toString('latin1').toLowerCase();
}

/** A 64-bit integer argument as a number (exact up to 2^53; use int64Arg beyond). */
export function intArg(arg: Buffer, error: string = ERR.notInteger): number {
  const n = parseInteger(arg, 0, arg.length);
  if (n === null) throw new ReplyError(error);
  return n;
}

/** A 64-bit integer argument, exact. */
export function int64Arg(arg: Buffer, error: string = ERR.notInteger): bigint {
  const n = parseInt64(arg);
  if (n === null) throw new ReplyError(error);
  return n;
}

/** An integer argument in [min, max]. */
export function rangedIntArg(arg: Buffer, min: number, max: number, error: string = ERR.notInteger): number {
  const n = intArg(arg, error);
  if (n < min || n > max) throw new ReplyError(error);
  return n;
}

/** A double as Redis's string2d (strtod over the whole string): no spaces, no NaN, no range error; "inf" and hex allowed. */
export function floatArg(arg: Buffer, error: string = ERR.notFloat): number {
  const value = string2d(arg.toString('latin1'));
  if (value === null) throw new ReplyError(error);
  return value;
}

/** The key's value when it has the given type, null when missing; WRONGTYPE otherwise. */
export function lookupTyped<T extends TypeName>(c: Client, key: string, type: T): ValueTypes[T] | null {
  const entry = c.db.lookup(key);
  if (entry === undefined) return null;
  if (entry.type !== type) throw new ReplyError(ERR.wrongType);
  return entry.value as ValueTypes[T];
}

/** A key's entry of one type. */
export type EntryOf<T extends TypeName> = Extract<KeyEntry, { type: T }>;

/** The entry (from lookup or lookupRead) when it has the given type, null when missing; WRONGTYPE otherwise. */
export function entryOfType<T extends TypeName>(entry: KeyEntry | undefined, type: T): EntryOf<T> | null {
  if (entry === undefined) return null;
  if (entry.type !== type) throw new ReplyError(ERR.wrongType);
  return entry as EntryOf<T>;
}

/** Fails with WRONGTYPE when key exists with another type. */
export function checkType(c: Client, key: string, type: TypeName): void {
  lookupTyped(c, key, type);
}

/**
 * A read lookup (Redis's lookupKeyRead): the key's entry or undefined when
 * missing or expired, counting INFO keyspace_hits/keyspace_misses. `touch`
 * false is LOOKUP_NOTOUCH (TYPE, EXISTS, TTL, OBJECT): the access time stays;
 * `notifyMiss` false is LOOKUP_NONOTIFY (OBJECT): no `keymiss` event.
 */
export function lookupRead(c: Client, key: string, touch = true, notifyMiss = true): KeyEntry | undefined {
  const db = c.db;
  let entry: KeyEntry | undefined;
  if (touch) entry = db.lookup(key);
  else {
    entry = db.keys.get(key);
    if (entry !== undefined && db.expires.size > 0 && db.expireIfNeeded(key)) entry = undefined;
  }
  if (entry === undefined) {
    if (notifyMiss) keyMiss(c, key);
    else c.server.stats.keyspaceMisses++;
  } else c.server.stats.keyspaceHits++;
  return entry;
}

/** A read found no key: INFO keyspace_misses and the `keymiss` event. */
export function keyMiss(c: Client, key: string): void {
  c.server.stats.keyspaceMisses++;
  notify(c.server, NOTIFY.keyMiss, 'keymiss', key, c.db.index);
}

/** lookupRead of a key that must hold `type` (WRONGTYPE otherwise); null when missing. */
export function lookupReadTyped<T extends TypeName>(c: Client, key: string, type: T): ValueTypes[T] | null {
  const entry = lookupRead(c, key);
  if (entry === undefined) return null;
  if (entry.type !== type) throw new ReplyError(ERR.wrongType);
  return entry.value as ValueTypes[T];
}

/**
 * Whether an option argument is `word` (lowercase) as Redis's strcasecmp sees
 * it: case-insensitive and read as a C string, so "NX\0junk" is NX.
 */
export function isOption(arg: Buffer, word: string): boolean {
  const n = word.length;
  if (arg.length < n || (arg.length > n && arg[n] !== 0)) return false;
  for (let i = 0; i < n; i++) {
    let b = arg[i];
    if (b >= 65 && b <= 90) b += 32;
    if (b !== word.charCodeAt(i)) return false;
  }
  return true;
}
