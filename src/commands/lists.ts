// List commands (t_list.c): LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN,
// LRANGE, LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS, LMOVE, RPOPLPUSH, LMPOP,
// and the blocking BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP.
//
// A list is a Deque<Buffer> and is deleted when it becomes empty. A blocking
// command that finds data acts and is logged as its non-blocking form; one
// that finds none blocks (server/blocking.ts) and, when served later, logs the
// pop that happened then (LPOP/RPOP [count], LMOVE, RPOPLPUSH).
import { ERR, wrongArity } from '../errors.js';
import { copyBytes } from '../resp/bytes.js';
import { blockForKeys, mayBlock, timeoutArg } from '../server/blocking.js';
import type { Client } from '../server/client.js';
import { notify, NOTIFY } from '../server/notify.js';
import { Deque } from '../store/deque.js';
import { int64Arg, intArg, isOption, lookupReadTyped, lookupTyped, str } from './args.js';
import { ReplyError } from './reply-error.js';
import type { HandlerTable } from './table.js';

/** List-specific error texts, as redis-server 7.0.15 writes them. */
export const LIST_ERR = {
  indexOutOfRange: 'ERR index out of range',
  mustBePositive: 'ERR value is out of range, must be positive',
  numkeys: 'ERR numkeys should be greater than 0',
  count: 'ERR count should be greater than 0',
  rankZero: "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
  countNegative: "ERR COUNT can't be negative",
  maxlenNegative: "ERR MAXLEN can't be negative",
} as const;

type List = Deque<Buffer>;
/** LIST_HEAD / LIST_TAIL. */
type Where = 'left' | 'right';

const LONG_MIN = -9223372036854775808n;

/** getListPositionFromObjectOrReply: LEFT or RIGHT, case-insensitively. */
function whereArg(arg: Buffer): Where {
  if (isOption(arg, 'left')) return 'left';
  if (isOption(arg, 'right')) return 'right';
  throw new ReplyError(ERR.syntax);
}

/** getPositiveLongFromObjectOrReply / getRangeLongFromObjectOrReply with a message for every failure. */
function rangedArg(arg: Buffer, min: number, error: string): number {
  const n = intArg(arg, error);
  if (n < min) throw new ReplyError(error);
  return n;
}

function pop(list: List, where: Where): Buffer {
  return (where === 'left' ? list.popFront() : list.popBack()) as Buffer;
}

function push(list: List, value: Buffer, where: Where): void {
  if (where === 'left') list.pushFront(value);
  else list.pushBack(value);
}

/** notifyKeyspaceEvent for a list event on key of the client's database. */
function listEvent(c: Client, event: string, key: string): void {
  notify(c.server, NOTIFY.list, event, key, c.db.index);
}

/** The event of a pop from one end. */
function popEvent(where: Where): string {
  return where === 'left' ? 'lpop' : 'rpop';
}

/** listElementsRemoved: the event, then an emptied list is deleted (with "del"); the key is modified. */
function removed(c: Client, key: string, list: List, event: string): void {
  listEvent(c, event, key);
  if (list.length === 0) {
    c.db.delete(key);
    notify(c.server, NOTIFY.generic, 'del', key, c.db.index);
  }
  c.modified(key);
}

/** The list at key for writing, created when missing (WRONGTYPE checked by the caller). */
function createList(c: Client, key: string): List {
  const list = new Deque<Buffer>();
  c.db.put(key, 'list', list);
  return list;
}

// ---- LPUSH, RPUSH, LPUSHX, RPUSHX ----

function pushGeneric(c: Client, argv: Buffer[], where: Where, onlyIfExists: boolean): void {
  const key = str(argv[1]);
  let list = lookupTyped(c, key, 'list');
  if (list === null) {
    if (onlyIfExists) {
      c.reply.integer(0);
      return;
    }
    list = createList(c, key);
  }
  for (let j = 2; j < argv.length; j++) push(list, copyBytes(argv[j]), where);
  c.modified(key);
  c.reply.integer(list.length);
  listEvent(c, where === 'left' ? 'lpush' : 'rpush', key);
}

function lpush(c: Client, argv: Buffer[]): void {
  pushGeneric(c, argv, 'left', false);
}

function rpush(c: Client, argv: Buffer[]): void {
  pushGeneric(c, argv, 'right', false);
}

function lpushx(c: Client, argv: Buffer[]): void {
  pushGeneric(c, argv, 'left', true);
}

function rpushx(c: Client, argv: Buffer[]): void {
  pushGeneric(c, argv, 'right', true);
}

// ---- LPOP, RPOP ----

