// HyperLogLog commands through real clients (ioredis 5 RESP2, ioredis 6 and
// node-redis 6 RESP3) against an in-process VelocityDB: counts, errors, the
// cached cardinality written back by PFCOUNT (and logged, as Redis
// propagates it), stored values never changed in place. Byte-exact replies
// and values are compared with redis-server by compat/scripts/hyperloglog.txt.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Deque } from '../../src/store/deque.js';
import { captureLog } from '../helpers/log-capture.js';
import { failure, withClients } from '../helpers/clients.js';

const clients = withClients(test);
const range = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

for (const [name, client] of [
  ['ioredis 5 (RESP2)', () => clients.r5],
  ['ioredis 6 (RESP3)', () => clients.r6],
] as const) {
  test(`${name}: PFADD, PFCOUNT, PFMERGE`, async () => {
    const r = client();
    assert.is(await r.pfadd('h', 'a', 'b', 'c'), 1);
    assert.is(await r.pfadd('h', 'a', 'b', 'c'), 0);
    assert.is(await r.pfcount('h'), 3);
    assert.is(await r.pfcount('nosuch'), 0);
    assert.is(await r.pfadd('empty'), 1);
    assert.is(await r.pfadd('empty'), 0);
    assert.is(await r.pfcount('empty'), 0);
    assert.is(await r.type('h'), 'string');
    assert.is(await r.pfadd('h2', ...range(1000, 'e')), 1);
    const count = await r.pfcount('h2');
    assert.ok(Math.abs(count - 1000) < 30, `estimate ${count}`);
    assert.is(await r.pfcount('h', 'h2'), await r.pfcount('h', 'h2', 'nosuch'));
    assert.is(await r.pfmerge('m', 'h', 'h2'), 'OK');
    assert.is(await r.pfcount('m'), await r.pfcount('h', 'h2'));
    assert.is(await r.pfmerge('m2', 'nosuch'), 'OK');
    assert.is(await r.exists('m2'), 1);
    assert.is(await r.pfcount('m2'), 0);
  });
}

test('node-redis 6 (RESP3): PFADD, PFCOUNT, PFMERGE', async () => {
  assert.is(await clients.nr.pfAdd('h', ['a', 'b']), 1);
  assert.is(await clients.nr.pfCount('h'), 2);
  assert.is(await clients.nr.pfAdd('h2', ['c']), 1);
  assert.is(await clients.nr.pfMerge('m', ['h', 'h2']), 'OK');
  assert.is(await clients.nr.pfCount(['m', 'h']), 3);
});

test('errors are Redis’s', async () => {
  await clients.r5.set('str', 'hello');
  clients.db().put('list', 'list', new Deque([Buffer.from('x')]));
  const notHll = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
  const wrongType = 'WRONGTYPE Operation against a key holding the wrong kind of value';
  assert.is(await failure(clients.r5.pfadd('str', 'a')), notHll);
  assert.is(await failure(clients.r5.pfcount('str')), notHll);
  assert.is(await failure(clients.r5.pfcount('nosuch', 'str')), notHll);
  assert.is(await failure(clients.r5.pfmerge('dest', 'str')), notHll);
  assert.is(await failure(clients.r5.pfadd('list', 'a')), wrongType);
  assert.is(await failure(clients.r5.pfcount('list')), wrongType);
  await clients.r5.set('corrupt', Buffer.from('HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80', 'latin1'));
  assert.is(await failure(clients.r5.pfcount('corrupt')), 'INVALIDOBJ Corrupted HLL object detected');
  assert.is(await failure(clients.r5.pfmerge('dest', 'corrupt')), 'INVALIDOBJ Corrupted HLL object detected');
  assert.is(await clients.r5.exists('dest'), 0);
  assert.is(await failure(clients.r5.call('PFCOUNT')), "ERR wrong number of arguments for 'pfcount' command");
});

test('PFCOUNT stores the refreshed cache and logs PFCOUNT; a valid cache is only read', async () => {
  await clients.r5.pfadd('h', 'a', 'b');
  const stale = clients.db().keys.get('h')?.value as Buffer;
  assert.is(stale[15] & 0x80, 0x80, 'PFADD marks the cache stale');
  const log = captureLog(clients.s.server);
  try {
    assert.is(await clients.r5.pfcount('h'), 2);
    const fresh = clients.db().keys.get('h')?.value as Buffer;
    assert.is(fresh[15] & 0x80, 0);
    assert.is(fresh.readBigUInt64LE(8), 2n);
    assert.is(stale[15] & 0x80, 0x80, 'the stored Buffer is replaced, not changed');
    assert.is(await clients.r5.pfcount('h'), 2);
    assert.is(await clients.r5.pfcount('h', 'nosuch'), 2);
    assert.is(await clients.r5.pfadd('h', 'a'), 0);
    assert.is(await clients.r5.pfadd('h', 'c'), 1);
    await clients.r5.pfmerge('m', 'h');
    assert.equal(log.commands(), [
      ['pfcount', 'h'],
      ['pfadd', 'h', 'c'],
      ['pfmerge', 'm', 'h'],
    ]);
  } finally {
    log.restore();
  }
});

test('PFADD and PFMERGE keep the TTL', async () => {
  await clients.r5.pfadd('h', 'a');
  await clients.r5.expire('h', 100);
  await clients.r5.pfadd('h', 'b');
  await clients.r5.pfcount('h');
  await clients.r5.pfmerge('h', 'h');
  assert.ok((await clients.r5.ttl('h')) > 0);
});

test('a big HLL turns dense past hll-sparse-max-bytes', async () => {
  await clients.r5.pfadd('big', ...range(5000, 'x'));
  const value = clients.db().keys.get('big')?.value as Buffer;
  assert.is(value[4], 0, 'dense encoding');
  assert.is(value.length, 16 + 12288);
  const count = await clients.r5.pfcount('big');
  assert.ok(Math.abs(count - 5000) < 150, `estimate ${count}`);
});

test.run();
