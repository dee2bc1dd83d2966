import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  SortedSet, parseLexRange, clampRankRange, LEX_MIN, LEX_MAX, type ZEntry, type ScoreRange, type LexRange,
} from '../../src/store/sorted-set.js';

function seeded(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}

const pairs = (es: ZEntry[]) => es.map((e) => [e.member, e.score]);
const members = (es: Iterable<ZEntry>) => [...es].map((e) => e.member);
const range = (min: number, max: number, minex = false, maxex = false): ScoreRange => ({ min, max, minex, maxex });

function model(z: SortedSet): [string, number][] {
  return [...z].map((e) => [e.member, e.score]);
}

test('add reports added, updated and unchanged; scores and ranks follow', () => {
  const z = new SortedSet();
  assert.is(z.add('b', 2), 'added');
  assert.is(z.add('a', 1), 'added');
  assert.is(z.add('c', 3), 'added');
  assert.is(z.add('a', 1), 'unchanged');
  assert.is(z.add('a', 5), 'updated');
  assert.is(z.length, 3);
  assert.is(z.score('a'), 5);
  assert.is(z.score('zz'), undefined);
  assert.equal(members(z), ['b', 'c', 'a']);
  assert.is(z.rank('b'), 0);
  assert.is(z.rank('a'), 2);
  assert.is(z.rank('a', true), 0);
  assert.is(z.rank('nope'), undefined);
  assert.is(z.byRank(0)?.member, 'b');
  assert.is(z.byRank(0, true)?.member, 'a');
  assert.is(z.byRank(3), undefined);
  assert.ok(z.remove('c'));
  assert.not.ok(z.remove('c'));
  assert.not.ok(z.has('c'));
  assert.equal(members(z), ['b', 'a']);
});

test('ties order by raw bytes, a prefix first; infinities sort at the ends', () => {
  const z = new SortedSet();
  for (const m of ['b', 'a\x00', 'a', '\xff', 'B', 'ab']) z.add(m, 0);
  z.add('top', Infinity);
  z.add('bottom', -Infinity);
  z.add('neg', -1e308);
  assert.equal(members(z), ['bottom', 'neg', 'B', 'a', 'a\x00', 'ab', 'b', '\xff', 'top']);
  assert.equal(members(z.rangeByScore(range(-Infinity, Infinity, true, true))), ['neg', 'B', 'a', 'a\x00', 'ab', 'b', '\xff']);
  assert.is(z.countByScore(range(-Infinity, Infinity)), 9);
});

test('rank ranges, clamped as ZRANGE does', () => {
  const z = new SortedSet();
  'abcdef'.split('').forEach((m, i) => z.add(m, i));
  assert.equal(clampRankRange(0, -1, 6), [0, 5]);
  assert.equal(clampRankRange(-100, 100, 6), [0, 5]);
  assert.equal(clampRankRange(4, 2, 6), null);
  assert.equal(clampRankRange(6, 10, 6), null);
  assert.equal(clampRankRange(-2, -1, 6), [4, 5]);
  assert.equal(members(z.rangeByRank(1, 3)), ['b', 'c', 'd']);
  assert.equal(members(z.rangeByRank(0, 1, true)), ['f', 'e']);
  assert.equal(pairs(z.rangeByRank(5, 9)), [['f', 5]]);
  assert.equal(members(z.entries(true, 4)), ['b', 'a']);
  assert.equal(members(z.entries(false, 4)), ['e', 'f']);
});

