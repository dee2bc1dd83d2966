// Set commands (t_set.c): SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD,
// SPOP, SRANDMEMBER, SMOVE, SINTER, SINTERCARD, SUNION, SDIFF, SINTERSTORE,
// SUNIONSTORE, SDIFFSTORE and SSCAN.
//
// A set is a Dict<null> of members, deleted when it becomes empty. The
// encoding (intset or hashtable) is keys.ts's encodingOf; writes report what
// they added to noteGrowth so that a conversion sticks as in Redis. An intset
// lists its members in numeric order, which replies keep. SPOP is random: it
// is logged as SREM of the members it removed (DEL when it took them all).
import { ERR } from '../errors.js';
import type { Client } from '../server/client.js';
import { notify, NOTIFY } from '../server/notify.js';
import { Dict } from '../store/dict.js';
import { newEntry } from '../store/keyspace.js';
import { deleteKey, entryOfType, type EntryOf, intArg, isOption, lookupRead, lookupReadTyped, lookupTyped, str } from './args.js';
import { collectionScan, type ScanStep } from './collection-scan.js';
import { encodingOf, noteGrowth } from './keys.js';
import { ReplyError } from './reply-error.js';
import { randomCountArg, randomDistinct, randomPick } from './sampling.js';
import type { HandlerTable } from './table.js';

type SetEntry = EntryOf<'set'>;

function newSet(c: Client, members = new Dict<null>()): SetEntry {
  return newEntry('set', members, c.server.keyspace.lruClock);
}

/** Integers in canonical form, compared exactly (doubles round beyond 2^53). */
function compareIntegers(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (x !== y) return x - y;
  const p = BigInt(a);
  const q = BigInt(b);
  return p < q ? -1 : p > q ? 1 : 0;
}

/** The members in the set's encoding order: ascending for an intset, else the dict's. */
function orderedMembers(c: Client, entry: SetEntry): Iterable<string> {
  if (encodingOf(c, entry) !== 'intset') return entry.value.keys();
  return [...entry.value.keys()].sort(compareIntegers);
}

/** After members were removed: the event (unless already sent), and the deletion of a set left empty. */
function removed(c: Client, key: string, set: Dict<null>, event: string | null): void {
  c.modified(key);
  if (event !== null) notify(c.server, NOTIFY.set, event, key, c.db.index);
  if (set.size === 0) {
    c.db.delete(key);
    notify(c.server, NOTIFY.generic, 'del', key, c.db.index);
  }
}

// ---- SADD, SREM ----

function sadd(c: Client, argv: Buffer[]): void {
  const key = str(argv[1]);
  let entry = entryOfType(c.db.lookup(key), 'set');
  if (entry === null) c.db.set(key, (entry = newSet(c)));
  let added = 0;
  for (let j = 2; j < argv.length; j++) if (entry.value.set(str(argv[j]), null)) added++;
  if (added > 0) {
    noteGrowth(c, entry, argv.slice(2));
    c.modified(key);
    notify(c.server, NOTIFY.set, 'sadd', key, c.db.index);
  }
  c.reply.integer(added);
}

function srem(c: Client, argv: Buffer[]): void {
  const key = str(argv[1]);
  const set = lookupTyped(c, key, 'set');
  let deleted = 0;
  if (set !== null) {
    for (let j = 2; j < argv.length && set.size > 0; j++) if (set.delete(str(argv[j]))) deleted++;
    if (deleted > 0) removed(c, key, set, 'srem');
  }
  c.reply.integer(deleted);
}

// ---- SISMEMBER, SMISMEMBER, SCARD ----

function sismember(c: Client, argv: Buffer[]): void {
  const set = lookupReadTyped(c, str(argv[1]), 'set');
  c.reply.integer(set?.has(str(argv[2])) ? 1 : 0);
}

function smismember(c: Client, argv: Buffer[]): void {
  const set = lookupReadTyped(c, str(argv[1]), 'set');
  c.reply.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) c.reply.integer(set?.has(str(argv[j])) ? 1 : 0);
}

function scard(c: Client, argv: Buffer[]): void {
  const set = lookupReadTyped(c, str(argv[1]), 'set');
  c.reply.integer(set === null ? 0 : set.size);
}

// ---- SINTER, SUNION, SDIFF, their STORE forms, SINTERCARD, SMEMBERS ----

type SetOp = 'inter' | 'union' | 'diff';

const STORE_EVENTS: Record<SetOp, string> = { inter: 'sinterstore', union: 'sunionstore', diff: 'sdiffstore' };

