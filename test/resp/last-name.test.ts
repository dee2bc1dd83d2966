// LastName: the value of the name looked up last, compared as bytes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LastName } from '../../src/resp/last-name.js';

function counted(): { memo: LastName<string>; calls: string[] } {
  const calls: string[] = [];
  const memo = new LastName((buf, start, end) => {
    const name = buf.toString('latin1', start, end);
    calls.push(name);
    return name.toLowerCase();
  });
  return { memo, calls };
}

test('the same bytes again are answered without a lookup, wherever they lie', () => {
  const { memo, calls } = counted();
  const buf = Buffer.from('xxSETyySETzz');
  assert.is(memo.get(buf, 2, 5), 'set');
  assert.is(memo.get(buf, 7, 10), 'set');
  assert.is(memo.get(Buffer.from('SET'), 0, 3), 'set');
  assert.equal(calls, ['SET']);
});

test('other bytes, another length or another case are looked up, and become the last name', () => {
  const { memo, calls } = counted();
  for (const name of ['GET', 'SET', 'set', 'SETEX', 'SETEX', 'SET']) memo.get(Buffer.from(name), 0, name.length);
  assert.equal(calls, ['GET', 'SET', 'set', 'SETEX', 'SET']);
});

test('names longer than 16 bytes are looked up each time and do not evict the last short one', () => {
  const { memo, calls } = counted();
  const long = Buffer.from('A'.repeat(17));
  memo.get(Buffer.from('GET'), 0, 3);
  assert.is(memo.get(long, 0, 17), 'a'.repeat(17));
  assert.is(memo.get(long, 0, 17), 'a'.repeat(17));
  memo.get(Buffer.from('GET'), 0, 3);
  assert.equal(calls, ['GET', 'A'.repeat(17), 'A'.repeat(17)]);
});

test('an empty name is remembered like any other', () => {
  const { memo, calls } = counted();
  assert.is(memo.get(Buffer.alloc(0), 0, 0), '');
  assert.is(memo.get(Buffer.from('x'), 0, 0), '');
  assert.equal(calls, ['']);
});

test.run();
