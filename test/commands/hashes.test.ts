// Hash commands through real clients (ioredis 5 in RESP2, node-redis 6 in
// RESP3) against an in-process VelocityDB: replies, errors, deletion of
// emptied hashes, encodings, keyspace notifications, the log records, and
// replays of them that must rebuild the same hashes. Byte-exact replies are
// compared with redis-server by compat/scripts/hashes.txt.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dumpKeyspace } from '../helpers/replay.js';
import { failure, keyEvents, withLoggedClients } from '../helpers/clients.js';

const t = withLoggedClients(test);

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const SYNTAX = 'ERR syntax error';
const NOT_INTEGER = 'ERR value is not an integer or out of range';

test('HSET, HMSET, HSETNX, HGET, HMGET, HLEN, HEXISTS, HSTRLEN', async () => {
  assert.is(await t.r.hset('h', 'a', '1', 'b', '2'), 2);
  assert.is(await t.r.hset('h', 'a', 'one', 'c', '3'), 1);
  assert.is(await t.r.hmset('h', 'd', '4'), 'OK');
  assert.is(await t.r.hsetnx('h', 'a', 'x'), 0);
  assert.is(await t.r.hsetnx('h', 'e', '5'), 1);
  assert.is(await t.r.hget('h', 'a'), 'one');
  assert.is(await t.r.hget('h', 'nosuch'), null);
  assert.is(await t.r.hget('nosuch', 'a'), null);
  assert.equal(await t.r.hmget('h', 'a', 'nosuch', 'e'), ['one', null, '5']);
  assert.equal(await t.r.hmget('nosuch', 'a', 'b'), [null, null]);
  assert.is(await t.r.hlen('h'), 5);
  assert.is(await t.r.hlen('nosuch'), 0);
  assert.is(await t.r.hexists('h', 'b'), 1);
  assert.is(await t.r.hexists('h', 'z'), 0);
  assert.is(await t.r.hstrlen('h', 'a'), 3);
  assert.is(await t.r.hstrlen('h', 'z'), 0);
  assert.is(await failure(t.r.call('HSET', 'h', 'a', '1', 'b')), "ERR wrong number of arguments for 'hset' command");
  assert.is(await failure(t.r.call('HMSET', 'h', 'a')), "ERR wrong number of arguments for 'hmset' command");
  assert.is(await t.n.hSet('n', { x: '1', y: '2' }), 2);
  assert.equal(await t.n.hGetAll('n'), { x: '1', y: '2' });
  // An HSETNX that set nothing is not logged.
  assert.equal(t.logged(), [
    ['HSET', 'h', 'a', '1', 'b', '2'],
    ['HSET', 'h', 'a', 'one', 'c', '3'],
    ['HMSET', 'h', 'd', '4'],
    ['HSETNX', 'h', 'e', '5'],
    ['HSET', 'n', 'x', '1', 'y', '2'],
  ]);
});

test('values are binary-safe and copied out of the request', async () => {
  const value = Buffer.from([0, 255, 13, 10, 7]);
  await t.r.hset('b', 'v', value, 'empty', Buffer.alloc(0));
  await t.r.set('other', 'x'.repeat(100));
  assert.equal(await t.r.hgetBuffer('b', 'v'), value);
  assert.equal(await t.r.hgetBuffer('b', 'empty'), Buffer.alloc(0));
  await t.r.hset('b', Buffer.from([0xff, 0]), 'binary field');
  assert.is(await t.r.hget('b', Buffer.from([0xff, 0])), 'binary field');
});

test('HKEYS, HVALS, HGETALL keep insertion order; RESP3 HGETALL is a map', async () => {
  await t.r.hset('h', 'z', '1', 'a', '2', 'm', '3');
  await t.r.hset('h', 'a', 'two');
  assert.equal(await t.r.hkeys('h'), ['z', 'a', 'm']);
  assert.equal(await t.r.hvals('h'), ['1', 'two', '3']);
  assert.equal(await t.r.call('HGETALL', 'h'), ['z', '1', 'a', 'two', 'm', '3']);
  assert.equal(await t.r.hkeys('nosuch'), []);
  assert.equal(await t.r.hgetall('nosuch'), {});
  // 37 is '%', RESP3's map type: as a Map, the order shows.
  assert.equal(await t.n.sendCommand(['HGETALL', 'h'], { typeMapping: { 37: Map } } as never), new Map([['z', '1'], ['a', 'two'], ['m', '3']]));
  assert.equal(await t.n.hGetAll('nosuch'), {});
});

