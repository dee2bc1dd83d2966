// SORT and SORT_RO (sort.c) on lists, sets and sorted sets: BY (a weight key
// pattern, a hash field `pattern->field`, or a constant meaning "do not
// sort"), GET patterns and `#`, LIMIT, ASC/DESC, ALPHA, and STORE (SORT only)
// which writes the result as a list, or deletes the destination when empty.
//
// SORT ... STORE is logged as itself: given the same keyspace the result is
// the same (a set sorted BY a constant is sorted ALPHA when storing, as
// Redis does for replication, and ties keep the input order).
//
// Elements, keys and patterns are latin1 strings: comparing them with < is
// comparing bytes, as memcmp does.
import { ERR } from '../errors.js';
import type { Client } from '../server/client.js';
import { NOTIFY } from '../server/notify.js';
import { copyBytes } from '../resp/bytes.js';
import { Deque } from '../store/deque.js';
import type { KeyEntry } from '../store/keyspace.js';
import { intArg, isOption, lookupRead, storeOrDelete, str } from './args.js';
import { ReplyError } from './reply-error.js';
import type { HandlerTable } from './table.js';

// ---- strtod ----

const SPACE = /^[ \t\n\v\f\r]*/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const HEX = /^([+-]?)0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+))(?:[pP]([+-]?\d+))?/;
const INF = /^[+-]?inf(?:inity)?/i;
const NAN = /^[+-]?nan/i;

/** A hexadecimal float's value ("1.8", exponent 1 -> 3). */
function hexFloat(digits: string, exponent: number): number {
  const [whole, fraction = ''] = digits.split('.');
  let value = 0;
  for (const d of whole + fraction) value = value * 16 + parseInt(d, 16);
  return value * 2 ** (exponent - 4 * fraction.length);
}

/**
 * The score SORT reads from a string (strtod + its checks in sortCommand):
 * null when Redis says "One or more scores can't be converted into double":
 * junk after the number, ERANGE (overflow, underflow) or NaN. strtod stops at
 * a NUL byte and takes the empty string as 0.
 */
export function sortScore(text: string): number | null {
  const nul = text.indexOf('\0');
  if (nul >= 0) text = text.slice(0, nul);
  if (text.length === 0) return 0;
  const lead = (SPACE.exec(text) as RegExpExecArray)[0].length;
  const rest = text.slice(lead);
  let m: RegExpExecArray | null;
  if ((m = HEX.exec(rest))) {
    if (m[0].length !== rest.length) return null;
    const value = hexFloat(m[2], m[3] === undefined ? 0 : Number(m[3]));
    if (!Number.isFinite(value) || (value === 0 && /[1-9a-fA-F]/.test(m[2]))) return null;
    return m[1] === '-' ? -value : value;
  }
  if ((m = INF.exec(rest))) {
    if (m[0].length !== rest.length) return null;
    return rest[0] === '-' ? -Infinity : Infinity;
  }
  if (NAN.test(rest)) return null;
  m = DECIMAL.exec(rest);
  if (!m || m[0].length !== rest.length) return null;
  const value = Number(m[0]);
  if (!Number.isFinite(value)) return null; // overflow: ERANGE
  // Underflow (a nonzero number that rounds to zero or a subnormal): ERANGE.
  if (Math.abs(value) < 2.2250738585072014e-308 && /[1-9]/.test(m[0].replace(/[eE].*$/, ''))) return null;
  return value;
}

// ---- patterns ----