/** Pops up to count elements from one end, replying with them in pop order. */
function popRange(c: Client, key: string, list: List, where: Where, count: number): number {
  const n = Math.min(count, list.length);
  c.reply.array(n);
  for (let i = 0; i < n; i++) c.reply.bulk(pop(list, where));
  removed(c, key, list, popEvent(where));
  return n;
}

function popGeneric(c: Client, argv: Buffer[], where: Where): void {
  if (argv.length > 3) throw new ReplyError(wrongArity(where === 'left' ? 'lpop' : 'rpop'));
  const hasCount = argv.length === 3;
  const count = hasCount ? rangedArg(argv[2], 0, LIST_ERR.mustBePositive) : 0;
  const key = str(argv[1]);
  const list = lookupTyped(c, key, 'list');
  if (list === null) {
    if (hasCount) c.reply.nullArray();
    else c.reply.nullBulk();
    return;
  }
  if (!hasCount) {
    c.reply.bulk(pop(list, where));
    removed(c, key, list, popEvent(where));
  } else if (count === 0) c.reply.array(0);
  else popRange(c, key, list, where, count);
}

function lpop(c: Client, argv: Buffer[]): void {
  popGeneric(c, argv, 'left');
}

function rpop(c: Client, argv: Buffer[]): void {
  popGeneric(c, argv, 'right');
}

// ---- LLEN, LRANGE, LINDEX, LSET ----

function llen(c: Client, argv: Buffer[]): void {
  const list = lookupReadTyped(c, str(argv[1]), 'list');
  c.reply.integer(list === null ? 0 : list.length);
}

function lrange(c: Client, argv: Buffer[]): void {
  let start = intArg(argv[2]);
  let end = intArg(argv[3]);
  const list = lookupReadTyped(c, str(argv[1]), 'list');
  if (list === null) {
    c.reply.array(0);
    return;
  }
  const length = list.length;
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) {
    c.reply.array(0);
    return;
  }
  if (end >= length) end = length - 1;
  c.reply.array(end - start + 1);
  for (let i = start; i <= end; i++) c.reply.bulk(list.get(i) as Buffer);
}

function lindex(c: Client, argv: Buffer[]): void {
  const list = lookupReadTyped(c, str(argv[1]), 'list');
  if (list === null) {
    c.reply.nullBulk();
    return;
  }
  let index = intArg(argv[2]);
  if (index < 0) index += list.length;
  c.reply.bulkOrNull(list.get(index));
}

function lset(c: Client, argv: Buffer[]): void {
  const key = str(argv[1]);
  const list = lookupTyped(c, key, 'list');
  if (list === null) throw new ReplyError(ERR.noSuchKey);
  let index = intArg(argv[2]);
  if (index < 0) index += list.length;
  if (!list.set(index, copyBytes(argv[3]))) throw new ReplyError(LIST_ERR.indexOutOfRange);
  c.modified(key);
  c.reply.ok();
  listEvent(c, 'lset', key);
}

// ---- LINSERT, LREM, LTRIM ----

function linsert(c: Client, argv: Buffer[]): void {
  let after: boolean;
  if (isOption(argv[2], 'after')) after = true;
  else if (isOption(argv[2], 'before')) after = false;
  else throw new ReplyError(ERR.syntax);
  const key = str(argv[1]);
  const list = lookupTyped(c, key, 'list');
  if (list === null) {
    c.reply.integer(0);
    return;
  }
  const pivot = argv[3];
  let at = -1;
  for (let i = 0; i < list.length; i++) {
    if (pivot.equals(list.get(i) as Buffer)) {
      at = i;
      break;
    }
  }
  if (at < 0) {
    c.reply.integer(-1);
    return;
  }
  list.insert(after ? at + 1 : at, copyBytes(argv[4]));
  c.modified(key);
  listEvent(c, 'linsert', key);
  c.reply.integer(list.length);
}

function lrem(c: Client, argv: Buffer[]): void {
  const count = intArg(argv[2]);
  const key = str(argv[1]);
  const list = lookupTyped(c, key, 'list');
  if (list === null) {
    c.reply.integer(0);
    return;
  }
  const element = argv[3];
  const n = list.removeMatching((value) => element.equals(value), count);
  if (n > 0) removed(c, key, list, 'lrem');
  c.reply.integer(n);
}

function ltrim(c: Client, argv: Buffer[]): void {
  let start = intArg(argv[2]);
  let end = intArg(argv[3]);
  const key = str(argv[1]);
  const list = lookupTyped(c, key, 'list');
  if (list === null) {
    c.reply.ok();
    return;
  }
  const length = list.length;
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) list.clear();
  else {
    if (end >= length) end = length - 1;
    list.dropBack(length - end - 1);
    list.dropFront(start);
  }
  // Redis signals the key even when nothing was trimmed.
  removed(c, key, list, 'ltrim');
  c.reply.ok();
}

