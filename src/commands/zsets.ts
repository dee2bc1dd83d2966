// Sorted set commands (t_zset.c): ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE,
// ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT, ZRANGE and ZRANGESTORE with the older
// Z[REV]RANGE[BYSCORE|BYLEX], ZREMRANGEBYRANK/SCORE/LEX, ZPOPMIN, ZPOPMAX,
// ZMPOP and the blocking BZPOPMIN, BZPOPMAX, BZMPOP, ZRANDMEMBER, ZUNION,
// ZINTER, ZDIFF and their STORE forms, ZINTERCARD, ZSCAN.
//
// A sorted set is a SortedSet and is deleted when it becomes empty. Scores are
// doubles, replied as Redis formats them (%.17g; RESP3 doubles). Replay is
// deterministic (elements order by score, then member; a logged score is the
// client's own text, parsed again the same way), so commands are logged as
// they are, except pops whose count depends on the data: ZMPOP and blocking
// pops (at once or served later) log ZPOPMIN/ZPOPMAX key [count].
import { ERR, noInputKeys } from '../errors.js';
import { formatDouble } from '../resp/double.js';
import { strtod } from '../resp/strtod.js';
import { blockForKeys, mayBlock, timeoutArg } from '../server/blocking.js';
import type { Client } from '../server/client.js';
import { notify, NOTIFY } from '../server/notify.js';
import type { KeyEntry } from '../store/keyspace.js';
import { SortedSet, clampRankRange, parseLexRange, type LexRange, type ScoreRange, type ZEntry } from '../store/sorted-set.js';
import { deleteKey, entryOfType, floatArg, intArg, isOption, lookupRead, lookupReadTyped, lookupTyped, rangedIntArg, str } from './args.js';
import { collectionScan } from './collection-scan.js';
import { encodingOf } from './keys.js';
import { ReplyError } from './reply-error.js';
import { LONG_MAX, randomCountArg, randomPick } from './sampling.js';
import type { HandlerTable } from './table.js';

/** ZSET_MIN / ZSET_MAX: the end pops take from. */
type Where = 'min' | 'max';

// ---- shared parts ----

/** zslParseRange's bound: "(" makes it exclusive, the rest is strtod's to the end of the C string, not NaN. */
function scoreBound(arg: Buffer): [number, boolean] {
  const text = str(arg);
  const exclusive = text.charCodeAt(0) === 40; // (
  const { value, end } = strtod(text, exclusive ? 1 : 0);
  if ((end < text.length && text.charCodeAt(end) !== 0) || Number.isNaN(value)) throw new ReplyError(ERR.minMaxNotFloat);
  return [value, exclusive];
}

function scoreRangeArgs(min: Buffer, max: Buffer): ScoreRange {
  const [lo, minex] = scoreBound(min);
  const [hi, maxex] = scoreBound(max);
  return { min: lo, max: hi, minex, maxex };
}

function lexRangeArgs(min: Buffer, max: Buffer): LexRange {
  const range = parseLexRange(str(min), str(max));
  if (range === null) throw new ReplyError(ERR.minMaxNotLex);
  return range;
}

/** How elements are replied: members only, scores after members (flat), or [member, score] pairs. */
type ScoreStyle = 'none' | 'flat' | 'pairs';

/** WITHSCORES replies: one flat array in RESP2, nested pairs in RESP3 (order matters, so not a map). */
function withScoresStyle(c: Client, withScores: boolean): ScoreStyle {
  if (!withScores) return 'none';
  return c.reply.resp === 3 ? 'pairs' : 'flat';
}

/** Writes the elements without the array header. */
function writeEntries(c: Client, entries: readonly ZEntry[], style: ScoreStyle): void {
  for (const { member, score } of entries) {
    if (style === 'pairs') c.reply.array(2);
    c.reply.bulk(member);
    if (style !== 'none') c.reply.double(score);
  }
}

function replyEntries(c: Client, entries: readonly ZEntry[], style: ScoreStyle): void {
  c.reply.array(style === 'flat' ? entries.length * 2 : entries.length);
  writeEntries(c, entries, style);
}

