// KeyTable: the keyspace's chained hash table, its lookups by bytes, SCAN's
// guarantee, random keys, iteration that may delete what it visits, and
// captures: every entry as it was when the capture began, once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hashBytes, hashString } from '../../src/store/hash-buckets.js';
import { KeyTable, type Chained } from '../../src/store/key-table.js';

interface Entry extends Chained<Entry> {
  n: number;
}

function entry(n: number): Entry {
  return { n, key: '', hash: 0, next: undefined };
}

function filled(count: number, prefix = 'k'): KeyTable<Entry> {
  const t = new KeyTable<Entry>();
  for (let i = 0; i < count; i++) t.set(`${prefix}${i}`, entry(i));
  return t;
}

function scanAll(t: KeyTable<Entry>, count = 10, between: (round: number) => void = () => {}): string[] {
  const seen: string[] = [];
  let cursor = 0;
  let round = 0;
  do {
    cursor = t.scan(cursor, count, (k) => seen.push(k));
    between(round++);
  } while (cursor !== 0);
  return seen;
}

test('a string and its latin1 bytes hash alike', () => {
  for (const key of ['', 'a', 'key:000000012345', '\u00ff\u0000\u0080 x']) {
    assert.is(hashBytes(Buffer.from(key, 'latin1')), hashString(key), JSON.stringify(key));
  }
});

test('set, get, replace, delete and size', () => {
  const t = new KeyTable<Entry>();
  assert.ok(t.set('a', entry(1)));
  const second = entry(2);
  assert.not.ok(t.set('a', second), 'replacing is not adding');
  assert.is(t.get('a'), second);
  assert.ok(t.has('a'));
  assert.is(t.size, 1);
  assert.not.ok(t.set('a', second), 'setting the same entry again changes nothing');
  assert.ok(t.delete('a'));
  assert.not.ok(t.delete('a'));
  assert.is(t.get('a'), undefined);
  assert.is(t.size, 0);
});

test('getBytes finds what get finds, binary keys included', () => {
  const t = filled(2000);
  t.set('', entry(-1));
  t.set('\u0000\u00ff', entry(-2));
  for (let i = 0; i < 2000; i += 37) assert.is(t.getBytes(Buffer.from(`k${i}`))?.n, i);
  assert.is(t.getBytes(Buffer.alloc(0))?.n, -1);
  assert.is(t.getBytes(Buffer.from([0, 255]))?.n, -2);
  assert.is(t.getBytes(Buffer.from('k2000')), undefined);
  assert.is(t.getBytes(Buffer.from('k1 ')), undefined);
});

test('an entry is in one table at a time: moving it means deleting it first', () => {
  const a = new KeyTable<Entry>();
  const b = new KeyTable<Entry>();
  const e = entry(1);
  a.set('x', e);
  assert.throws(() => b.set('x', e), /in a table already/);
  assert.throws(() => a.set('y', e), /in a table already/);
  a.delete('x');
  b.set('y', e);
  assert.is(b.get('y'), e);
  assert.is(e.key, 'y');
  const replaced = entry(2);
  b.set('y', replaced);
  a.set('z', e); // the entry b replaced is free again
  assert.is(a.get('z'), e);
});

test('getRecent answers as get, whatever happened to the entry found last', () => {
  const t = filled(100);
  const other = new KeyTable<Entry>();
  const e5 = t.getBytes(Buffer.from('k5')) as Entry;
  assert.is(t.getRecent('k5'), e5, 'found by its bytes');
  assert.is(t.getRecent('k6')?.n, 6, 'another key is looked up');
  const replacing = entry(-5);
  t.set('k5', replacing);
  assert.is(t.getRecent('k5'), replacing, 'replaced');
  t.delete('k5');
  assert.is(t.getRecent('k5'), undefined, 'deleted');
  const moved = t.get('k7') as Entry;
  t.delete('k7');
  other.set('k7', moved);
  assert.is(t.getRecent('k7'), undefined, 'moved to another table under the same key');
  assert.is(other.getRecent('k7'), moved);
});

test('every key survives growing and shrinking', () => {
  const t = filled(5000);
  for (let i = 0; i < 5000; i++) assert.is(t.get(`k${i}`)?.n, i);
  for (let i = 0; i < 4990; i++) t.delete(`k${i}`);
  assert.is(t.size, 10);
  for (let i = 4990; i < 5000; i++) assert.is(t.get(`k${i}`)?.n, i);
  assert.equal([...t.keys()].sort(), Array.from({ length: 10 }, (_, i) => `k${4990 + i}`).sort());
});

