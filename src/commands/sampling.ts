// Random picks from a hash or set (SRANDMEMBER, SPOP, HRANDFIELD).
import { ERR, outOfRangeBetween } from '../errors.js';
import { parseInt64 } from '../resp/integers.js';
import type { Dict } from '../store/dict.js';
import { ReplyError } from './reply-error.js';

export const LONG_MAX = 9223372036854775807n;

/** SRANDMEMBER and HRANDFIELD's count: getRangeLongFromObjectOrReply over [-LONG_MAX, LONG_MAX]. */
export function randomCountArg(arg: Buffer): bigint {
  const n = parseInt64(arg);
  if (n === null) throw new ReplyError(ERR.notInteger);
  if (n < -LONG_MAX) throw new ReplyError(outOfRangeBetween(-LONG_MAX, LONG_MAX));
  return n;
}

/**
 * The keys SRANDMEMBER and HRANDFIELD with count n reply with, as Redis picks
 * them: a negative n (or 1) picks |n| keys independently; n at least the size
 * gives every key, in the order `all` lists them; a smaller n, distinct keys.
 */
export function randomPick<V>(dict: Dict<V>, n: bigint, all: () => Iterable<string>): string[] {
  const count = Number(n < 0n ? -n : n);
  if (n < 0n || count === 1) return randomRepeated(dict, count);
  if (count >= dict.size) return [...all()];
  return randomDistinct(dict, count);
}

/** count keys picked independently: the same key may come more than once. */
function randomRepeated<V>(dict: Dict<V>, count: number): string[] {
  const picked: string[] = new Array(count);
  for (let i = 0; i < count; i++) picked[i] = dict.randomKey() as string;
  return picked;
}

/** count distinct keys at random; count is below dict.size. */
export function randomDistinct<V>(dict: Dict<V>, count: number): string[] {
  if (count * 3 > dict.size) {
    // Most of the keys are wanted (Redis's CASE 3): a partial shuffle of all of them.
    const keys = [...dict.keys()];
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (keys.length - i));
      const key = keys[j];
      keys[j] = keys[i];
      keys[i] = key;
    }
    keys.length = count;
    return keys;
  }
  // A few of many (CASE 4): random picks until enough distinct ones.
  const picked = new Set<string>();
  while (picked.size < count) picked.add(dict.randomKey() as string);
  return [...picked];
}