/**
 * Redis converts a growing listpack to a skiplist at once and never back;
 * encodingOf() records that conversion when it sees the big form, so it is
 * asked after every write that adds members.
 */
function settleEncoding(c: Client, key: string): void {
  const entry = c.db.keys.get(key);
  if (entry !== undefined) encodingOf(c, entry);
}

function isListpack(c: Client, key: string): boolean {
  const entry = c.db.keys.get(key);
  return entry !== undefined && encodingOf(c, entry) === 'listpack';
}

/**
 * A listpack holds scores as text and reads "-0" back as 0; a skiplist keeps
 * -0. Asked right after members were written (a write may have converted the
 * sorted set), so Redis's order of conversion and insertion is kept.
 */
function listpackZeros(c: Client, key: string, zset: SortedSet, members: readonly string[]): void {
  if (!isListpack(c, key)) return;
  for (const member of members) {
    zset.remove(member);
    zset.add(member, 0);
  }
}

/** After members were removed: the event (null: already sent), then an emptied sorted set is deleted (with "del"); the key is modified. */
function afterRemoval(c: Client, key: string, zset: SortedSet, event: string | null): void {
  if (event !== null) notify(c.server, NOTIFY.zset, event, key, c.db.index);
  if (zset.length === 0) {
    c.db.delete(key);
    notify(c.server, NOTIFY.generic, 'del', key, c.db.index);
  }
  c.modified(key);
}

/** A STORE command's result replaces dst (any type, TTL dropped) and its size is replied; an empty one deletes dst. */
function storeResult(c: Client, dst: string, zset: SortedSet, event: string): void {
  if (zset.length > 0) {
    c.db.put(dst, 'zset', zset);
    settleEncoding(c, dst);
    const zeros = zset.rangeByScore({ min: 0, max: 0, minex: false, maxex: false }).filter((e) => Object.is(e.score, -0));
    if (zeros.length > 0) listpackZeros(c, dst, zset, zeros.map((e) => e.member));
    c.modified(dst);
    // Redis replies before it notifies the stored set.
    c.reply.integer(zset.length);
    notify(c.server, NOTIFY.zset, event, dst, c.db.index);
    return;
  }
  c.reply.integer(0);
  deleteKey(c, dst);
}

// ---- ZADD, ZINCRBY ----

/** zaddGenericCommand: ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ..., and ZINCRBY (INCR given). */
function zaddGeneric(c: Client, argv: Buffer[], incrCommand: boolean): void {
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  let ch = false;
  let incr = incrCommand;
  // Options come first; the first argument that is none starts the pairs (ZINCRBY parses them too).
  let scoreIndex = 2;
  for (; scoreIndex < argv.length; scoreIndex++) {
    const opt = argv[scoreIndex];
    if (isOption(opt, 'nx')) nx = true;
    else if (isOption(opt, 'xx')) xx = true;
    else if (isOption(opt, 'ch')) ch = true;
    else if (isOption(opt, 'incr')) incr = true;
    else if (isOption(opt, 'gt')) gt = true;
    else if (isOption(opt, 'lt')) lt = true;
    else break;
  }
  const args = argv.length - scoreIndex;
  if (args === 0 || args % 2 !== 0) throw new ReplyError(ERR.syntax);
  if (nx && xx) throw new ReplyError(ERR.zaddXxAndNx);
  if ((gt && nx) || (lt && nx) || (gt && lt)) throw new ReplyError(ERR.zaddGtLtNx);
  if (incr && args > 2) throw new ReplyError(ERR.zaddIncrPair);
  const scores: number[] = [];
  for (let j = scoreIndex; j < argv.length; j += 2) scores.push(floatArg(argv[j]));

  const key = str(argv[1]);
  let zset = lookupTyped(c, key, 'zset');
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  if (zset === null && !xx) {
    zset = new SortedSet();
    c.db.put(key, 'zset', zset);
  }
  if (zset !== null) {
    for (let i = 0; i < scores.length; i++) {
      const member = str(argv[scoreIndex + 2 * i + 1]);
      let next = scores[i];
      const current = zset.score(member);
      if (current === undefined) {
        if (xx) continue;
        zset.add(member, next);
        added++;
        if (Object.is(next, -0)) listpackZeros(c, key, zset, [member]);
      } else {
        if (nx) continue;
        if (incr) {
          next += current;
          // Only an existing member can be reached here, so nothing was written yet.
          if (Number.isNaN(next)) throw new ReplyError(ERR.scoreNaN);
        }
        if ((lt && next >= current) || (gt && next <= current)) continue;
        // Equal scores (0 and -0 too) leave the element as it is.
        if (next !== current) {
          zset.add(member, next);
          updated++;
          if (Object.is(next, -0)) listpackZeros(c, key, zset, [member]);
        }
      }
      processed++;
      score = next;
    }
  }
  if (added + updated > 0) {
    c.modified(key);
    if (added > 0) settleEncoding(c, key);
  }
  if (incr) {
    if (processed > 0) c.reply.double(score);
    else c.reply.nullBulk();
  } else c.reply.integer(ch ? added + updated : added);
  // zaddGenericCommand notifies after its reply.
  if (added + updated > 0) notify(c.server, NOTIFY.zset, incr ? 'zincr' : 'zadd', key, c.db.index);
}