// ---- LPOS ----

function lpos(c: Client, argv: Buffer[]): void {
  let rank = 1;
  /** RANK LONG_MIN: -rank overflows and stays negative, so every match counts and COUNT never stops the scan. */
  let rankMin = false;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (isOption(argv[j], 'rank') && more > 0) {
      const r = int64Arg(argv[++j]);
      if (r === 0n) throw new ReplyError(LIST_ERR.rankZero);
      rankMin = r === LONG_MIN;
      rank = Number(r);
    } else if (isOption(argv[j], 'count') && more > 0) {
      count = rangedArg(argv[++j], 0, LIST_ERR.countNegative);
    } else if (isOption(argv[j], 'maxlen') && more > 0) {
      maxlen = rangedArg(argv[++j], 0, LIST_ERR.maxlenNegative);
    } else throw new ReplyError(ERR.syntax);
  }
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  const list = lookupReadTyped(c, str(argv[1]), 'list');
  if (list === null) {
    if (count !== -1) c.reply.array(0);
    else c.reply.nullBulk();
    return;
  }
  const element = argv[2];
  const length = list.length;
  const found: number[] = [];
  let matches = 0;
  for (let index = 0; index < length && (maxlen === 0 || index < maxlen); index++) {
    const at = fromTail ? length - 1 - index : index;
    if (!element.equals(list.get(at) as Buffer)) continue;
    matches++;
    if (!rankMin && matches < rank) continue;
    found.push(at);
    if (count === -1 || (count !== 0 && !rankMin && matches - rank + 1 >= count)) break;
  }
  if (count !== -1) {
    c.reply.array(found.length);
    for (const at of found) c.reply.integer(at);
  } else if (found.length > 0) c.reply.integer(found[0]);
  else c.reply.nullBulk();
}

// ---- LMOVE, RPOPLPUSH ----

/** Pops from source and pushes onto destination; the types were checked. */
function move(c: Client, source: string, list: List, destination: string, target: List | null, from: Where, to: Where): Buffer {
  const value = pop(list, from);
  // Popping first: when source is destination, a one-element list is not deleted in between.
  push(target ?? createList(c, destination), value, to);
  c.modified(destination);
  listEvent(c, to === 'left' ? 'lpush' : 'rpush', destination);
  c.reply.bulk(value);
  removed(c, source, list, popEvent(from));
  return value;
}

/** LMOVE source destination: null reply when source is missing; WRONGTYPE from either key. */
function lmoveGeneric(c: Client, source: string, destination: string, from: Where, to: Where): boolean {
  const list = lookupTyped(c, source, 'list');
  if (list === null) {
    c.reply.nullBulk();
    return false;
  }
  const target = lookupTyped(c, destination, 'list');
  move(c, source, list, destination, target, from, to);
  return true;
}

function lmove(c: Client, argv: Buffer[]): void {
  const from = whereArg(argv[3]);
  const to = whereArg(argv[4]);
  lmoveGeneric(c, str(argv[1]), str(argv[2]), from, to);
}

function rpoplpush(c: Client, argv: Buffer[]): void {
  lmoveGeneric(c, str(argv[1]), str(argv[2]), 'right', 'left');
}

// ---- LMPOP ----

interface MpopArgs {
  keys: string[];
  where: Where;
  count: number;
}

/** lmpopGenericCommand's parsing: numkeys, keys, LEFT|RIGHT, [COUNT n]. */
function mpopArgs(argv: Buffer[], numkeysIndex: number): MpopArgs {
  const numkeys = rangedArg(argv[numkeysIndex], 1, LIST_ERR.numkeys);
  const whereIndex = numkeysIndex + numkeys + 1;
  if (whereIndex >= argv.length) throw new ReplyError(ERR.syntax);
  const where = whereArg(argv[whereIndex]);
  let count = -1;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    if (count === -1 && isOption(argv[j], 'count') && j < argv.length - 1) {
      count = rangedArg(argv[++j], 1, LIST_ERR.count);
    } else throw new ReplyError(ERR.syntax);
  }
  const keys: string[] = [];
  for (let j = numkeysIndex + 1; j < whereIndex; j++) keys.push(str(argv[j]));
  return { keys, where, count: count === -1 ? 1 : count };
}

/** listPopRangeAndReplyWithKey: [key, [elements]], logged as [LR]POP key n. */
function popRangeWithKey(c: Client, key: string, list: List, where: Where, count: number): void {
  c.reply.array(2);
  c.reply.bulk(key);
  const n = popRange(c, key, list, where, count);
  c.log([where === 'left' ? 'LPOP' : 'RPOP', key, String(n)]);
}

