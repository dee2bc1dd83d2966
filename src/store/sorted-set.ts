// The value of a Redis sorted set: Redis's skiplist (t_zset.c: at most 32
// levels, p = 1/4, spans for O(log n) ranks) ordered by (score, member), plus a
// Dict from member to node for O(1) score lookups and ZSCAN's cursor. Members
// are latin1 strings, so JS string order is memcmp order (a prefix sorts
// first). Scores are never NaN: rejecting NaN is the caller's job, as in Redis.

import { Dict } from './dict.js';

const MAX_LEVEL = 32;
const P = 0.25;

export interface ZEntry {
  readonly member: string;
  readonly score: number;
}

/** Score interval; an exclusive bound is Redis's "(" prefix. */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** Redis's "-" and "+" in lex ranges: below and above every string. */
export const LEX_MIN: unique symbol = Symbol('-');
export const LEX_MAX: unique symbol = Symbol('+');
export type LexBound = string | typeof LEX_MIN | typeof LEX_MAX;

export interface LexRange {
  min: LexBound;
  max: LexBound;
  minex: boolean;
  maxex: boolean;
}

export type AddResult = 'added' | 'updated' | 'unchanged';

class ZNode implements ZEntry {
  backward: ZNode | null = null;
  readonly next: (ZNode | null)[];
  readonly span: number[];

  constructor(
    readonly member: string,
    public score: number,
    level: number,
  ) {
    this.next = new Array<ZNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }
}

/** Monotonic range predicates, so score and lex ranges share one walker. */
interface Bounds {
  isEmpty(): boolean;
  aboveMin(node: ZNode): boolean;
  belowMax(node: ZNode): boolean;
}

/** Redis's sdscmplex: strings compare bytewise, "-" and "+" are the extremes. */
function compareLex(a: LexBound, b: LexBound): number {
  if (a === b) return 0;
  if (a === LEX_MIN || b === LEX_MAX) return -1;
  if (a === LEX_MAX || b === LEX_MIN) return 1;
  return a < b ? -1 : 1;
}

function scoreBounds(r: ScoreRange): Bounds {
  return {
    isEmpty: () => r.min > r.max || (r.min === r.max && (r.minex || r.maxex)),
    aboveMin: (n) => (r.minex ? n.score > r.min : n.score >= r.min),
    belowMax: (n) => (r.maxex ? n.score < r.max : n.score <= r.max),
  };
}

function lexBounds(r: LexRange): Bounds {
  return {
    isEmpty: () => {
      const cmp = compareLex(r.min, r.max);
      return cmp > 0 || (cmp === 0 && (r.minex || r.maxex));
    },
    aboveMin: (n) => (r.minex ? compareLex(n.member, r.min) > 0 : compareLex(n.member, r.min) >= 0),
    belowMax: (n) => (r.maxex ? compareLex(n.member, r.max) < 0 : compareLex(n.member, r.max) <= 0),
  };
}

/** Redis's zslParseLexRangeItem: "[x", "(x", "-" or "+"; null when invalid. */
function parseLexBound(item: string): { bound: LexBound; ex: boolean } | null {
  switch (item.charCodeAt(0)) {
    case 43: // + (Redis tests c[1] against the terminator, so "+\0..." passes too)
      return item.length === 1 || item.charCodeAt(1) === 0 ? { bound: LEX_MAX, ex: true } : null;
    case 45: // -
      return item.length === 1 || item.charCodeAt(1) === 0 ? { bound: LEX_MIN, ex: true } : null;
    case 40: // (
      return { bound: item.slice(1), ex: true };
    case 91: // [
      return { bound: item.slice(1), ex: false };
    default:
      return null;
  }
}

/** Parses ZRANGEBYLEX-style bounds; null means "ERR min or max not valid string range item". */
export function parseLexRange(min: string, max: string): LexRange | null {
  const lo = parseLexBound(min);
  const hi = parseLexBound(max);
  if (!lo || !hi) return null;
  return { min: lo.bound, minex: lo.ex, max: hi.bound, maxex: hi.ex };
}