function zadd(c: Client, argv: Buffer[]): void {
  zaddGeneric(c, argv, false);
}

function zincrby(c: Client, argv: Buffer[]): void {
  zaddGeneric(c, argv, true);
}

// ---- ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT ----

function zrem(c: Client, argv: Buffer[]): void {
  const key = str(argv[1]);
  const zset = lookupTyped(c, key, 'zset');
  if (zset === null) {
    c.reply.integer(0);
    return;
  }
  let deleted = 0;
  for (let j = 2; j < argv.length && zset.length > 0; j++) if (zset.remove(str(argv[j]))) deleted++;
  if (deleted > 0) afterRemoval(c, key, zset, 'zrem');
  c.reply.integer(deleted);
}

function zcard(c: Client, argv: Buffer[]): void {
  const zset = lookupReadTyped(c, str(argv[1]), 'zset');
  c.reply.integer(zset === null ? 0 : zset.length);
}

function zscore(c: Client, argv: Buffer[]): void {
  const score = lookupReadTyped(c, str(argv[1]), 'zset')?.score(str(argv[2]));
  if (score === undefined) c.reply.nullBulk();
  else c.reply.double(score);
}

function zmscore(c: Client, argv: Buffer[]): void {
  const zset = lookupReadTyped(c, str(argv[1]), 'zset');
  c.reply.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = zset?.score(str(argv[j]));
    if (score === undefined) c.reply.nullBulk();
    else c.reply.double(score);
  }
}

function rankGeneric(c: Client, argv: Buffer[], reverse: boolean): void {
  const rank = lookupReadTyped(c, str(argv[1]), 'zset')?.rank(str(argv[2]), reverse);
  if (rank === undefined) c.reply.nullBulk();
  else c.reply.integer(rank);
}

function zrank(c: Client, argv: Buffer[]): void {
  rankGeneric(c, argv, false);
}

function zrevrank(c: Client, argv: Buffer[]): void {
  rankGeneric(c, argv, true);
}

function zcount(c: Client, argv: Buffer[]): void {
  const range = scoreRangeArgs(argv[2], argv[3]);
  const zset = lookupReadTyped(c, str(argv[1]), 'zset');
  c.reply.integer(zset === null ? 0 : zset.countByScore(range));
}

function zlexcount(c: Client, argv: Buffer[]): void {
  const range = lexRangeArgs(argv[2], argv[3]);
  const zset = lookupReadTyped(c, str(argv[1]), 'zset');
  c.reply.integer(zset === null ? 0 : zset.countByLex(range));
}

// ---- ZRANGE, ZRANGESTORE, ZREVRANGE, Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX ----