test('HDEL deletes the emptied hash', async () => {
  await t.r.hset('h', 'a', '1', 'b', '2');
  assert.is(await t.r.hdel('h', 'a', 'nosuch', 'a'), 1);
  assert.is(await t.r.hdel('h', 'nosuch'), 0);
  assert.is(await t.r.hdel('nosuch', 'a'), 0);
  assert.is(await t.r.hdel('h', 'b', 'c'), 1);
  assert.is(await t.r.exists('h'), 0);
  // Deletions that removed nothing are not logged.
  assert.equal(t.logged(), [
    ['HSET', 'h', 'a', '1', 'b', '2'],
    ['HDEL', 'h', 'a', 'nosuch', 'a'],
    ['HDEL', 'h', 'b', 'c'],
  ]);
});

test('HINCRBY: integers, errors and int64 overflow', async () => {
  assert.is(await t.r.hincrby('h', 'n', 5), 5);
  assert.is(await t.r.hincrby('h', 'n', -7), -2);
  await t.r.hset('h', 'max', '9223372036854775806', 's', 'abc', 'sp', ' 1');
  await t.r.hincrby('h', 'max', 1);
  assert.is(await t.r.hget('h', 'max'), '9223372036854775807');
  assert.is(await failure(t.r.hincrby('h', 'max', 1)), 'ERR increment or decrement would overflow');
  assert.is(await failure(t.r.hincrby('h', 'n', '-9223372036854775807')), 'ERR increment or decrement would overflow');
  await t.r.hincrby('h', 'big', '9007199254740993');
  assert.is(await t.r.hget('h', 'big'), '9007199254740993');
  assert.is(await failure(t.r.hincrby('h', 's', 1)), 'ERR hash value is not an integer');
  assert.is(await failure(t.r.hincrby('h', 'sp', 1)), 'ERR hash value is not an integer');
  assert.is(await failure(t.r.call('HINCRBY', 'h', 'n', '1.5')), NOT_INTEGER);
  // The increment is checked first: no WRONGTYPE, no key created.
  await t.r.set('str', 'v');
  assert.is(await failure(t.r.call('HINCRBY', 'str', 'n', 'x')), NOT_INTEGER);
  assert.is(await failure(t.r.hincrby('str', 'n', 1)), WRONGTYPE);
  assert.is(await failure(t.r.call('HINCRBY', 'new', 'n', 'x')), NOT_INTEGER);
  assert.is(await t.r.exists('new'), 0);
});

test('HINCRBYFLOAT formats as INCRBYFLOAT and is logged as HSET of the result', async () => {
  assert.is(await t.r.hincrbyfloat('h', 'f', '10.5'), '10.5');
  assert.is(await t.r.hincrbyfloat('h', 'f', '0.1'), '10.6');
  assert.is(await t.r.hincrbyfloat('h', 'f', '-5.0e3'), '-4989.39999999999999991'); // long double, as Redis
  // Beyond a double's range, in long double's digits (compared with Redis by compat/scripts/hashes.txt).
  const huge = await t.r.hincrbyfloat('h', 'g', '1e400');
  assert.ok(huge.length === 401 && huge.startsWith('10000000000000000000'), huge);
  await t.r.hset('h', 's', 'abc', 'i', 'inf');
  assert.is(await failure(t.r.hincrbyfloat('h', 's', 1)), 'ERR hash value is not a float');
  assert.is(await failure(t.r.hincrbyfloat('h', 'f', 'abc')), 'ERR value is not a valid float');
  assert.is(await failure(t.r.hincrbyfloat('h', 'f', 'inf')), 'ERR value is NaN or Infinity');
  assert.is(await failure(t.r.hincrbyfloat('h', 'i', 1)), 'ERR increment would produce NaN or Infinity');
  assert.is(await failure(t.r.hincrbyfloat('nosuch', 'f', 'nan')), 'ERR value is not a valid float');
  assert.is(await t.r.exists('nosuch'), 0);
  await t.r.set('str', 'v');
  assert.is(await failure(t.r.hincrbyfloat('str', 'f', 1)), WRONGTYPE);
  const floats = t.logged().filter(([name]) => name !== 'SET');
  assert.equal(floats, [
    ['HSET', 'h', 'f', '10.5'],
    ['HSET', 'h', 'f', '10.6'],
    ['HSET', 'h', 'f', '-4989.39999999999999991'],
    ['HSET', 'h', 'g', huge],
    ['HSET', 'h', 's', 'abc', 'i', 'inf'],
  ]);
  await t.assertReplayMatches();
});