/**
 * Redis's rank-range normalization (ZRANGE, ZREMRANGEBYRANK): negative indexes
 * count from the end, the range is clamped; null when it selects nothing.
 */
export function clampRankRange(start: number, end: number, length: number): [number, number] | null {
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) return null;
  if (end >= length) end = length - 1;
  return [start, end];
}

export class SortedSet {
  private readonly header = new ZNode('', 0, MAX_LEVEL);
  private tail: ZNode | null = null;
  private level = 1;
  private readonly nodes = new Dict<ZNode>();

  constructor(private readonly random: () => number = Math.random) {}

  get length(): number {
    return this.nodes.size;
  }

  /** Member -> element, for random picks (commands/sampling.ts); read it, never change it. */
  get dict(): Dict<ZEntry> {
    return this.nodes;
  }

  has(member: string): boolean {
    return this.nodes.has(member);
  }

  score(member: string): number | undefined {
    return this.nodes.get(member)?.score;
  }

  /** Adds the member or moves it to a new score. */
  add(member: string, score: number): AddResult {
    const node = this.nodes.get(member);
    if (!node) {
      this.nodes.set(member, this.insert(score, member));
      return 'added';
    }
    if (node.score === score) return 'unchanged';
    this.updateScore(node, score);
    return 'updated';
  }

  remove(member: string): boolean {
    const node = this.nodes.get(member);
    if (!node) return false;
    const update = this.pathTo(node.score, member);
    this.unlink(node, update);
    this.nodes.delete(member);
    return true;
  }