/**
 * sinterGenericCommand and sunionDiffGenericCommand: a new set holding the
 * members of op over the sets at keys (a missing key is an empty set; every
 * key is type-checked first). An intersection stops once it has `limit`
 * members (SINTERCARD; 0 is no limit).
 */
function combine(c: Client, op: SetOp, keys: Buffer[], limit = 0): SetEntry {
  const sets = keys.map((key) => entryOfType(lookupRead(c, str(key)), 'set')?.value ?? null);
  const result = new Dict<null>();
  if (op === 'union') {
    for (const set of sets) if (set !== null) for (const member of set.keys()) result.set(member, null);
  } else if (op === 'inter') {
    if (sets.every((set) => set !== null)) {
      // Walk the smallest set, probing the others.
      const bySize = (sets as Dict<null>[]).sort((a, b) => a.size - b.size);
      const [first, ...others] = bySize;
      for (const member of first.keys()) {
        if (!others.every((set) => set.has(member))) continue;
        result.set(member, null);
        if (result.size === limit) break;
      }
    }
  } else {
    const [first, ...others] = sets;
    if (first !== null) {
      const rest = others.filter((set): set is Dict<null> => set !== null);
      // Redis's choice of algorithm: probe every other set per member, or copy and remove.
      const restSize = rest.reduce((sum, set) => sum + set.size, 0);
      if ((first.size * (rest.length + 1)) / 2 <= first.size + restSize) {
        for (const member of first.keys()) if (!rest.some((set) => set.has(member))) result.set(member, null);
      } else {
        for (const member of first.keys()) result.set(member, null);
        for (const set of rest) for (const member of set.keys()) result.delete(member);
      }
    }
  }
  return newSet(c, result);
}

/** The *STORE forms: the result replaces dstkey (its TTL too), an empty one deletes it. */
function store(c: Client, op: SetOp, dstkey: string, result: SetEntry): void {
  const db = c.db;
  if (result.value.size > 0) {
    // The encoding the set reached while Redis built it member by member.
    encodingOf(c, result);
    db.set(dstkey, result);
    c.modified(dstkey);
    // Redis replies before it notifies the stored set, after it notifies a deletion.
    c.reply.integer(result.value.size);
    notify(c.server, NOTIFY.set, STORE_EVENTS[op], dstkey, db.index);
    return;
  }
  deleteKey(c, dstkey);
  c.reply.integer(0);
}

/** SINTER, SUNION, SDIFF over keys, or their STORE forms into dstkey. */
function setOpGeneric(c: Client, op: SetOp, keys: Buffer[], dstkey: string | null): void {
  const result = combine(c, op, keys);
  if (dstkey !== null) {
    store(c, op, dstkey, result);
    return;
  }
  c.reply.set(result.value.size);
  for (const member of orderedMembers(c, result)) c.reply.bulk(member);
}

function sinter(c: Client, argv: Buffer[]): void {
  setOpGeneric(c, 'inter', argv.slice(1), null);
}

function sunion(c: Client, argv: Buffer[]): void {
  setOpGeneric(c, 'union', argv.slice(1), null);
}

function sdiff(c: Client, argv: Buffer[]): void {
  setOpGeneric(c, 'diff', argv.slice(1), null);
}

function sinterstore(c: Client, argv: Buffer[]): void {
  setOpGeneric(c, 'inter', argv.slice(2), str(argv[1]));
}

function sunionstore(c: Client, argv: Buffer[]): void {
  setOpGeneric(c, 'union', argv.slice(2), str(argv[1]));
}

function sdiffstore(c: Client, argv: Buffer[]): void {
  setOpGeneric(c, 'diff', argv.slice(2), str(argv[1]));
}

function sintercard(c: Client, argv: Buffer[]): void {
  const numkeys = intArg(argv[1], ERR.numkeysPositive);
  if (numkeys < 1) throw new ReplyError(ERR.numkeysPositive);
  if (numkeys > argv.length - 2) throw new ReplyError(ERR.numkeysTooMany);
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    if (isOption(argv[j], 'limit') && j < argv.length - 1) {
      limit = intArg(argv[++j], ERR.limitNegative);
      if (limit < 0) throw new ReplyError(ERR.limitNegative);
    } else throw new ReplyError(ERR.syntax);
  }
  c.reply.integer(combine(c, 'inter', argv.slice(2, 2 + numkeys), limit).value.size);
}

/** SMEMBERS is SINTER of one set in Redis 7.0. */
function smembers(c: Client, argv: Buffer[]): void {
  const entry = entryOfType(lookupRead(c, str(argv[1])), 'set');
  c.reply.set(entry === null ? 0 : entry.value.size);
  if (entry !== null) for (const member of orderedMembers(c, entry)) c.reply.bulk(member);
}