/** What a GET or BY pattern finds for an element (lookupKeyByPattern); null when nothing. */
function lookupByPattern(c: Client, pattern: string, element: string, write: boolean): string | Buffer | null {
  if (pattern === '#' || pattern.startsWith('#\0')) return element;
  // Redis reads the pattern as a C string for '*' and "->".
  const nul = pattern.indexOf('\0');
  const star = pattern.indexOf('*');
  if (star < 0 || (nul >= 0 && star > nul)) return null;
  const arrow = pattern.indexOf('->', star + 1);
  let field: string | null = null;
  let keyEnd = pattern.length;
  if (arrow >= 0 && (nul < 0 || arrow + 2 < nul) && arrow + 2 < pattern.length) {
    field = pattern.slice(arrow + 2);
    keyEnd = arrow;
  }
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, keyEnd);
  const entry: KeyEntry | undefined = write ? c.db.lookup(key) : lookupRead(c, key);
  if (entry === undefined) return null;
  if (field !== null) {
    if (entry.type !== 'hash') return null;
    return entry.value.get(field) ?? null;
  }
  return entry.type === 'string' ? entry.value : null;
}

// ---- comparison ----

/** A C string's view: up to the first NUL (strcoll; under LC_COLLATE C or C.UTF-8 that is strcmp). */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface SortItem {
  element: string;
  score: number;
  /** ALPHA BY: the weight's bytes, null when the weight key is missing. */
  by: string | null;
}

// ---- the command ----

interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  by: string | null;
  dontSort: boolean;
  gets: string[];
  store: string | null;
}

function parseOptions(argv: Buffer[], readonly: boolean): SortOptions {
  const o: SortOptions = { desc: false, alpha: false, limitStart: 0, limitCount: -1, by: null, dontSort: false, gets: [], store: null };
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const arg = argv[j];
    if (isOption(arg, 'asc')) o.desc = false;
    else if (isOption(arg, 'desc')) o.desc = true;
    else if (isOption(arg, 'alpha')) o.alpha = true;
    else if (isOption(arg, 'limit') && left >= 2) {
      o.limitStart = intArg(argv[j + 1]);
      o.limitCount = intArg(argv[j + 2]);
      j += 2;
    } else if (!readonly && isOption(arg, 'store') && left >= 1) {
      o.store = str(argv[++j]);
    } else if (isOption(arg, 'by') && left >= 1) {
      o.by = str(argv[++j]);
      // A BY pattern without '*' (as a C string) is constant: nothing to sort by.
      const star = o.by.indexOf('*');
      const nul = o.by.indexOf('\0');
      o.dontSort = star < 0 || (nul >= 0 && star > nul);
    } else if (isOption(arg, 'get') && left >= 1) {
      o.gets.push(str(argv[++j]));
    } else throw new ReplyError(ERR.syntax);
  }
  return o;
}

