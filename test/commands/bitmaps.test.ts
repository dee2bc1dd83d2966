// Bitmap commands through real clients (ioredis 5 RESP2, ioredis 6 and
// node-redis 6 RESP3) against an in-process VelocityDB: replies, errors, TTLs,
// stored values never changed in place, and what is logged. Byte-exact
// replies are compared with redis-server by compat/scripts/bitmaps.txt.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Deque } from '../../src/store/deque.js';
import { captureLog } from '../helpers/log-capture.js';
import { failure, withClients } from '../helpers/clients.js';

const clients = withClients(test);

for (const [name, client] of [
  ['ioredis 5 (RESP2)', () => clients.r5],
  ['ioredis 6 (RESP3)', () => clients.r6],
] as const) {
  test(`${name}: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP`, async () => {
    const r = client();
    assert.is(await r.setbit('b', 7, 1), 0);
    assert.is(await r.setbit('b', 7, 1), 1);
    assert.is(await r.getbit('b', 7), 1);
    assert.is(await r.getbit('b', 100), 0);
    assert.is(await r.getbit('nosuch', 3), 0);
    assert.is(await r.setbit('b', 15, 1), 0);
    assert.equal(await r.getBuffer('b'), Buffer.from([0x01, 0x01]));
    await r.set('foo', 'foobar');
    assert.is(await r.bitcount('foo'), 26);
    assert.is(await r.bitcount('foo', 1, 1), 6);
    assert.is(await r.bitcount('foo', 5, 30, 'BIT'), 17);
    assert.is(await r.bitcount('nosuch'), 0);
    await r.set('bp', Buffer.from([0xff, 0xf0, 0x00]));
    assert.is(await r.bitpos('bp', 0), 12);
    assert.is(await r.bitpos('bp', 1, 2), -1);
    assert.is(await r.bitpos('bp', 0, 7, 15, 'BIT'), 12);
    assert.is(await r.bitpos('nosuch', 0), 0);
    assert.is(await r.bitpos('nosuch', 1), -1);
    await r.set('k1', Buffer.from([0xff, 0x0f]));
    await r.set('k2', Buffer.from([0x0f]));
    assert.is(await r.bitop('AND', 'dest', 'k1', 'k2'), 2);
    assert.equal(await r.getBuffer('dest'), Buffer.from([0x0f, 0x00]));
    assert.is(await r.bitop('OR', 'dest', 'k1', 'k2'), 2);
    assert.equal(await r.getBuffer('dest'), Buffer.from([0xff, 0x0f]));
    assert.is(await r.bitop('XOR', 'dest', 'k1', 'k2'), 2);
    assert.equal(await r.getBuffer('dest'), Buffer.from([0xf0, 0x0f]));
    assert.is(await r.bitop('NOT', 'dest', 'k2'), 1);
    assert.equal(await r.getBuffer('dest'), Buffer.from([0xf0]));
    // An empty result deletes the destination.
    assert.is(await r.bitop('OR', 'dest', 'nosuch', 'nosuch2'), 0);
    assert.is(await r.exists('dest'), 0);
  });

  test(`${name}: BITFIELD and BITFIELD_RO`, async () => {
    const r = client();
    assert.equal(await r.call('BITFIELD', 'bf', 'SET', 'u8', 0, 255, 'GET', 'u8', 0, 'GET', 'i8', 0), [0, 255, -1]);
    assert.equal(await r.call('BITFIELD', 'bf', 'INCRBY', 'u8', 0, 1), [0]);
    assert.equal(await r.call('BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', 0, 300), [255]);
    assert.equal(await r.call('BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', 0, 1), [null]);
    assert.equal(await r.call('BITFIELD', 'bf', 'SET', 'u8', '#2', 7, 'GET', 'u8', 16), [0, 7]);
    assert.equal(await r.call('BITFIELD_RO', 'bf', 'GET', 'u8', '#2', 'GET', 'u4', 0), [7, 15]);
    assert.equal(await r.call('BITFIELD_RO', 'nosuch', 'GET', 'u8', 0), [0]);
    assert.equal(await r.call('BITFIELD', 'bf64', 'SET', 'i64', 0, -1, 'GET', 'i64', 0), [0, -1]);
    assert.equal(await r.call('BITFIELD', 'bf'), []);
  });
}

