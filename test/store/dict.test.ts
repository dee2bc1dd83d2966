// Dict: Map semantics plus Redis's SCAN guarantee and random keys.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Dict } from '../../src/store/dict.js';

function scanAll(d: Dict<number>, count = 10, between: (round: number) => void = () => {}): string[] {
  const seen: string[] = [];
  let cursor = 0;
  let round = 0;
  do {
    cursor = d.scan(cursor, count, (k) => seen.push(k));
    between(round++);
  } while (cursor !== 0);
  return seen;
}

test('set, get, delete and size', () => {
  const d = new Dict<number>();
  assert.ok(d.set('a', 1));
  assert.not.ok(d.set('a', 2));
  assert.is(d.get('a'), 2);
  assert.is(d.size, 1);
  assert.ok(d.delete('a'));
  assert.not.ok(d.delete('a'));
  assert.is(d.size, 0);
});

test('a full scan returns every key exactly once on a stable table', () => {
  const d = new Dict<number>();
  for (let i = 0; i < 1000; i++) d.set(`k${i}`, i);
  const seen = scanAll(d);
  assert.is(seen.length, 1000);
  assert.is(new Set(seen).size, 1000);
});

test('keys present for the whole scan are returned while the table grows and shrinks', () => {
  const d = new Dict<number>();
  for (let i = 0; i < 500; i++) d.set(`stable${i}`, i);
  let extra = 0;
  const seen = new Set(
    scanAll(d, 7, (round) => {
      // Grow on even rounds (forces rehash to bigger tables), shrink on odd ones.
      if (round % 2 === 0) for (let i = 0; i < 300; i++) d.set(`extra${extra++}`, 0);
      else for (let i = extra - 300; i < extra; i++) d.delete(`extra${i}`);
    }),
  );
  for (let i = 0; i < 500; i++) assert.ok(seen.has(`stable${i}`), `stable${i} returned`);
});

test('scan of an empty dict ends at once', () => {
  assert.is(new Dict<number>().scan(0, 10, assert.unreachable), 0);
});

test('randomKey returns present keys and covers them', () => {
  const d = new Dict<number>();
  assert.is(d.randomKey(), undefined);
  for (let i = 0; i < 20; i++) d.set(`k${i}`, i);
  const picked = new Set<string>();
  for (let i = 0; i < 2000; i++) picked.add(d.randomKey() as string);
  assert.is(picked.size, 20);
  for (let i = 0; i < 19; i++) d.delete(`k${i}`);
  assert.is(d.randomKey(), 'k19');
});

test.run();
