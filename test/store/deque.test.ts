import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Deque } from '../../src/store/deque.js';

function seeded(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
}

test('push and pop at both ends, growing and wrapping', () => {
  const d = new Deque<number>();
  for (let i = 0; i < 20; i++) d.pushBack(i);
  for (let i = 1; i <= 20; i++) d.pushFront(-i);
  assert.is(d.length, 40);
  assert.is(d.get(0), -20);
  assert.is(d.get(39), 19);
  assert.is(d.get(40), undefined);
  assert.is(d.get(-1), undefined);
  assert.is(d.popFront(), -20);
  assert.is(d.popBack(), 19);
  assert.equal([...d].slice(0, 3), [-19, -18, -17]);
  while (d.length) d.popBack();
  assert.is(d.popFront(), undefined);
  assert.is(d.popBack(), undefined);
});

test('set, insert and removeAt keep order on both halves', () => {
  const d = new Deque([1, 2, 3, 4, 5, 6]);
  assert.ok(d.set(2, 30));
  assert.not.ok(d.set(6, 0));
  d.insert(1, 15);
  d.insert(6, 55);
  d.insert(0, 0);
  d.insert(d.length, 99);
  assert.equal([...d], [0, 1, 15, 2, 30, 4, 5, 55, 6, 99]);
  assert.is(d.removeAt(2), 15);
  assert.is(d.removeAt(7), 6);
  assert.is(d.removeAt(20), undefined);
  assert.equal([...d], [0, 1, 2, 30, 4, 5, 55, 99]);
  assert.throws(() => d.insert(9, 1));
});

test('values iterates from an index in both directions', () => {
  const d = new Deque(['a', 'b', 'c', 'd']);
  assert.equal([...d.values(2)], ['c', 'd']);
  assert.equal([...d.values(2, true)], ['c', 'b', 'a']);
  assert.equal([...d.values(undefined, true)], ['d', 'c', 'b', 'a']);
  assert.equal([...d.values(10)], []);
  assert.equal([...d.values(10, true)], ['d', 'c', 'b', 'a']);
  assert.equal(d.slice(1, 2), ['b', 'c']);
  assert.equal(d.slice(2, 10), ['c', 'd']);
});

test('trim keeps an inclusive range, empties on an empty one', () => {
  const d = new Deque([0, 1, 2, 3, 4, 5, 6]);
  d.trim(1, 4);
  assert.equal([...d], [1, 2, 3, 4]);
  d.trim(0, 100);
  assert.equal([...d], [1, 2, 3, 4]);
  d.trim(3, 2);
  assert.is(d.length, 0);
  d.pushBack(7);
  assert.equal([...d], [7]);
});

test('removeMatching counts from the head, the tail, or removes all', () => {
  const make = () => new Deque(['x', 'a', 'x', 'b', 'x', 'c', 'x']);
  const isX = (v: string) => v === 'x';
  let d = make();
  assert.is(d.removeMatching(isX, 2), 2);
  assert.equal([...d], ['a', 'b', 'x', 'c', 'x']);
  d = make();
  assert.is(d.removeMatching(isX, -2), 2);
  assert.equal([...d], ['x', 'a', 'x', 'b', 'c']);
  d = make();
  assert.is(d.removeMatching(isX, 0), 4);
  assert.equal([...d], ['a', 'b', 'c']);
  assert.is(d.removeMatching(isX, 0), 0);
  d.pushFront('z');
  assert.equal([...d], ['z', 'a', 'b', 'c']);
});

test('random operations agree with an array model', () => {
  const rnd = seeded(42);
  const d = new Deque<number>();
  let model: number[] = [];
  for (let step = 0; step < 20000; step++) {
    const op = rnd(11);
    const v = rnd(1000);
    if (op === 0) { d.pushBack(v); model.push(v); }
    else if (op === 1) { d.pushFront(v); model.unshift(v); }
    else if (op === 2) assert.is(d.popFront(), model.shift());
    else if (op === 3) assert.is(d.popBack(), model.pop());
    else if (op === 4) { const i = rnd(model.length + 1); d.insert(i, v); model.splice(i, 0, v); }
    else if (op === 5 && model.length) { const i = rnd(model.length); assert.is(d.removeAt(i), model.splice(i, 1)[0]); }
    else if (op === 6 && model.length) { const i = rnd(model.length); d.set(i, v); model[i] = v; }
    else if (op === 7) { const n = rnd(4); d.dropFront(n); model.splice(0, n); }
    else if (op === 8) { const n = rnd(4); d.dropBack(n); model.splice(Math.max(model.length - n, 0)); }
    else if (op === 9) {
      const count = rnd(5) - 2;
      const target = v % 3;
      const pred = (x: number) => x % 3 === target;
      let idx = model.map((x, i) => (pred(x) ? i : -1)).filter((i) => i >= 0);
      if (count < 0) idx = idx.reverse().slice(0, -count);
      else if (count > 0) idx = idx.slice(0, count);
      const drop = new Set(idx);
      assert.is(d.removeMatching(pred, count), drop.size);
      model = model.filter((_, i) => !drop.has(i));
    } else if (op === 10 && rnd(20) === 0) {
      const s = rnd(model.length + 2) - 1;
      const e = rnd(model.length + 2) - 1;
      d.trim(s, e);
      model = s > e || s >= model.length || e < 0 ? [] : model.slice(Math.max(s, 0), e + 1);
    }
    assert.is(d.length, model.length);
    if (step % 500 === 0) assert.equal([...d], model);
  }
  assert.equal([...d], model);
});

test.run();