test('a full scan returns every key exactly once on a stable table', () => {
  const seen = scanAll(filled(1000));
  assert.is(seen.length, 1000);
  assert.is(new Set(seen).size, 1000);
});

test('keys present for the whole scan are returned while the table grows and shrinks', () => {
  const t = filled(500, 'stable');
  let extra = 0;
  const seen = new Set(
    scanAll(t, 7, (round) => {
      if (round % 2 === 0) for (let i = 0; i < 300; i++) t.set(`extra${extra++}`, entry(0));
      else for (let i = extra - 300; i < extra; i++) t.delete(`extra${i}`);
    }),
  );
  for (let i = 0; i < 500; i++) assert.ok(seen.has(`stable${i}`), `stable${i} returned`);
});

test('scan of an empty table ends at once', () => {
  assert.is(new KeyTable<Entry>().scan(0, 10, assert.unreachable), 0);
});

test('iteration may delete the entry it visits, and sees every other one once', () => {
  const t = filled(1000);
  const seen: string[] = [];
  for (const [key, e] of t) {
    seen.push(key);
    // Deleting nearly everything would shrink the table under the iteration.
    if (e.n % 10 !== 0) t.delete(key);
  }
  assert.is(seen.length, 1000);
  assert.is(new Set(seen).size, 1000);
  assert.is(t.size, 100);
  // The shrink held off during the iteration happens after it: lookups still work.
  for (let i = 0; i < 1000; i += 10) assert.is(t.get(`k${i}`)?.n, i);
  assert.equal([...t].map(([, e]) => e.n).sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i * 10));
});

test('randomKey returns present keys and covers them', () => {
  const t = filled(20);
  assert.is(new KeyTable<Entry>().randomKey(), undefined);
  const picked = new Set<string>();
  for (let i = 0; i < 2000; i++) picked.add(t.randomKey() as string);
  assert.is(picked.size, 20);
  for (let i = 0; i < 19; i++) t.delete(`k${i}`);
  assert.is(t.randomKey(), 'k19');
});

test('prefetch finds the entries of present keys, down their buckets', () => {
  // Four keys in four buckets: chains are at most four long, within the
  // walk's reach, and in nearly every table some key is not first in its
  // bucket (all four apart: 24 in 256). Twenty tables make that certain.
  for (let table = 0; table < 20; table++) {
    const t = filled(4, `t${table}-`);
    const keys = [0, 1, 2, 3].map((i) => `t${table}-${i}`);
    keys.push('absent');
    const input = Buffer.from(keys.join(' '), 'latin1');
    const starts = new Int32Array(keys.length);
    const ends = new Int32Array(keys.length);
    let at = 0;
    for (const [i, key] of keys.entries()) {
      starts[i] = at;
      ends[i] = at + key.length;
      at += key.length + 1;
    }
    const found: (Entry | null)[] = [];
    const touched = t.prefetch(input, starts, ends, keys.length, found);
    let expected = 0;
    for (const [i, key] of keys.entries()) {
      const e = found[i];
      if (key === 'absent') assert.ok(e === null || e.key !== key);
      else assert.is(e, t.get(key), key);
      if (e !== null) expected += e.key.charCodeAt(e.key.length - 1);
    }
    assert.is(touched, expected);
  }
});

/** Starts a capture that records each entry's key and n as it is handed out. */
function capturing(t: KeyTable<Entry>): string[] {
  const taken: string[] = [];
  t.beginCapture((e) => taken.push(`${e.key}=${e.n}`));
  return taken;
}

function stepToEnd(t: KeyTable<Entry>, buckets: number, between: (round: number) => void = () => {}): void {
  for (let round = 0; !t.captureStep(buckets); round++) between(round);
}

test('a capture hands out every entry as it was when it began, once, while the table changes', () => {
  const t = filled(2000);
  const kept = new Map([...t].map(([key, e]) => [key, e]));
  const expected = [...kept.keys()].map((key) => `${key}=${kept.get(key)?.n}`).sort();
  const taken = capturing(t);
  let fresh = 0;
  stepToEnd(t, 16, (round) => {
    // Each round changes keys the walk has and has not reached: in place
    // after a lookup (by string or by bytes), replaced, deleted, created,
    // deleted and created again.
    for (let i = round; i < 2000; i += 97) {
      const e = i % 2 === 0 ? t.get(`k${i}`) : t.getBytes(Buffer.from(`k${i}`));
      if (e !== undefined) e.n += 1000;
    }
    t.set(`k${(round * 7) % 2000}`, entry(-1));
    t.delete(`k${(round * 13 + 5) % 2000}`);
    for (let i = 0; i < 20; i++) t.set(`new${fresh++}`, entry(-2));
    t.delete(`new${fresh - 3}`);
    t.set(`k${(round * 13 + 5) % 2000}`, entry(-3));
  });
  assert.equal(taken.slice().sort(), expected);
  assert.ok(fresh > 1000, 'the walk took many steps');
});

