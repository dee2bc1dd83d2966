// The SCAN family's shared parts (db.c parseScanCursorOrReply and
// scanGenericCommand): the cursor, the MATCH/COUNT options, and HSCAN, SSCAN
// and ZSCAN's walk, filter and reply. SCAN itself (keys.ts) adds TYPE.
import { ERR } from '../errors.js';
import type { Client } from '../server/client.js';
import { globMatch, isMatchAll } from '../store/glob.js';
import { intArg, isOption, str } from './args.js';
import { ReplyError } from './reply-error.js';

const ULONG_MAX = (1n << 64n) - 1n;

function isSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

/** parseScanCursorOrReply: strtoul's grammar (sign, digits, wraparound of negatives, ERANGE). */
export function scanCursor(arg: Buffer): bigint {
  const invalid = (): never => {
    throw new ReplyError(ERR.invalidCursor);
  };
  if (arg.length === 0 || arg[0] === 0) return 0n;
  if (isSpace(arg[0])) invalid();
  let i = 0;
  let negative = false;
  if (arg[0] === 43 /* + */ || arg[0] === 45 /* - */) {
    negative = arg[0] === 45;
    i = 1;
  }
  const first = i;
  while (i < arg.length && arg[i] >= 48 && arg[i] <= 57) i++;
  // No digits: strtoul stops at the start, which must then be the end of the C string.
  if (i === first || (i < arg.length && arg[i] !== 0)) invalid();
  const value = BigInt(arg.toString('latin1', first, i));
  if (value > ULONG_MAX) invalid();
  return negative ? (ULONG_MAX + 1n - value) & ULONG_MAX : value;
}

/** A dict cursor: the table is at most 2^32 buckets, so the cursor's low bits address it. */
export function dictCursor(cursor: bigint): number {
  return Number(BigInt.asUintN(32, cursor));
}

export interface ScanOptions {
  count: number;
  /** null when every element matches (no MATCH, or MATCH *). */
  pattern: string | null;
  /** The TYPE argument (SCAN only), null when absent. */
  type: Buffer | null;
}

/** scanGenericCommand's option loop from argv[from]: COUNT n, MATCH p and, for SCAN, TYPE t. */
export function scanOptions(argv: Buffer[], from: number, allowType: boolean): ScanOptions {
  const options: ScanOptions = { count: 10, pattern: null, type: null };
  for (let i = from; i < argv.length; i += 2) {
    const more = argv.length - i;
    if (isOption(argv[i], 'count') && more >= 2) {
      options.count = intArg(argv[i + 1]);
      if (options.count < 1) throw new ReplyError(ERR.syntax);
    } else if (isOption(argv[i], 'match') && more >= 2) {
      const pattern = str(argv[i + 1]);
      options.pattern = isMatchAll(pattern) ? null : pattern;
    } else if (allowType && isOption(argv[i], 'type') && more >= 2) {
      options.type = argv[i + 1];
    } else throw new ReplyError(ERR.syntax);
  }
  return options;
}

/** Receives one element (and the field's value or the member's score, for hashes and sorted sets). */
export type ScanEmit = (element: string, value?: Buffer | string) => void;

/**
 * One scan step over a collection: emits elements from `cursor` on and returns
 * the next cursor (0 when done). A hashtable-encoded collection walks its
 * Dict (Dict.scan); a small one (listpack, intset) emits everything in
 * encoding order and returns 0, whatever the cursor and COUNT, as Redis does.
 */
export type ScanStep = (cursor: number, count: number, emit: ScanEmit) => number;

/**
 * HSCAN / SSCAN / ZSCAN key cursor [MATCH pattern] [COUNT count]. `lookup`
 * finds the collection at argv[1] (WRONGTYPE is its to throw) and returns its
 * scan step, or null when the key is missing. As Redis: the cursor is checked
 * first, then the key (a missing one answers an empty scan before any option
 * is looked at), then the options.
 */
export function collectionScan(c: Client, argv: Buffer[], lookup: () => ScanStep | null): void {
  const cursor = scanCursor(argv[2]);
  const step = lookup();
  if (step === null) {
    c.reply.array(2);
    c.reply.bulk('0');
    c.reply.array(0);
    return;
  }
  const { count, pattern } = scanOptions(argv, 3, false);
  const elements: (Buffer | string)[] = [];
  const next = step(dictCursor(cursor), count, (element, value) => {
    if (pattern !== null && !globMatch(pattern, element)) return;
    elements.push(element);
    if (value !== undefined) elements.push(value);
  });
  c.reply.array(2);
  c.reply.bulk(String(next));
  c.reply.bulkArray(elements);
}