type RangeType = 'auto' | 'rank' | 'score' | 'lex';
type Direction = 'auto' | 'forward' | 'reverse';

/**
 * zrangeGenericCommand: argv[keyIndex] is the source, then min, max and the
 * options; ZRANGE and ZRANGESTORE (dst given) take BYSCORE/BYLEX/REV, the
 * older commands fix the range type and direction.
 */
function rangeGeneric(c: Client, argv: Buffer[], keyIndex: number, dst: string | null, type: RangeType, direction: Direction): void {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = keyIndex + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const opt = argv[j];
    if (dst === null && isOption(opt, 'withscores')) withScores = true;
    else if (isOption(opt, 'limit') && left >= 2) {
      offset = intArg(argv[j + 1]);
      limit = intArg(argv[j + 2]);
      j += 2;
    } else if (direction === 'auto' && isOption(opt, 'rev')) direction = 'reverse';
    else if (type === 'auto' && isOption(opt, 'bylex')) type = 'lex';
    else if (type === 'auto' && isOption(opt, 'byscore')) type = 'score';
    else throw new ReplyError(ERR.syntax);
  }
  const by = type === 'auto' ? 'rank' : type;
  const reverse = direction === 'reverse';
  // As Redis: "LIMIT 0 -1" is no limit, so it passes with a rank range.
  if (limit !== -1 && by === 'rank') throw new ReplyError(ERR.limitNeedsByScoreOrLex);
  if (withScores && by === 'lex') throw new ReplyError(ERR.withscoresWithByLex);
  // Reverse score and lex ranges are written max first.
  let [minArg, maxArg] = [argv[keyIndex + 1], argv[keyIndex + 2]];
  if (reverse && by !== 'rank') [minArg, maxArg] = [maxArg, minArg];
  let select: (zset: SortedSet) => ZEntry[];
  if (by === 'rank') {
    const start = intArg(minArg);
    const end = intArg(maxArg);
    select = (zset) => {
      const ranks = clampRankRange(start, end, zset.length);
      return ranks === null ? [] : zset.rangeByRank(ranks[0], ranks[1], reverse);
    };
  } else if (by === 'score') {
    const range = scoreRangeArgs(minArg, maxArg);
    // A negative offset walks past the end in Redis: nothing.
    select = (zset) => (offset < 0 ? [] : zset.rangeByScore(range, reverse, offset, limit));
  } else {
    const range = lexRangeArgs(minArg, maxArg);
    select = (zset) => (offset < 0 ? [] : zset.rangeByLex(range, reverse, offset, limit));
  }
  const zset = lookupReadTyped(c, str(argv[keyIndex]), 'zset');
  const entries = zset === null ? [] : select(zset);
  if (dst === null) {
    replyEntries(c, entries, withScoresStyle(c, withScores));
    return;
  }
  const result = new SortedSet();
  for (const { member, score } of entries) result.add(member, score);
  storeResult(c, dst, result, 'zrangestore');
}

function zrange(c: Client, argv: Buffer[]): void {
  rangeGeneric(c, argv, 1, null, 'auto', 'auto');
}

function zrangestore(c: Client, argv: Buffer[]): void {
  rangeGeneric(c, argv, 2, str(argv[1]), 'auto', 'auto');
}

function zrevrange(c: Client, argv: Buffer[]): void {
  rangeGeneric(c, argv, 1, null, 'rank', 'reverse');
}

function zrangebyscore(c: Client, argv: Buffer[]): void {
  rangeGeneric(c, argv, 1, null, 'score', 'forward');
}

function zrevrangebyscore(c: Client, argv: Buffer[]): void {
  rangeGeneric(c, argv, 1, null, 'score', 'reverse');
}

function zrangebylex(c: Client, argv: Buffer[]): void {
  rangeGeneric(c, argv, 1, null, 'lex', 'forward');
}

function zrevrangebylex(c: Client, argv: Buffer[]): void {
  rangeGeneric(c, argv, 1, null, 'lex', 'reverse');
}

// ---- ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX ----