test('node-redis 6 (RESP3): bitmap commands', async () => {
  assert.is(await clients.nr.setBit('b', 7, 1), 0);
  assert.is(await clients.nr.getBit('b', 7), 1);
  await clients.nr.set('foo', 'foobar');
  assert.is(await clients.nr.bitCount('foo'), 26);
  assert.is(await clients.nr.bitCount('foo', { start: 5, end: 30, mode: 'BIT' }), 17);
  assert.is(await clients.nr.bitPos('foo', 1), 1);
  assert.is(await clients.nr.bitOp('NOT', 'dest', 'b'), 1);
  assert.equal(await clients.nr.bitField('bf', [{ operation: 'SET', encoding: 'u8', offset: 0, value: 200 }, { operation: 'GET', encoding: 'i8', offset: 0 }]), [0, -56]);
  assert.equal(await clients.nr.bitFieldRo('bf', [{ encoding: 'u8', offset: 0 }]), [200]);
  assert.equal(await clients.nr.sendCommand(['BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '100']), [null]);
});

test('errors are Redis’s', async () => {
  const r = clients.r5;
  await r.rpush('list', 'a');
  assert.is(await failure(r.setbit('b', 1, 2)), 'ERR bit is not an integer or out of range');
  assert.is(await failure(r.setbit('b', -1, 1)), 'ERR bit offset is not an integer or out of range');
  assert.is(await failure(r.setbit('b', 4294967296, 1)), 'ERR bit offset is not an integer or out of range');
  assert.is(await failure(r.getbit('b', 4294967296)), 'ERR bit offset is not an integer or out of range');
  assert.is(await failure(r.setbit('list', 0, 1)), 'WRONGTYPE Operation against a key holding the wrong kind of value');
  assert.is(await failure(r.getbit('list', 0)), 'WRONGTYPE Operation against a key holding the wrong kind of value');
  await r.set('s', 'x');
  assert.is(await failure(r.call('BITCOUNT', 's', '0')), 'ERR syntax error');
  assert.is(await failure(r.call('BITCOUNT', 's', '0', '1', 'FOO')), 'ERR syntax error');
  assert.is(await failure(r.call('BITCOUNT', 's', 'a', '1')), 'ERR value is not an integer or out of range');
  assert.is(await r.call('BITCOUNT', 'nosuch', '0', '1', 'FOO'), 0, 'a missing key answers before the options are read');
  assert.is(await failure(r.call('BITPOS', 's', '2')), 'ERR The bit argument must be 1 or 0.');
  assert.is(await failure(r.call('BITPOS', 's', '1', '0', '1', 'FOO')), 'ERR syntax error');
  assert.is(await failure(r.call('BITOP', 'NOT', 'd', 'a', 'b')), 'ERR BITOP NOT must be called with a single source key.');
  assert.is(await failure(r.call('BITOP', 'FOO', 'd', 'a')), 'ERR syntax error');
  assert.is(await failure(r.call('BITOP', 'AND', 'd', 's', 'list')), 'WRONGTYPE Operation against a key holding the wrong kind of value');
  assert.is(
    await failure(r.call('BITFIELD', 's', 'GET', 'u64', '0')),
    'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.',
  );
  assert.is(await failure(r.call('BITFIELD', 's', 'OVERFLOW', 'FOO')), 'ERR Invalid OVERFLOW type specified');
  assert.is(await failure(r.call('BITFIELD', 's', 'GET', 'u8')), 'ERR syntax error');
  assert.is(await failure(r.call('BITFIELD', 's', 'SET', 'u8', '0', 'x')), 'ERR value is not an integer or out of range');
  assert.is(await failure(r.call('BITFIELD_RO', 's', 'SET', 'u8', '0', '1')), 'ERR BITFIELD_RO only supports the GET subcommand');
  assert.is(await failure(r.call('BITFIELD', 'list', 'GET', 'u8', '0')), 'WRONGTYPE Operation against a key holding the wrong kind of value');
});

test('SETBIT and BITFIELD keep the TTL; BITOP replaces the key without one', async () => {
  await clients.r5.set('k', 'a', 'EX', 100);
  await clients.r5.setbit('k', 100, 1);
  assert.ok((await clients.r5.ttl('k')) > 0);
  await clients.r5.bitfield('k', 'SET', 'u8', 200, 1);
  assert.ok((await clients.r5.ttl('k')) > 0);
  await clients.r5.bitop('OR', 'k', 'k');
  assert.is(await clients.r5.ttl('k'), -1);
});

test('a stored value is never changed in place', async () => {
  await clients.r5.set('k', Buffer.from([0, 0, 0]));
  const before = clients.db().keys.get('k')?.value as Buffer;
  await clients.r5.setbit('k', 0, 1);
  await clients.r5.bitfield('k', 'SET', 'u8', 8, 255);
  assert.equal(before, Buffer.from([0, 0, 0]));
  assert.equal(await clients.r5.getBuffer('k'), Buffer.from([0x80, 0xff, 0]));
});

test('writes are logged as themselves, and only when they change something', async () => {
  const log = captureLog(clients.s.server);
  try {
    await clients.r5.setbit('k', 3, 1);
    await clients.r5.setbit('k', 3, 1); // no change: not logged
    await clients.r5.setbit('k', 3, 0);
    await clients.r5.bitfield('k', 'GET', 'u8', 0); // read only
    await clients.r5.bitfield('k', 'INCRBY', 'u8', 0, 1);
    await clients.r5.call('BITFIELD_RO', 'k', 'GET', 'u8', '0');
    await clients.r5.bitop('NOT', 'd', 'k');
    await clients.r5.bitop('AND', 'nosuch', 'nosuch2'); // nothing to delete: not logged
    await clients.r5.bitop('AND', 'd', 'nosuch');
    assert.equal(log.commands(), [
      ['setbit', 'k', '3', '1'],
      ['setbit', 'k', '3', '0'],
      ['bitfield', 'k', 'INCRBY', 'u8', '0', '1'],
      ['bitop', 'NOT', 'd', 'k'],
      ['bitop', 'AND', 'd', 'nosuch'],
    ]);
  } finally {
    log.restore();
  }
});

test('a list is not a bitmap', async () => {
  clients.db().put('l', 'list', new Deque([Buffer.from('x')]));
  assert.is(await failure(clients.r5.bitcount('l')), 'WRONGTYPE Operation against a key holding the wrong kind of value');
  assert.is(await failure(clients.r5.bitpos('l', 1)), 'WRONGTYPE Operation against a key holding the wrong kind of value');
});

test.run();