/** The first of keys holding a non-empty list (WRONGTYPE stops the scan), or null. */
function firstList(c: Client, keys: string[]): [string, List] | null {
  for (const key of keys) {
    const list = lookupTyped(c, key, 'list');
    if (list !== null && list.length > 0) return [key, list];
  }
  return null;
}

function lmpop(c: Client, argv: Buffer[]): void {
  const { keys, where, count } = mpopArgs(argv, 1);
  const found = firstList(c, keys);
  if (found === null) c.reply.nullArray();
  else popRangeWithKey(c, found[0], found[1], where, count);
}

// ---- blocking: BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH ----

/** BLPOP/BRPOP's reply and log: [key, element], LPOP/RPOP key. */
function popOneWithKey(c: Client, key: string, list: List, where: Where): void {
  const value = pop(list, where);
  c.reply.array(2);
  c.reply.bulk(key);
  c.reply.bulk(value);
  removed(c, key, list, popEvent(where));
  c.log([where === 'left' ? 'LPOP' : 'RPOP', key]);
}

/** The list at a key the blocking layer found ready. */
function readyList(c: Client, key: string): List {
  return lookupTyped(c, key, 'list') as List;
}

/** blockingPopGenericCommand; count is -1 for BLPOP/BRPOP. */
function blockingPop(c: Client, keys: string[], where: Where, deadline: number, count: number): void {
  const found = firstList(c, keys);
  if (found !== null) {
    if (count === -1) popOneWithKey(c, found[0], found[1], where);
    else popRangeWithKey(c, found[0], found[1], where, count);
    return;
  }
  if (!mayBlock(c)) {
    c.reply.nullArray();
    return;
  }
  blockForKeys(c, keys, 'list', deadline, (c, key) => {
    if (count === -1) popOneWithKey(c, key, readyList(c, key), where);
    else popRangeWithKey(c, key, readyList(c, key), where, count);
  });
}

function bpopGeneric(c: Client, argv: Buffer[], where: Where): void {
  const deadline = timeoutArg(c, argv[argv.length - 1]);
  const keys: string[] = [];
  for (let j = 1; j < argv.length - 1; j++) keys.push(str(argv[j]));
  blockingPop(c, keys, where, deadline, -1);
}

function blpop(c: Client, argv: Buffer[]): void {
  bpopGeneric(c, argv, 'left');
}

function brpop(c: Client, argv: Buffer[]): void {
  bpopGeneric(c, argv, 'right');
}

function blmpop(c: Client, argv: Buffer[]): void {
  const { keys, where, count } = mpopArgs(argv, 2);
  const deadline = timeoutArg(c, argv[1]);
  blockingPop(c, keys, where, deadline, count);
}

/** blmoveGenericCommand; logged as LMOVE (RPOPLPUSH for BRPOPLPUSH). */
function blmoveGeneric(c: Client, source: string, destination: string, from: Where, to: Where, deadline: number, rpoplpushForm: boolean): void {
  const effect = (): (string | Buffer)[] =>
    rpoplpushForm ? ['RPOPLPUSH', source, destination] : ['LMOVE', source, destination, from.toUpperCase(), to.toUpperCase()];
  const list = lookupTyped(c, source, 'list');
  if (list !== null) {
    if (lmoveGeneric(c, source, destination, from, to)) c.log(effect());
    return;
  }
  if (!mayBlock(c)) {
    c.reply.nullBulk();
    return;
  }
  blockForKeys(c, [source], 'list', deadline, (c, key) => {
    // A destination of another type: the client gets WRONGTYPE and stops waiting.
    const target = lookupTyped(c, destination, 'list');
    move(c, key, readyList(c, key), destination, target, from, to);
    c.log(effect());
  });
}

function blmove(c: Client, argv: Buffer[]): void {
  const from = whereArg(argv[3]);
  const to = whereArg(argv[4]);
  const deadline = timeoutArg(c, argv[5]);
  blmoveGeneric(c, str(argv[1]), str(argv[2]), from, to, deadline, false);
}

function brpoplpush(c: Client, argv: Buffer[]): void {
  const deadline = timeoutArg(c, argv[3]);
  blmoveGeneric(c, str(argv[1]), str(argv[2]), 'right', 'left', deadline, true);
}

export const listCommands: HandlerTable = {
  lpush,
  rpush,
  lpushx,
  rpushx,
  lpop,
  rpop,
  llen,
  lrange,
  lindex,
  lset,
  linsert,
  lrem,
  ltrim,
  lpos,
  lmove,
  rpoplpush,
  lmpop,
  blpop,
  brpop,
  blmpop,
  blmove,
  brpoplpush,
};