/** zremrangeGenericCommand: the range is parsed before the key is looked up. */
function zremrangeGeneric(c: Client, argv: Buffer[], by: 'rank' | 'score' | 'lex'): void {
  const key = str(argv[1]);
  let remove: (zset: SortedSet) => number;
  if (by === 'rank') {
    const start = intArg(argv[2]);
    const end = intArg(argv[3]);
    remove = (zset) => {
      const ranks = clampRankRange(start, end, zset.length);
      return ranks === null ? 0 : zset.deleteRangeByRank(ranks[0], ranks[1]);
    };
  } else if (by === 'score') {
    const range = scoreRangeArgs(argv[2], argv[3]);
    remove = (zset) => zset.deleteRangeByScore(range);
  } else {
    const range = lexRangeArgs(argv[2], argv[3]);
    remove = (zset) => zset.deleteRangeByLex(range, isListpack(c, key));
  }
  const zset = lookupTyped(c, key, 'zset');
  const deleted = zset === null ? 0 : remove(zset);
  if (zset !== null && deleted > 0) afterRemoval(c, key, zset, `zremrangeby${by}`);
  c.reply.integer(deleted);
}

function zremrangebyrank(c: Client, argv: Buffer[]): void {
  zremrangeGeneric(c, argv, 'rank');
}

function zremrangebyscore(c: Client, argv: Buffer[]): void {
  zremrangeGeneric(c, argv, 'score');
}

function zremrangebylex(c: Client, argv: Buffer[]): void {
  zremrangeGeneric(c, argv, 'lex');
}

// ---- ZPOPMIN, ZPOPMAX, ZMPOP, BZPOPMIN, BZPOPMAX, BZMPOP ----

/**
 * genericZpopCommand on a sorted set: pops count elements (-1: one) from
 * `where` and replies them flat or as pairs, after the key when withKey
 * (BZPOP*: flat after the key; ZMPOP/BZMPOP: [key, pairs]). Returns how many.
 */
function popAndReply(c: Client, key: string, zset: SortedSet, where: Where, count: number, withKey: boolean, nested: boolean): number {
  const n = count === -1 ? 1 : count;
  const popped = where === 'min' ? zset.popMin(n) : zset.popMax(n);
  const style: ScoreStyle = nested ? 'pairs' : 'flat';
  if (withKey && nested) {
    c.reply.array(2);
    c.reply.bulk(key);
  }
  if (withKey && !nested) {
    c.reply.array(popped.length * 2 + 1);
    c.reply.bulk(key);
  } else c.reply.array(style === 'flat' ? popped.length * 2 : popped.length);
  // As genericZpopCommand: the event goes out after the headers and the key, before the first element.
  notify(c.server, NOTIFY.zset, where === 'min' ? 'zpopmin' : 'zpopmax', key, c.db.index);
  writeEntries(c, popped, style);
  afterRemoval(c, key, zset, null);
  return popped.length;
}

function zpopGeneric(c: Client, argv: Buffer[], where: Where): void {
  if (argv.length > 3) throw new ReplyError(ERR.syntax);
  const count = argv.length === 3 ? rangedIntArg(argv[2], 0, Infinity, ERR.mustBePositive) : -1;
  const key = str(argv[1]);
  const zset = lookupTyped(c, key, 'zset');
  if (zset === null || count === 0) c.reply.array(0);
  // RESP3 answers a COUNT with pairs; one element, and RESP2, stay flat.
  else popAndReply(c, key, zset, where, count, false, c.reply.resp === 3 && count !== -1);
}

function zpopmin(c: Client, argv: Buffer[]): void {
  zpopGeneric(c, argv, 'min');
}

function zpopmax(c: Client, argv: Buffer[]): void {
  zpopGeneric(c, argv, 'max');
}

/** A pop by key name (ZMPOP, blocking pops): replied with the key, logged as ZPOPMIN/ZPOPMAX key [n]; count -1 is BZPOP*'s one. */
function popWithKey(c: Client, key: string, zset: SortedSet, where: Where, count: number): void {
  const n = popAndReply(c, key, zset, where, count, true, count !== -1);
  const name = where === 'min' ? 'ZPOPMIN' : 'ZPOPMAX';
  c.log(count === -1 ? [name, key] : [name, key, String(n)]);
}