test("a capture step reads ahead exactly the entries it hands out, before handing them out", () => {
  const t = filled(500);
  const events: string[] = [];
  t.beginCapture(
    (e) => events.push(`take ${e.key}`),
    (entries, count) => {
      for (let i = 0; i < count; i++) events.push(`ahead ${entries[i].key}`);
      return count;
    },
  );
  // Handed out before the walk reaches them: not read ahead, nor handed out again.
  const early = ['k7', 'k300'].map((key) => (t.get(key), key));
  stepToEnd(t, 16);
  const taken = events.filter((e) => e.startsWith('take ')).map((e) => e.slice(5));
  assert.equal(taken.slice().sort(), [...t.keys()].sort());
  assert.equal(taken.slice(0, 2), early);
  // Every step's read-ahead comes right before its takes, entry for entry.
  const walked = events.slice(2);
  for (let i = 0; i < walked.length; ) {
    let n = 0;
    while (walked[i + n]?.startsWith('ahead ')) n++;
    assert.ok(n > 0, `a take at ${i} without its read-ahead`);
    const ahead = walked.slice(i, i + n).map((e) => e.slice(6));
    const takes = walked.slice(i + n, i + 2 * n).map((e) => e.slice(5));
    assert.equal(takes, ahead);
    i += 2 * n;
  }
  for (const key of early) assert.is(walked.filter((e) => e.endsWith(` ${key}`)).length, 0, key);
});

test('a capture holds the table size; lookups work during and after it', () => {
  const t = filled(100);
  const taken = capturing(t);
  assert.is(t.captureStep(1), false);
  for (let i = 0; i < 5000; i++) t.set(`more${i}`, entry(i));
  stepToEnd(t, 1000);
  assert.is(taken.length, 100, 'keys stored during the capture are left out');
  for (let i = 0; i < 5000; i++) assert.is(t.get(`more${i}`)?.n, i);
  for (let i = 0; i < 100; i++) assert.is(t.get(`k${i}`)?.n, i);
  // The growth held off during the capture happened at its end.
  assert.is(scanAll(t, 100000).length, 5100);
});

test('captured() tells whether a key changed behind the table could be missing from the capture', () => {
  const t = filled(50);
  const before = t.get('k1') as Entry;
  const taken = capturing(t);
  assert.is(t.captured('k1'), false, 'not walked, not looked up');
  before.n = 99;
  t.get('k2');
  assert.ok(t.captured('k2'), 'looked up: handed out first');
  t.set('fresh', entry(0));
  assert.ok(t.captured('fresh'), 'was not there');
  assert.is(t.captured('k3'), false);
  t.endCapture();
  assert.ok(t.captured('k3'), 'no capture running');
  assert.equal(taken, ['k2=2']);
  assert.is(t.captureStep(10), true, 'an ended capture is done');
});

test('what a capture handed out is walked by the next one; an entry moved to another table is handed out once', () => {
  const t = filled(200);
  capturing(t);
  for (let i = 0; i < 200; i += 3) t.get(`k${i}`);
  t.endCapture();
  const again = capturing(t);
  stepToEnd(t, 16);
  assert.is(again.length, 200, 'the entries the first capture handed out are walked by the second');

  const from = filled(50);
  const to = filled(50, 'other');
  const fromTaken = capturing(from);
  const toTaken = capturing(to);
  const moved = from.get('k5') as Entry;
  from.delete('k5');
  to.set('k5', moved);
  stepToEnd(from, 8);
  stepToEnd(to, 8);
  assert.equal(fromTaken.filter((e) => e.startsWith('k5=')), ['k5=5'], 'handed out by the table it left, once');
  assert.is(toTaken.length, 50, 'left out by the table it joined during the capture');
  assert.ok(toTaken.every((e) => e.startsWith('other')));
});

test('only one capture at a time; a new one may begin after the last ended', () => {
  const t = filled(10);
  capturing(t);
  assert.throws(() => t.beginCapture(() => {}), /captured already/);
  stepToEnd(t, 3);
  const again = capturing(t);
  stepToEnd(t, 64);
  assert.is(again.length, 10);
});

test.run();
