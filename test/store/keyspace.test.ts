// The keyspace: lazy and active expiry with a controlled clock, SWAPDB, RANDOMKEY.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Keyspace } from '../../src/store/keyspace.js';

function fixture() {
  const keyspace = new Keyspace(16);
  const expired: string[] = [];
  keyspace.onExpired = (db, key) => expired.push(`${db.index}:${key}`);
  keyspace.now = 1_000_000;
  return { keyspace, db: keyspace.databases[0], expired };
}

test('a key past its time is deleted on access and reported once', () => {
  const { keyspace, db, expired } = fixture();
  db.put('k', 'string', Buffer.from('v'));
  db.setExpire('k', keyspace.now + 100);
  assert.ok(db.lookup('k'));
  keyspace.now += 100;
  assert.is(db.lookup('k'), undefined);
  assert.is(db.lookup('k'), undefined);
  assert.equal(expired, ['0:k']);
  assert.is(db.size, 0);
  assert.is(db.expires.size, 0);
});

test('put drops the TTL unless asked to keep it', () => {
  const { keyspace, db } = fixture();
  db.put('k', 'string', Buffer.from('1'));
  db.setExpire('k', keyspace.now + 10);
  db.put('k', 'string', Buffer.from('2'), true);
  assert.is(db.expireAt('k'), keyspace.now + 10);
  db.put('k', 'string', Buffer.from('3'));
  assert.is(db.expireAt('k'), undefined);
});

test('lookups record the access time unless NO-TOUCH', () => {
  const { keyspace, db } = fixture();
  db.put('k', 'string', Buffer.from('v'));
  keyspace.now += 5000;
  assert.is(db.lookup('k')?.lru, Math.floor(keyspace.now / 1000));
  keyspace.noTouch = true;
  keyspace.now += 5000;
  assert.is(db.lookup('k')?.lru, Math.floor(keyspace.now / 1000) - 5);
});

test('while replaying, nothing expires', () => {
  const { keyspace, db, expired } = fixture();
  db.put('k', 'string', Buffer.from('v'));
  db.setExpire('k', keyspace.now - 1);
  keyspace.replaying = true;
  assert.ok(db.lookup('k'));
  keyspace.replaying = false;
  assert.is(db.lookup('k'), undefined);
  assert.equal(expired, ['0:k']);
});

test('the active cycle deletes expired keys across databases and keeps the rest', () => {
  const { keyspace, expired } = fixture();
  const [db0, db5] = [keyspace.databases[0], keyspace.databases[5]];
  for (let i = 0; i < 1000; i++) {
    db0.put(`a${i}`, 'string', Buffer.from('v'));
    db0.setExpire(`a${i}`, keyspace.now + (i % 2 === 0 ? -1 : 1_000));
    db5.put(`b${i}`, 'string', Buffer.from('v'));
    db5.setExpire(`b${i}`, keyspace.now - 1);
  }
  let deleted = 0;
  for (let i = 0; i < 100 && deleted < 1500; i++) deleted += keyspace.activeExpire(50);
  assert.is(deleted, 1500);
  assert.is(db0.size, 500);
  assert.is(db5.size, 0);
  assert.is(expired.length, 1500);
});

test('the active cycle stops at its budget and resumes', () => {
  const { keyspace, db } = fixture();
  for (let i = 0; i < 50_000; i++) {
    db.put(`k${i}`, 'string', Buffer.from('v'));
    db.setExpire(`k${i}`, keyspace.now - 1);
  }
  const first = keyspace.activeExpire(0);
  assert.ok(first > 0 && first < 50_000, `first pass deleted ${first}`);
  let total = first;
  while (total < 50_000) total += keyspace.activeExpire(1000);
  assert.is(db.size, 0);
});

test('swapWith exchanges keys and expiries', () => {
  const { keyspace } = fixture();
  const [a, b] = keyspace.databases;
  a.put('x', 'string', Buffer.from('in a'));
  a.setExpire('x', keyspace.now + 10);
  a.swapWith(b);
  assert.is(a.size, 0);
  assert.equal(b.lookup('x')?.value, Buffer.from('in a'));
  assert.is(b.expireAt('x'), keyspace.now + 10);
});

test('randomKey skips expired keys', () => {
  const { keyspace, db } = fixture();
  for (let i = 0; i < 10; i++) {
    db.put(`dead${i}`, 'string', Buffer.from('v'));
    db.setExpire(`dead${i}`, keyspace.now - 1);
  }
  db.put('alive', 'string', Buffer.from('v'));
  for (let i = 0; i < 20; i++) assert.is(db.randomKey(), 'alive');
  assert.ok(db.size < 11, 'expired picks were deleted');
});

test.run();