/** The first of keys holding a sorted set (WRONGTYPE stops the scan), or null. */
function firstZset(c: Client, keys: string[]): [string, SortedSet] | null {
  for (const key of keys) {
    const zset = lookupTyped(c, key, 'zset');
    if (zset !== null) return [key, zset];
  }
  return null;
}

interface MpopArgs {
  keys: string[];
  where: Where;
  count: number;
}

/** zmpopGenericCommand's parsing: numkeys, keys, MIN|MAX, [COUNT n]. */
function mpopArgs(argv: Buffer[], numkeysIndex: number): MpopArgs {
  const numkeys = rangedIntArg(argv[numkeysIndex], 1, Infinity, ERR.numkeysPositive);
  const whereIndex = numkeysIndex + numkeys + 1;
  if (whereIndex >= argv.length) throw new ReplyError(ERR.syntax);
  let where: Where;
  if (isOption(argv[whereIndex], 'min')) where = 'min';
  else if (isOption(argv[whereIndex], 'max')) where = 'max';
  else throw new ReplyError(ERR.syntax);
  let count = -1;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    if (count === -1 && isOption(argv[j], 'count') && j < argv.length - 1) count = rangedIntArg(argv[++j], 1, Infinity, ERR.countPositive);
    else throw new ReplyError(ERR.syntax);
  }
  const keys: string[] = [];
  for (let j = numkeysIndex + 1; j < whereIndex; j++) keys.push(str(argv[j]));
  return { keys, where, count: count === -1 ? 1 : count };
}

function zmpop(c: Client, argv: Buffer[]): void {
  const { keys, where, count } = mpopArgs(argv, 1);
  const found = firstZset(c, keys);
  if (found === null) c.reply.nullArray();
  else popWithKey(c, found[0], found[1], where, count);
}

/** blockingGenericZpopCommand; count is -1 for BZPOPMIN/BZPOPMAX. */
function blockingPop(c: Client, keys: string[], where: Where, deadline: number, count: number): void {
  const found = firstZset(c, keys);
  if (found !== null) {
    popWithKey(c, found[0], found[1], where, count);
    return;
  }
  if (!mayBlock(c)) {
    c.reply.nullArray();
    return;
  }
  blockForKeys(c, keys, 'zset', deadline, (c, key) => popWithKey(c, key, lookupTyped(c, key, 'zset') as SortedSet, where, count));
}

function bzpopGeneric(c: Client, argv: Buffer[], where: Where): void {
  const deadline = timeoutArg(c, argv[argv.length - 1]);
  blockingPop(c, argv.slice(1, -1).map(str), where, deadline, -1);
}

function bzpopmin(c: Client, argv: Buffer[]): void {
  bzpopGeneric(c, argv, 'min');
}

function bzpopmax(c: Client, argv: Buffer[]): void {
  bzpopGeneric(c, argv, 'max');
}

function bzmpop(c: Client, argv: Buffer[]): void {
  const { keys, where, count } = mpopArgs(argv, 2);
  const deadline = timeoutArg(c, argv[1]);
  blockingPop(c, keys, where, deadline, count);
}

// ---- ZRANDMEMBER ----

function zrandmember(c: Client, argv: Buffer[]): void {
  if (argv.length < 3) {
    const zset = lookupReadTyped(c, str(argv[1]), 'zset');
    if (zset === null) c.reply.nullBulk();
    else c.reply.bulk(zset.dict.randomKey() as string);
    return;
  }
  const n = randomCountArg(argv[2]);
  if (argv.length > 4 || (argv.length === 4 && !isOption(argv[3], 'withscores'))) throw new ReplyError(ERR.syntax);
  const withScores = argv.length === 4;
  // The reply of count pairs must not overflow a long.
  if (withScores && (n < -LONG_MAX / 2n || n > LONG_MAX / 2n)) throw new ReplyError(ERR.outOfRange);
  const zset = lookupReadTyped(c, str(argv[1]), 'zset');
  if (zset === null || n === 0n) {
    c.reply.array(0);
    return;
  }
  // All of them: Redis walks from the highest score.
  const all = function* () {
    for (const { member } of zset.entries(true)) yield member;
  };
  const entries = randomPick(zset.dict, n, all).map((member) => zset.dict.get(member) as ZEntry);
  replyEntries(c, entries, withScoresStyle(c, withScores));
}