test('score ranges with exclusive bounds, reverse, offset and limit', () => {
  const z = new SortedSet();
  for (let i = 1; i <= 10; i++) z.add(`m${i}`, i);
  assert.equal(members(z.rangeByScore(range(3, 5))), ['m3', 'm4', 'm5']);
  assert.equal(members(z.rangeByScore(range(3, 5, true, true))), ['m4']);
  assert.equal(members(z.rangeByScore(range(3, 5), true)), ['m5', 'm4', 'm3']);
  assert.equal(members(z.rangeByScore(range(1, 10), false, 2, 3)), ['m3', 'm4', 'm5']);
  assert.equal(members(z.rangeByScore(range(1, 10), true, 2, 3)), ['m8', 'm7', 'm6']);
  assert.equal(members(z.rangeByScore(range(1, 10), false, 20)), []);
  assert.equal(members(z.rangeByScore(range(1, 10), true, 20)), []);
  assert.equal(members(z.rangeByScore(range(1, 10), false, 0, 0)), []);
  assert.equal(members(z.rangeByScore(range(5, 5, true, false))), []);
  assert.equal(members(z.rangeByScore(range(6, 5))), []);
  assert.equal(members(z.rangeByScore(range(10.5, 20))), []);
  assert.is(z.countByScore(range(2, 4, false, true)), 2);
  assert.is(z.countByScore(range(20, 30)), 0);
  assert.is(z.deleteRangeByScore(range(2, 4, true, false)), 2);
  assert.equal(members(z).slice(0, 3), ['m1', 'm2', 'm5']);
  assert.is(z.deleteRangeByRank(0, 1), 2);
  assert.equal(members(z), ['m5', 'm6', 'm7', 'm8', 'm9', 'm10']);
  assert.is(z.deleteRangeByRank(4, 100), 2);
  assert.equal(members(z), ['m5', 'm6', 'm7', 'm8']);
});

test('lex ranges: parsing, bounds, counts and deletion', () => {
  assert.equal(parseLexRange('-', '+'), { min: LEX_MIN, minex: true, max: LEX_MAX, maxex: true });
  assert.equal(parseLexRange('[a', '(b'), { min: 'a', minex: false, max: 'b', maxex: true });
  assert.equal(parseLexRange('(', '['), { min: '', minex: true, max: '', maxex: false });
  assert.is(parseLexRange('a', '+'), null);
  assert.is(parseLexRange('-x', '+'), null);
  assert.is(parseLexRange('-', '++'), null);
  assert.is(parseLexRange('', '+'), null);
  assert.ok(parseLexRange('-', '+\x00junk'));
  const z = new SortedSet();
  for (const m of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) z.add(m, 0);
  const lex = (a: string, b: string) => parseLexRange(a, b) as LexRange;
  assert.equal(members(z.rangeByLex(lex('-', '[c'))), ['a', 'b', 'c']);
  assert.equal(members(z.rangeByLex(lex('-', '(c'))), ['a', 'b']);
  assert.equal(members(z.rangeByLex(lex('[aaa', '(g'))), ['b', 'c', 'd', 'e', 'f']);
  assert.equal(members(z.rangeByLex(lex('[aaa', '(g'), true, 1, 2)), ['e', 'd']);
  assert.equal(members(z.rangeByLex(lex('+', '-'))), []);
  assert.equal(members(z.rangeByLex(lex('-', '-'))), []);
  assert.equal(members(z.rangeByLex(lex('[c', '[c'))), ['c']);
  assert.equal(members(z.rangeByLex(lex('(c', '[c'))), []);
  assert.is(z.countByLex(lex('-', '+')), 7);
  assert.is(z.countByLex(lex('(a', '[f')), 5);
  assert.is(z.deleteRangeByLex(lex('(a', '[c')), 2);
  assert.equal(members(z), ['a', 'd', 'e', 'f', 'g']);
});

test('lex ranges over mixed scores: nothing unless the range overlaps both ends, as in Redis', () => {
  const z = new SortedSet();
  z.add('x', 0);
  for (const [m, sc] of [['c', 3], ['e', 5], ['f', 6]] as const) z.add(m, sc);
  const xOnly = parseLexRange('[x', '[x') as LexRange;
  assert.equal(members(z.rangeByLex(xOnly)), []);
  assert.is(z.countByLex(xOnly), 0);
  assert.is(z.deleteRangeByLex(xOnly, true), 0);
  // Overlapping both ends: from the first member in range on, while in range.
  assert.is(z.deleteRangeByLex(parseLexRange('[c', '[x') as LexRange, true), 4);
  assert.is(z.length, 0);
});