function sortGeneric(c: Client, argv: Buffer[], readonly: boolean): void {
  const replyStart = c.reply.offset;
  const o = parseOptions(argv, readonly);
  const write = o.store !== null;
  const entry = write ? c.db.lookup(str(argv[1])) : lookupRead(c, str(argv[1]));
  if (entry !== undefined && entry.type !== 'list' && entry.type !== 'set' && entry.type !== 'zset') throw new ReplyError(ERR.wrongType);

  // Sorting a set by nothing would store hash order: sort it ALPHA instead.
  let { dontSort, alpha, by } = o;
  if (dontSort && entry?.type === 'set' && write) {
    dontSort = false;
    alpha = true;
    by = null;
  }

  let length = entry === undefined ? 0 : entry.type === 'list' ? entry.value.length : entry.type === 'set' ? entry.value.size : entry.value.length;
  let start = Math.min(Math.max(o.limitStart, 0), length);
  const count = Math.min(Math.max(o.limitCount, -1), length);
  let end = count < 0 ? length - 1 : start + count - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;

  // Load the elements; lists and sorted sets by a constant load only the range.
  let elements: string[] = [];
  if (entry !== undefined && dontSort && (entry.type === 'list' || entry.type === 'zset')) {
    if (start !== 0 || end !== length - 1) length = end - start + 1;
    if (end >= start) {
      if (entry.type === 'list') {
        const list = entry.value;
        const first = o.desc ? list.length - start - 1 : start;
        for (const value of list.values(first, o.desc)) {
          if (elements.length >= length) break;
          elements.push(value.toString('latin1'));
        }
      } else {
        for (const { member } of entry.value.entries(o.desc, start)) {
          if (elements.length >= length) break;
          elements.push(member);
        }
      }
      end -= start;
      start = 0;
    } else if (entry.type === 'zset') {
      end -= start;
      start = 0;
    }
  } else if (entry !== undefined) {
    if (entry.type === 'list') for (const value of entry.value.values()) elements.push(value.toString('latin1'));
    else if (entry.type === 'set') elements = [...entry.value.keys()];
    else for (const { member } of entry.value.entries()) elements.push(member);
  }

  let patternsRead = o.gets.some((p) => p !== '#');
  if (!dontSort) {
    const items: SortItem[] = elements.map((element) => ({ element, score: 0, by: null }));
    let conversionError = false;
    for (const item of items) {
      let weight: string | Buffer | null;
      if (by !== null) {
        patternsRead = true;
        weight = lookupByPattern(c, by, item.element, write);
        if (weight === null) continue;
      } else weight = item.element;
      const text = typeof weight === 'string' ? weight : weight.toString('latin1');
      if (alpha) {
        if (by !== null) item.by = text;
      } else {
        const score = sortScore(text);
        if (score === null) conversionError = true;
        else item.score = score;
      }
    }
    if (conversionError) {
      holdRead(c, replyStart, patternsRead || !readonly);
      throw new ReplyError("ERR One or more scores can't be converted into double");
    }
    const sign = o.desc ? -1 : 1;
    let compare: (a: SortItem, b: SortItem) => number;
    if (!alpha) {
      compare = (a, b) => sign * (a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.element, b.element));
    } else if (by !== null) {
      compare = (a, b) => {
        if (a.by === null || b.by === null) return sign * (a.by === b.by ? 0 : a.by === null ? -1 : 1);
        return sign * (write ? compareBytes(a.by, b.by) : compareBytes(cString(a.by), cString(b.by)));
      };
    } else {
      compare = write ? (a, b) => sign * compareBytes(a.element, b.element) : (a, b) => sign * compareBytes(cString(a.element), cString(b.element));
    }
    items.sort(compare);
    elements = items.map((item) => item.element);
  }

  const outputLength = (o.gets.length || 1) * (end - start + 1);
  if (!write) {
    holdRead(c, replyStart, patternsRead || !readonly);
    const r = c.reply;
    r.array(outputLength);
    for (let j = start; j <= end; j++) {
      if (o.gets.length === 0) r.bulk(elements[j]);
      for (const pattern of o.gets) r.bulkOrNull(lookupByPattern(c, pattern, elements[j], false));
    }
    return;
  }

  let list: Deque<Buffer> | null = null;
  if (outputLength > 0) {
    list = new Deque<Buffer>();
    for (let j = start; j <= end; j++) {
      if (o.gets.length === 0) list.pushBack(Buffer.from(elements[j], 'latin1'));
      for (const pattern of o.gets) {
        const value = lookupByPattern(c, pattern, elements[j], true);
        list.pushBack(value === null ? Buffer.alloc(0) : typeof value === 'string' ? Buffer.from(value, 'latin1') : copyBytes(value));
      }
    }
  }
  storeOrDelete(c, o.store as string, 'list', list, NOTIFY.list, 'sortstore');
  holdRead(c, replyStart, list === null);
  c.reply.integer(outputLength);
}

/**
 * SORT reads keys its key specs do not name (BY and GET patterns), and SORT
 * without STORE is neither a write nor flagged readonly, so the dispatcher's
 * read gating does not cover it: hold the reply until every write so far is
 * durable. Inside EXEC the whole transaction's reply is held already.
 */
function holdRead(c: Client, replyStart: number, needed: boolean): void {
  if (!needed || (c as { inExec?: boolean }).inExec === true) return;
  c.hold(replyStart, c.server.lastSeq);
}

export const sortCommands: HandlerTable = {
  sort: (c, argv) => sortGeneric(c, argv, false),
  sort_ro: (c, argv) => sortGeneric(c, argv, true),
};