// ---- ZUNION, ZINTER, ZDIFF, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZINTERCARD ----

type SetOp = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

/** An input: a sorted set, a set (every member scores 1) or a missing key (empty). */
interface Source {
  size: number;
  weight: number;
  members(): Iterable<ZEntry>;
  score(member: string): number | undefined;
}

function source(entry: KeyEntry | undefined): Source {
  if (entry === undefined) return { size: 0, weight: 1, members: () => [], score: () => undefined };
  if (entry.type === 'zset') {
    const zset = entry.value;
    return { size: zset.length, weight: 1, members: () => zset, score: (member) => zset.score(member) };
  }
  if (entry.type === 'set') {
    const set = entry.value;
    return {
      size: set.size,
      weight: 1,
      members: () => [...set.keys()].map((member) => ({ member, score: 1 })),
      score: (member) => (set.has(member) ? 1 : undefined),
    };
  }
  throw new ReplyError(ERR.wrongType);
}

/** zunionInterAggregate; a sum of opposite infinities is 0. */
function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === 'sum') {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (how === 'min') return value < target ? value : target;
  return value > target ? value : target;
}

/** A weighted score; 0 * inf is 0. */
function weighted(score: number, weight: number): number {
  const value = weight * score;
  return Number.isNaN(value) ? 0 : value;
}

/**
 * zunionInterDiffGenericCommand: numkeys at argv[numkeysIndex], the keys,
 * then WEIGHTS / AGGREGATE (not for ZDIFF), WITHSCORES (not for STORE forms)
 * or LIMIT (ZINTERCARD). The result is stored at dst, counted
 * (cardinalityOnly) or replied.
 */
function setOperation(c: Client, argv: Buffer[], name: string, dst: string | null, numkeysIndex: number, op: SetOp, cardinalityOnly = false): void {
  const setnum = intArg(argv[numkeysIndex]);
  if (setnum < 1) throw new ReplyError(noInputKeys(name));
  if (setnum > argv.length - (numkeysIndex + 1)) throw new ReplyError(ERR.syntax);
  const sources: Source[] = [];
  let j = numkeysIndex + 1;
  for (; sources.length < setnum; j++) sources.push(source(lookupRead(c, str(argv[j]))));
  let how: Aggregate = 'sum';
  let withScores = false;
  let limit = 0;
  const weighable = op !== 'diff' && !cardinalityOnly;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const opt = argv[j];
    if (weighable && remaining >= setnum + 1 && isOption(opt, 'weights')) {
      j++;
      for (const src of sources) src.weight = floatArg(argv[j++], ERR.weightNotFloat);
    } else if (weighable && remaining >= 2 && isOption(opt, 'aggregate')) {
      const value = argv[j + 1];
      if (isOption(value, 'sum')) how = 'sum';
      else if (isOption(value, 'min')) how = 'min';
      else if (isOption(value, 'max')) how = 'max';
      else throw new ReplyError(ERR.syntax);
      j += 2;
    } else if (dst === null && !cardinalityOnly && isOption(opt, 'withscores')) {
      withScores = true;
      j++;
    } else if (cardinalityOnly && remaining >= 2 && isOption(opt, 'limit')) {
      limit = rangedIntArg(argv[j + 1], 0, Infinity, ERR.limitNegative);
      j += 2;
    } else throw new ReplyError(ERR.syntax);
  }
  // Smallest first, as Redis's qsort (glibc's is a stable merge sort): sums
  // are added in this order, which can change their last bits.
  if (op !== 'diff') sources.sort((a, b) => a.size - b.size);
  const [first, ...rest] = sources;
  const result = new SortedSet();
  let cardinality = 0;
  if (op === 'inter') {
    // The smallest is empty: so is the intersection.
    for (const { member, score: own } of first.size > 0 ? first.members() : []) {
      let score = weighted(own, first.weight);
      let everywhere = true;
      for (const other of rest) {
        const found = other.score(member);
        if (found === undefined) {
          everywhere = false;
          break;
        }
        score = aggregate(score, found * other.weight, how);
      }
      if (!everywhere) continue;
      if (!cardinalityOnly) result.add(member, score);
      else if (++cardinality === limit) break;
    }
  } else if (op === 'union') {
    const scores = new Map<string, number>();
    for (const src of sources) {
      for (const { member, score } of src.members()) {
        const value = weighted(score, src.weight);
        const previous = scores.get(member);
        scores.set(member, previous === undefined ? value : aggregate(previous, value, how));
      }
    }
    for (const [member, score] of scores) result.add(member, score);
  } else {
    // The first input's members found in no other one, with their own scores.
    for (const { member, score } of first.members()) {
      if (rest.every((other) => other.score(member) === undefined)) result.add(member, score);
    }
  }
  if (dst !== null) storeResult(c, dst, result, `z${op}store`);
  else if (cardinalityOnly) c.reply.integer(cardinality);
  else replyEntries(c, [...result], withScoresStyle(c, withScores));
}