test('popMin and popMax take from the ends', () => {
  const z = new SortedSet();
  for (let i = 0; i < 5; i++) z.add(`m${i}`, i);
  assert.equal(pairs(z.popMin()), [['m0', 0]]);
  assert.equal(pairs(z.popMax(2)), [['m4', 4], ['m3', 3]]);
  assert.equal(pairs(z.popMin(10)), [['m1', 1], ['m2', 2]]);
  assert.equal(z.popMax(), []);
  assert.is(z.length, 0);
  z.add('again', 1);
  assert.equal(members(z), ['again']);
});

test('scan walks every member with its score once, across cursors, while the set changes', () => {
  const z = new SortedSet();
  for (let i = 0; i < 200; i++) z.add(`m${i}`, i / 2);
  const seen = new Map<string, number>();
  let cursor = 0;
  let steps = 0;
  do {
    cursor = z.scan(cursor, 10, (e) => {
      assert.is(e.score, z.score(e.member));
      seen.set(e.member, e.score);
    });
    // Members present throughout are still returned when others come and go.
    if (steps === 3) for (let i = 200; i < 400; i++) z.add(`m${i}`, -i);
    if (steps === 8) for (let i = 200; i < 400; i++) z.remove(`m${i}`);
    steps++;
  } while (cursor !== 0);
  for (let i = 0; i < 200; i++) assert.is(seen.get(`m${i}`), i / 2);
  assert.ok(steps > 5, 'more than one step');
  assert.is(new SortedSet().scan(0, 10, () => assert.unreachable()), 0);
});

test('random operations agree with a sorted-array model', () => {
  const rnd = seeded(7);
  const z = new SortedSet(rnd);
  const m = new Map<string, number>();
  const sorted = () =>
    [...m].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (let step = 0; step < 6000; step++) {
    const member = 'k' + Math.floor(rnd() * 300);
    const score = Math.floor(rnd() * 50) - 25;
    const op = Math.floor(rnd() * 10);
    if (op < 5) {
      const expected = !m.has(member) ? 'added' : m.get(member) === score ? 'unchanged' : 'updated';
      assert.is(z.add(member, score), expected);
      m.set(member, score);
    } else if (op === 5) {
      assert.is(z.remove(member), m.delete(member));
    } else if (op === 6) {
      const s = sorted();
      const idx = s.findIndex((e) => e[0] === member);
      assert.is(z.rank(member), idx < 0 ? undefined : idx);
      assert.is(z.rank(member, true), idx < 0 ? undefined : s.length - 1 - idx);
    } else if (op === 7) {
      const r = range(score, score + Math.floor(rnd() * 10), rnd() < 0.5, rnd() < 0.5);
      const inR = sorted().filter(([, sc]) => (r.minex ? sc > r.min : sc >= r.min) && (r.maxex ? sc < r.max : sc <= r.max));
      assert.is(z.countByScore(r), inR.length);
      const offset = Math.floor(rnd() * 3);
      assert.equal(pairs(z.rangeByScore(r, true, offset, 4)), inR.reverse().slice(offset, offset + 4));
      if (rnd() < 0.1) {
        assert.is(z.deleteRangeByScore(r), inR.length);
        for (const [k] of inR) m.delete(k);
      }
    } else if (op === 8 && rnd() < 0.2) {
      const s = sorted();
      const a = Math.floor(rnd() * (s.length + 1));
      const b = a + Math.floor(rnd() * 5);
      assert.is(z.deleteRangeByRank(a, b), Math.max(0, Math.min(b, s.length - 1) - a + 1));
      for (const [k] of s.slice(a, b + 1)) m.delete(k);
    } else if (op === 9) {
      const s = sorted();
      const a = Math.floor(rnd() * (s.length + 1));
      assert.equal(pairs(z.rangeByRank(a, a + 3)), s.slice(a, a + 4));
      assert.equal(z.byRank(a)?.member, s[a]?.[0]);
    }
    assert.is(z.length, m.size);
  }
  assert.equal(model(z), sorted());
});

test('ranks stay O(log n) on 100k elements', () => {
  const z = new SortedSet();
  const t = Date.now();
  for (let i = 0; i < 100000; i++) z.add(`m${i}`, (i * 7919) % 100003);
  for (let i = 0; i < 100000; i += 97) assert.is(z.byRank(z.rank(`m${i}`)!)?.member, `m${i}`);
  assert.ok(Date.now() - t < 3000);
});

test.run();