// ---- SPOP, SRANDMEMBER ----

/** spopWithCountCommand: the whole set goes as SUNION of it and a DEL; fewer, as random members and an SREM. */
function spopWithCount(c: Client, argv: Buffer[]): void {
  const count = intArg(argv[2], ERR.mustBePositive);
  if (count < 0) throw new ReplyError(ERR.mustBePositive);
  const key = str(argv[1]);
  const set = lookupTyped(c, key, 'set');
  if (set === null || count === 0) {
    c.reply.set(0);
    return;
  }
  notify(c.server, NOTIFY.set, 'spop', key, c.db.index);
  if (count >= set.size) {
    setOpGeneric(c, 'union', [argv[1]], null);
    c.db.delete(key);
    c.modified(key);
    notify(c.server, NOTIFY.generic, 'del', key, c.db.index);
    c.log(['DEL', key]);
    return;
  }
  const members = randomDistinct(set, count);
  c.reply.set(members.length);
  for (const member of members) {
    set.delete(member);
    c.reply.bulk(member);
  }
  c.modified(key);
  c.log(['SREM', key, ...members]);
}

function spop(c: Client, argv: Buffer[]): void {
  if (argv.length > 3) throw new ReplyError(ERR.syntax);
  if (argv.length === 3) {
    spopWithCount(c, argv);
    return;
  }
  const key = str(argv[1]);
  const set = lookupTyped(c, key, 'set');
  if (set === null) {
    c.reply.nullBulk();
    return;
  }
  const member = set.randomKey() as string;
  set.delete(member);
  // spopCommand: the event, the reply, then the deletion of an emptied set.
  notify(c.server, NOTIFY.set, 'spop', key, c.db.index);
  c.reply.bulk(member);
  removed(c, key, set, null);
  c.log(['SREM', key, member]);
}

/** srandmemberWithCountCommand: a negative count may repeat members, a positive one never does. */
function srandmemberWithCount(c: Client, argv: Buffer[]): void {
  const n = randomCountArg(argv[2]);
  const entry = entryOfType(lookupRead(c, str(argv[1])), 'set');
  if (entry === null || n === 0n) {
    c.reply.array(0);
    return;
  }
  c.reply.bulkArray(randomPick(entry.value, n, () => orderedMembers(c, entry)));
}

function srandmember(c: Client, argv: Buffer[]): void {
  if (argv.length > 3) throw new ReplyError(ERR.syntax);
  if (argv.length === 3) {
    srandmemberWithCount(c, argv);
    return;
  }
  const set = lookupReadTyped(c, str(argv[1]), 'set');
  c.reply.bulkOrNull(set?.randomKey());
}

// ---- SMOVE ----

function smove(c: Client, argv: Buffer[]): void {
  const source = str(argv[1]);
  const destination = str(argv[2]);
  const member = str(argv[3]);
  const db = c.db;
  const sourceEntry = db.lookup(source);
  const destinationEntry = db.lookup(destination);
  if (sourceEntry === undefined) {
    c.reply.integer(0);
    return;
  }
  const from = entryOfType(sourceEntry, 'set') as SetEntry;
  let to = entryOfType(destinationEntry, 'set');
  if (from === to) {
    c.reply.integer(from.value.has(member) ? 1 : 0);
    return;
  }
  if (!from.value.delete(member)) {
    c.reply.integer(0);
    return;
  }
  removed(c, source, from.value, 'srem');
  if (to === null) db.set(destination, (to = newSet(c)));
  if (to.value.set(member, null)) {
    noteGrowth(c, to, [member]);
    c.modified(destination);
    notify(c.server, NOTIFY.set, 'sadd', destination, db.index);
  }
  c.reply.integer(1);
}

// ---- SSCAN ----

function sscan(c: Client, argv: Buffer[]): void {
  collectionScan(c, argv, (): ScanStep | null => {
    const entry = entryOfType(lookupRead(c, str(argv[1])), 'set');
    if (entry === null) return null;
    const set = entry.value;
    if (encodingOf(c, entry) === 'intset') {
      return (_cursor, _count, emit) => {
        for (const member of orderedMembers(c, entry)) emit(member);
        return 0;
      };
    }
    return (cursor, count, emit) => set.scan(cursor, count, (member) => emit(member));
  });
}

export const setCommands: HandlerTable = {
  sadd,
  srem,
  smembers,
  sismember,
  smismember,
  scard,
  spop,
  srandmember,
  smove,
  sinter,
  sintercard,
  sunion,
  sdiff,
  sinterstore,
  sunionstore,
  sdiffstore,
  sscan,
};