test('HRANDFIELD: distinct fields for a positive count, repeats for a negative one', async () => {
  const fields = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
  await t.r.hset('h', ...fields.flatMap((f, i) => [f, String(i)]));
  assert.ok(fields.includes((await t.r.hrandfield('h')) as string));
  assert.is(await t.r.hrandfield('nosuch'), null);
  assert.equal(await t.r.hrandfield('nosuch', 3), []);
  assert.equal(await t.r.hrandfield('h', 0), []);
  for (const count of [1, 2, 3, 4, 9]) {
    const picked = (await t.r.hrandfield('h', count)) as string[];
    assert.is(picked.length, count);
    assert.is(new Set(picked).size, count, `distinct for ${count}`);
    for (const f of picked) assert.ok(fields.includes(f));
  }
  assert.equal((await t.r.hrandfield('h', 100)) as string[], fields);
  const repeated = (await t.r.hrandfield('h', -50)) as string[];
  assert.is(repeated.length, 50);
  assert.ok(new Set(repeated).size < 50);
  const withValues = (await t.r.hrandfield('h', -5, 'WITHVALUES')) as string[];
  assert.is(withValues.length, 10);
  for (let i = 0; i < 10; i += 2) assert.is(withValues[i + 1], String(fields.indexOf(withValues[i])));
  // RESP3: [field, value] pairs.
  const pairs = (await t.n.sendCommand(['HRANDFIELD', 'h', '3', 'WITHVALUES'])) as string[][];
  assert.is(pairs.length, 3);
  for (const [f, v] of pairs) assert.is(v, String(fields.indexOf(f)));
  assert.is(await failure(t.r.call('HRANDFIELD', 'h', '1', 'FOO')), SYNTAX);
  assert.is(await failure(t.r.call('HRANDFIELD', 'h', 'x')), NOT_INTEGER);
  assert.is(await failure(t.r.call('HRANDFIELD', 'h', '-9223372036854775808')), 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  assert.is(await failure(t.r.call('HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES')), 'ERR value is out of range');
});

test('HSCAN: a listpack hash at once, a hashtable by cursor', async () => {
  await t.r.hset('small', 'a', '1', 'b', '2', 'c', '3');
  assert.equal(await t.r.hscan('small', '999', 'COUNT', 1), ['0', ['a', '1', 'b', '2', 'c', '3']]);
  assert.equal(await t.r.hscan('small', '0', 'MATCH', 'b'), ['0', ['b', '2']]);
  assert.equal(await t.r.hscan('nosuch', '0', 'FOO' as 'COUNT', 1), ['0', []]);
  assert.is(await failure(t.r.hscan('small', 'x')), 'ERR invalid cursor');
  assert.is(await failure(t.r.hscan('small', '0', 'COUNT', 0)), SYNTAX);
  const big: string[] = [];
  for (let i = 0; i < 1000; i++) big.push(`f${i}`, `v${i}`);
  await t.r.hset('big', ...big);
  assert.is(await t.r.object('ENCODING', 'big'), 'hashtable');
  const seen = new Map<string, string>();
  let cursor = '0';
  let calls = 0;
  do {
    const [next, items] = await t.r.hscan('big', cursor, 'COUNT', 50);
    for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
    cursor = next;
    calls++;
  } while (cursor !== '0');
  assert.is(seen.size, 1000);
  assert.ok(calls > 5, `scanned in ${calls} calls`);
  for (const [f, v] of seen) assert.is(v, `v${f.slice(1)}`);
});

test('the hashtable encoding sticks once reached', async () => {
  await t.r.hset('h', 'a', '1');
  assert.is(await t.r.object('ENCODING', 'h'), 'listpack');
  await t.r.hset('h', 'long', 'x'.repeat(65));
  await t.r.hdel('h', 'long');
  assert.is(await t.r.object('ENCODING', 'h'), 'hashtable');
  await t.r.hincrbyfloat('h2', 'f', '1e100');
  assert.is(await t.r.object('ENCODING', 'h2'), 'hashtable');
  await t.r.config('SET', 'hash-max-listpack-entries', '3');
  try {
    await t.r.hset('h3', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    await t.r.hdel('h3', 'a', 'b');
    assert.is(await t.r.object('ENCODING', 'h3'), 'hashtable');
    // COPY keeps it.
    await t.r.copy('h3', 'h4');
    assert.is(await t.r.object('ENCODING', 'h4'), 'hashtable');
  } finally {
    await t.r.config('SET', 'hash-max-listpack-entries', '512');
  }
});

test('WRONGTYPE from every hash command', async () => {
  await t.r.set('s', 'v');
  const calls: Promise<unknown>[] = [
    t.r.hset('s', 'f', 'v'),
    t.r.hsetnx('s', 'f', 'v'),
    t.r.hget('s', 'f'),
    t.r.hmget('s', 'f'),
    t.r.hdel('s', 'f'),
    t.r.hexists('s', 'f'),
    t.r.hlen('s'),
    t.r.hstrlen('s', 'f'),
    t.r.hkeys('s'),
    t.r.hvals('s'),
    t.r.hgetall('s'),
    t.r.hincrby('s', 'f', 1),
    t.r.hincrbyfloat('s', 'f', 1),
    t.r.hrandfield('s'),
    t.r.hrandfield('s', 2),
    t.r.hscan('s', '0'),
  ];
  for (const p of calls) assert.is(await failure(p), WRONGTYPE);
});

test('keyspace notifications', async () => {
  const notified = await keyEvents(t.s.port, t.r);
  try {
    await t.r.hset('h', 'a', '1', 'b', '2');
    await t.r.hset('h', 'a', '1'); // no new field, still notified
    await t.r.hsetnx('h', 'a', 'x'); // nothing set: silent
    await t.r.hincrby('h', 'n', 1);
    await t.r.hincrbyfloat('h', 'n', 1.5);
    await t.r.hdel('h', 'nosuch'); // silent
    await t.r.hdel('h', 'a', 'b', 'n');
    await notified.arrived(7); // one more than expected: time for an extra event to show
    assert.equal(notified.events, ['hset h', 'hset h', 'hincrby h', 'hincrbyfloat h', 'hdel h', 'del h']);
  } finally {
    await notified.stop();
  }
});

test('replaying the log rebuilds the same hashes', async () => {
  let random = 4242;
  const next = (k: number): number => {
    random = (random * 1103515245 + 12345) % 2147483648;
    return Math.floor((random / 2147483648) * k); // the high bits: an LCG's low bits cycle
  };
  for (let round = 0; round < 300; round++) {
    const key = `h${next(4)}`;
    const field = `f${next(8)}`;
    switch (next(7)) {
      case 0:
        await t.r.hset(key, field, `v${round}`, `g${next(3)}`, 'x'.repeat(next(80)));
        break;
      case 1:
        await t.r.hsetnx(key, field, `nx${round}`);
        break;
      case 2:
        await t.r.hdel(key, field, `f${next(8)}`);
        break;
      case 3:
        await t.r.hincrby(`i${next(2)}`, field, next(100) - 50);
        break;
      case 4:
        await t.r.hincrbyfloat(`i${next(2)}`, `fl${next(3)}`, (next(1000) - 500) / 7);
        break;
      case 5:
        await t.r.hmset(key, field, String(round));
        break;
      default:
        await t.r.hrandfield(key, -3); // a read: not logged
    }
  }
  assert.ok(Object.keys(dumpKeyspace(t.s.server)).length > 0);
  assert.ok(t.logged().some(([name, , , value]) => name === 'HSET' && value?.includes('.')), 'a float was logged as HSET');
  await t.assertReplayMatches();
});

test.run();