  /** 0-based rank, counted from the highest score when reverse. */
  rank(member: string, reverse = false): number | undefined {
    const node = this.nodes.get(member);
    if (!node) return undefined;
    let rank = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f && (f.score < node.score || (f.score === node.score && f.member <= member))) {
        rank += x.span[i];
        x = f;
        f = x.next[i];
      }
    }
    return reverse ? this.length - rank : rank - 1;
  }

  /** The element at a 0-based rank, counted from the highest score when reverse. */
  byRank(rank: number, reverse = false): ZEntry | undefined {
    if (rank < 0 || rank >= this.length) return undefined;
    return this.nodeAt(reverse ? this.length - rank : rank + 1) ?? undefined;
  }

  /** Elements of ranks [start, end], inclusive and 0-based (see clampRankRange). */
  rangeByRank(start: number, end: number, reverse = false): ZEntry[] {
    const out: ZEntry[] = [];
    start = Math.max(start, 0);
    end = Math.min(end, this.length - 1);
    if (start > end) return out;
    let node = this.nodeAt(reverse ? this.length - start : start + 1);
    for (let n = end - start + 1; node && n > 0; n--) {
      out.push(node);
      node = reverse ? node.backward : node.next[0];
    }
    return out;
  }

  /**
   * Elements within the score range, lowest first (highest first when reverse),
   * skipping `offset` of them and returning at most `limit` (negative: all).
   */
  rangeByScore(range: ScoreRange, reverse = false, offset = 0, limit = -1): ZEntry[] {
    return this.rangeIn(scoreBounds(range), reverse, offset, limit);
  }

  /** As rangeByScore, by member over a lex range (meant for equal scores). */
  rangeByLex(range: LexRange, reverse = false, offset = 0, limit = -1): ZEntry[] {
    return this.rangeIn(lexBounds(range), reverse, offset, limit);
  }

  countByScore(range: ScoreRange): number {
    return this.countIn(scoreBounds(range));
  }

  countByLex(range: LexRange): number {
    return this.countIn(lexBounds(range));
  }

  /** Removes ranks [start, end] (0-based, inclusive); returns how many went. */
  deleteRangeByRank(start: number, end: number): number {
    start = Math.max(start, 0);
    end = Math.min(end, this.length - 1);
    if (start > end) return 0;
    const update = new Array<ZNode>(MAX_LEVEL);
    let traversed = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.next[i] && traversed + x.span[i] <= start) {
        traversed += x.span[i];
        x = x.next[i]!;
      }
      update[i] = x;
    }
    return this.deleteForward(update, (_node, n) => n <= end - start + 1);
  }

  deleteRangeByScore(range: ScoreRange): number {
    return this.deleteIn(scoreBounds(range));
  }

  /**
   * Lex ranges assume equal scores. Over mixed ones Redis's listpack deletes
   * nothing unless the range overlaps both ends (checkEnds, as
   * zzlDeleteRangeByLex); its skiplist deletes from the first member in range.
   */
  deleteRangeByLex(range: LexRange, checkEnds = false): number {
    const bounds = lexBounds(range);
    return checkEnds && !this.overlaps(bounds) ? 0 : this.deleteIn(bounds);
  }

  /** Removes and returns up to `count` lowest-scored elements, lowest first. */
  popMin(count = 1): ZEntry[] {
    return this.popEnd(count, () => this.header.next[0]);
  }

  /** Removes and returns up to `count` highest-scored elements, highest first. */
  popMax(count = 1): ZEntry[] {
    return this.popEnd(count, () => this.tail);
  }

  /** Elements in order, from a 0-based rank (highest score first when reverse). */
  *entries(reverse = false, fromRank = 0): IterableIterator<ZEntry> {
    let node = fromRank < this.length ? this.nodeAt(reverse ? this.length - fromRank : fromRank + 1) : null;
    while (node) {
      yield node;
      node = reverse ? node.backward : node.next[0];
    }
  }

  /** One SCAN step over the members in hash order (Dict.scan's cursor); returns the next cursor. */
  scan(cursor: number, count: number, emit: (entry: ZEntry) => void): number {
    return this.nodes.scan(cursor, count, (_member, node) => emit(node));
  }

  [Symbol.iterator](): IterableIterator<ZEntry> {
    return this.entries();
  }

  private randomLevel(): number {
    let level = 1;
    while (level < MAX_LEVEL && this.random() < P) level++;
    return level;
  }

  /** update[i]: the last node at level i before (score, member). */
  private pathTo(score: number, member: string): ZNode[] {
    const update = new Array<ZNode>(MAX_LEVEL);
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f && (f.score < score || (f.score === score && f.member < member))) {
        x = f;
        f = x.next[i];
      }
      update[i] = x;
    }
    return update;
  }

  private insert(score: number, member: string): ZNode {
    const update = new Array<ZNode>(MAX_LEVEL);
    const rank = new Array<number>(MAX_LEVEL);
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      let f = x.next[i];
      while (f && (f.score < score || (f.score === score && f.member < member))) {
        rank[i] += x.span[i];
        x = f;
        f = x.next[i];
      }
      update[i] = x;
    }
    const level = this.randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.header;
        update[i].span[i] = this.length;
      }
      this.level = level;
    }
    const node = new ZNode(member, score, level);
    for (let i = 0; i < level; i++) {
      node.next[i] = update[i].next[i];
      update[i].next[i] = node;
      node.span[i] = update[i].span[i] - (rank[0] - rank[i]);
      update[i].span[i] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.level; i++) update[i].span[i]++;
    node.backward = update[0] === this.header ? null : update[0];
    if (node.next[0]) node.next[0].backward = node;
    else this.tail = node;
    return node;
  }

  private unlink(node: ZNode, update: ZNode[]): void {
    for (let i = 0; i < this.level; i++) {
      if (update[i].next[i] === node) {
        update[i].span[i] += node.span[i] - 1;
        update[i].next[i] = node.next[i];
      } else {
        update[i].span[i]--;
      }
    }
    if (node.next[0]) node.next[0].backward = node.backward;
    else this.tail = node.backward;
    while (this.level > 1 && this.header.next[this.level - 1] === null) this.level--;
  }

  private updateScore(node: ZNode, score: number): void {
    const prev = node.backward;
    const next = node.next[0];
    // Still in place between its neighbours: change the score, keep the links.
    if ((!prev || prev.score < score) && (!next || next.score > score)) {
      node.score = score;
      return;
    }
    this.unlink(node, this.pathTo(node.score, node.member));
    this.nodes.set(node.member, this.insert(score, node.member));
  }

  /** Node of 1-based rank, or null. */
  private nodeAt(rank: number): ZNode | null {
    let traversed = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.next[i] && traversed + x.span[i] <= rank) {
        traversed += x.span[i];
        x = x.next[i]!;
      }
      if (traversed === rank) return x === this.header ? null : x;
    }
    return null;
  }

  /** zslIsInRange / zslIsInLexRange: the range is not empty, the last element is above min, the first below max. */
  private overlaps(b: Bounds): boolean {
    const first = this.header.next[0];
    return !b.isEmpty() && this.tail !== null && b.aboveMin(this.tail) && first !== null && b.belowMax(first);
  }

  /** First node in range and its 1-based rank. */
  private firstIn(b: Bounds): [ZNode, number] | null {
    if (!this.overlaps(b)) return null;
    let traversed = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f && !b.aboveMin(f)) {
        traversed += x.span[i];
        x = f;
        f = x.next[i];
      }
    }
    const first = x.next[0];
    return first && b.belowMax(first) ? [first, traversed + 1] : null;
  }

  /** Last node in range and its 1-based rank. */
  private lastIn(b: Bounds): [ZNode, number] | null {
    if (!this.overlaps(b)) return null;
    let traversed = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f && b.belowMax(f)) {
        traversed += x.span[i];
        x = f;
        f = x.next[i];
      }
    }
    return x !== this.header && b.aboveMin(x) ? [x, traversed] : null;
  }

  private rangeIn(b: Bounds, reverse: boolean, offset: number, limit: number): ZEntry[] {
    const out: ZEntry[] = [];
    const start = reverse ? this.lastIn(b) : this.firstIn(b);
    if (!start) return out;
    let node: ZNode | null = start[0];
    if (offset > 0) node = this.nodeAt(reverse ? start[1] - offset : start[1] + offset);
    const inRange = reverse ? b.aboveMin : b.belowMax;
    for (let n = limit; node && n !== 0 && inRange(node); n--) {
      out.push(node);
      node = reverse ? node.backward : node.next[0];
    }
    return out;
  }

  private countIn(b: Bounds): number {
    const first = this.firstIn(b);
    if (!first) return 0;
    const last = this.lastIn(b);
    return last ? last[1] - first[1] + 1 : 0;
  }

  private deleteIn(b: Bounds): number {
    if (b.isEmpty()) return 0;
    const update = new Array<ZNode>(MAX_LEVEL);
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f && !b.aboveMin(f)) {
        x = f;
        f = x.next[i];
      }
      update[i] = x;
    }
    return this.deleteForward(update, (node) => b.belowMax(node));
  }

  /** Deletes nodes after update[0] while more(node, its 1-based position in the run) holds. */
  private deleteForward(update: ZNode[], more: (node: ZNode, n: number) => boolean): number {
    let removed = 0;
    let node = update[0].next[0];
    while (node && more(node, removed + 1)) {
      const next: ZNode | null = node.next[0];
      this.unlink(node, update);
      this.nodes.delete(node.member);
      removed++;
      node = next;
    }
    return removed;
  }

  private popEnd(count: number, end: () => ZNode | null): ZEntry[] {
    const out: ZEntry[] = [];
    for (let node = end(); node && out.length < count; node = end()) {
      out.push(node);
      this.remove(node.member);
    }
    return out;
  }
}