function zunion(c: Client, argv: Buffer[]): void {
  setOperation(c, argv, 'zunion', null, 1, 'union');
}

function zinter(c: Client, argv: Buffer[]): void {
  setOperation(c, argv, 'zinter', null, 1, 'inter');
}

function zdiff(c: Client, argv: Buffer[]): void {
  setOperation(c, argv, 'zdiff', null, 1, 'diff');
}

function zunionstore(c: Client, argv: Buffer[]): void {
  setOperation(c, argv, 'zunionstore', str(argv[1]), 2, 'union');
}

function zinterstore(c: Client, argv: Buffer[]): void {
  setOperation(c, argv, 'zinterstore', str(argv[1]), 2, 'inter');
}

function zdiffstore(c: Client, argv: Buffer[]): void {
  setOperation(c, argv, 'zdiffstore', str(argv[1]), 2, 'diff');
}

function zintercard(c: Client, argv: Buffer[]): void {
  setOperation(c, argv, 'zintercard', null, 1, 'inter', true);
}

// ---- ZSCAN ----

/** Scores are scanned as text; a small (listpack) sorted set is returned whole, in order. */
function zscan(c: Client, argv: Buffer[]): void {
  collectionScan(c, argv, () => {
    const entry = entryOfType(lookupRead(c, str(argv[1])), 'zset');
    if (entry === null) return null;
    const zset = entry.value;
    if (encodingOf(c, entry) === 'listpack') {
      return (_cursor, _count, emit) => {
        for (const { member, score } of zset) emit(member, formatDouble(score));
        return 0;
      };
    }
    return (cursor, count, emit) => zset.scan(cursor, count, ({ member, score }) => emit(member, formatDouble(score)));
  });
}

export const zsetCommands: HandlerTable = {
  zadd,
  zincrby,
  zrem,
  zcard,
  zscore,
  zmscore,
  zrank,
  zrevrank,
  zcount,
  zlexcount,
  zrange,
  zrangestore,
  zrevrange,
  zrangebyscore,
  zrevrangebyscore,
  zrangebylex,
  zrevrangebylex,
  zremrangebyrank,
  zremrangebyscore,
  zremrangebylex,
  zpopmin,
  zpopmax,
  zmpop,
  bzpopmin,
  bzpopmax,
  bzmpop,
  zrandmember,
  zunion,
  zinter,
  zdiff,
  zunionstore,
  zinterstore,
  zdiffstore,
  zintercard,
  zscan,
};
