// Hash commands through real clients (ioredis 5 in RESP2, node-redis 6 in
// RESP3) against an in-process VelocityDB: replies, errors, deletion of
// emptied hashes, encodings, keyspace notifications, the log records, and
// replays of them that must rebuild the same hashes. Byte-exact replies are
// compared with redis-server by compat/scripts/hashes.txt.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis5';
import { createClient } from 'redis';
import { captureLog, type LogCapture } from '../helpers/log-capture.js';
import { assertReplayRebuilds, dumpKeyspace, type KeyspaceDump } from '../helpers/replay.js';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let r: Redis;
let n: ReturnType<typeof createClient<Record<string, never>, Record<string, never>, Record<string, never>, 3>>;
let log: LogCapture;

test.before(async () => {
  s = await startServer();
  log = captureLog(s.server);
  r = new Redis({ port: s.port, host: '127.0.0.1', lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0 });
  await r.connect();
  n = createClient({ socket: { port: s.port, host: '127.0.0.1', reconnectStrategy: false }, RESP: 3 });
  n.on('error', () => {});
  await n.connect();
});
test.after(async () => {
  r.disconnect();
  await n.close();
  log.restore();
  await s.stop();
});
test.before.each(async () => {
  await r.flushall();
  log.clear();
});

async function failure(p: Promise<unknown>): Promise<string> {
  return p.then(
    (value) => {
      throw new Error(`expected an error, got ${JSON.stringify(value)}`);
    },
    (error: Error) => error.message,
  );
}

/** Logged commands, name uppercased. */
function logged(): string[][] {
  return log.commands().map(([name, ...rest]) => [name.toUpperCase(), ...rest]);
}

/** Replays the captured log into a fresh server and compares every key with ours (type, value, expiry). */
function assertReplayMatches(): Promise<KeyspaceDump> {
  return assertReplayRebuilds(s.server, log.records);
}

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const SYNTAX = 'ERR syntax error';
const NOT_INTEGER = 'ERR value is not an integer or out of range';

test('HSET, HMSET, HSETNX, HGET, HMGET, HLEN, HEXISTS, HSTRLEN', async () => {
  assert.is(await r.hset('h', 'a', '1', 'b', '2'), 2);
  assert.is(await r.hset('h', 'a', 'one', 'c', '3'), 1);
  assert.is(await r.hmset('h', 'd', '4'), 'OK');
  assert.is(await r.hsetnx('h', 'a', 'x'), 0);
  assert.is(await r.hsetnx('h', 'e', '5'), 1);
  assert.is(await r.hget('h', 'a'), 'one');
  assert.is(await r.hget('h', 'nosuch'), null);
  assert.is(await r.hget('nosuch', 'a'), null);
  assert.equal(await r.hmget('h', 'a', 'nosuch', 'e'), ['one', null, '5']);
  assert.equal(await r.hmget('nosuch', 'a', 'b'), [null, null]);
  assert.is(await r.hlen('h'), 5);
  assert.is(await r.hlen('nosuch'), 0);
  assert.is(await r.hexists('h', 'b'), 1);
  assert.is(await r.hexists('h', 'z'), 0);
  assert.is(await r.hstrlen('h', 'a'), 3);
  assert.is(await r.hstrlen('h', 'z'), 0);
  assert.is(await failure(r.call('HSET', 'h', 'a', '1', 'b')), "ERR wrong number of arguments for 'hset' command");
  assert.is(await failure(r.call('HMSET', 'h', 'a')), "ERR wrong number of arguments for 'hmset' command");
  assert.is(await n.hSet('n', { x: '1', y: '2' }), 2);
  assert.equal(await n.hGetAll('n'), { x: '1', y: '2' });
  // An HSETNX that set nothing is not logged.
  assert.equal(logged(), [
    ['HSET', 'h', 'a', '1', 'b', '2'],
    ['HSET', 'h', 'a', 'one', 'c', '3'],
    ['HMSET', 'h', 'd', '4'],
    ['HSETNX', 'h', 'e', '5'],
    ['HSET', 'n', 'x', '1', 'y', '2'],
  ]);
});

test('values are binary-safe and copied out of the request', async () => {
  const value = Buffer.from([0, 255, 13, 10, 7]);
  await r.hset('b', 'v', value, 'empty', Buffer.alloc(0));
  await r.set('other', 'x'.repeat(100));
  assert.equal(await r.hgetBuffer('b', 'v'), value);
  assert.equal(await r.hgetBuffer('b', 'empty'), Buffer.alloc(0));
  await r.hset('b', Buffer.from([0xff, 0]), 'binary field');
  assert.is(await r.hget('b', Buffer.from([0xff, 0])), 'binary field');
});

test('HKEYS, HVALS, HGETALL keep insertion order; RESP3 HGETALL is a map', async () => {
  await r.hset('h', 'z', '1', 'a', '2', 'm', '3');
  await r.hset('h', 'a', 'two');
  assert.equal(await r.hkeys('h'), ['z', 'a', 'm']);
  assert.equal(await r.hvals('h'), ['1', 'two', '3']);
  assert.equal(await r.call('HGETALL', 'h'), ['z', '1', 'a', 'two', 'm', '3']);
  assert.equal(await r.hkeys('nosuch'), []);
  assert.equal(await r.hgetall('nosuch'), {});
  // 37 is '%', RESP3's map type: as a Map, the order shows.
  assert.equal(await n.sendCommand(['HGETALL', 'h'], { typeMapping: { 37: Map } } as never), new Map([['z', '1'], ['a', 'two'], ['m', '3']]));
  assert.equal(await n.hGetAll('nosuch'), {});
});

test('HDEL deletes the emptied hash', async () => {
  await r.hset('h', 'a', '1', 'b', '2');
  assert.is(await r.hdel('h', 'a', 'nosuch', 'a'), 1);
  assert.is(await r.hdel('h', 'nosuch'), 0);
  assert.is(await r.hdel('nosuch', 'a'), 0);
  assert.is(await r.hdel('h', 'b', 'c'), 1);
  assert.is(await r.exists('h'), 0);
  // Deletions that removed nothing are not logged.
  assert.equal(logged(), [
    ['HSET', 'h', 'a', '1', 'b', '2'],
    ['HDEL', 'h', 'a', 'nosuch', 'a'],
    ['HDEL', 'h', 'b', 'c'],
  ]);
});

test('HINCRBY: integers, errors and int64 overflow', async () => {
  assert.is(await r.hincrby('h', 'n', 5), 5);
  assert.is(await r.hincrby('h', 'n', -7), -2);
  await r.hset('h', 'max', '9223372036854775806', 's', 'abc', 'sp', ' 1');
  await r.hincrby('h', 'max', 1);
  assert.is(await r.hget('h', 'max'), '9223372036854775807');
  assert.is(await failure(r.hincrby('h', 'max', 1)), 'ERR increment or decrement would overflow');
  assert.is(await failure(r.hincrby('h', 'n', '-9223372036854775807')), 'ERR increment or decrement would overflow');
  await r.hincrby('h', 'big', '9007199254740993');
  assert.is(await r.hget('h', 'big'), '9007199254740993');
  assert.is(await failure(r.hincrby('h', 's', 1)), 'ERR hash value is not an integer');
  assert.is(await failure(r.hincrby('h', 'sp', 1)), 'ERR hash value is not an integer');
  assert.is(await failure(r.call('HINCRBY', 'h', 'n', '1.5')), NOT_INTEGER);
  // The increment is checked first: no WRONGTYPE, no key created.
  await r.set('str', 'v');
  assert.is(await failure(r.call('HINCRBY', 'str', 'n', 'x')), NOT_INTEGER);
  assert.is(await failure(r.hincrby('str', 'n', 1)), WRONGTYPE);
  assert.is(await failure(r.call('HINCRBY', 'new', 'n', 'x')), NOT_INTEGER);
  assert.is(await r.exists('new'), 0);
});

test('HINCRBYFLOAT formats as INCRBYFLOAT and is logged as HSET of the result', async () => {
  assert.is(await r.hincrbyfloat('h', 'f', '10.5'), '10.5');
  assert.is(await r.hincrbyfloat('h', 'f', '0.1'), '10.6');
  assert.is(await r.hincrbyfloat('h', 'f', '-5.0e3'), '-4989.39999999999999991'); // long double, as Redis
  // Beyond a double's range, in long double's digits (compared with Redis by compat/scripts/hashes.txt).
  const huge = await r.hincrbyfloat('h', 'g', '1e400');
  assert.ok(huge.length === 401 && huge.startsWith('10000000000000000000'), huge);
  await r.hset('h', 's', 'abc', 'i', 'inf');
  assert.is(await failure(r.hincrbyfloat('h', 's', 1)), 'ERR hash value is not a float');
  assert.is(await failure(r.hincrbyfloat('h', 'f', 'abc')), 'ERR value is not a valid float');
  assert.is(await failure(r.hincrbyfloat('h', 'f', 'inf')), 'ERR value is NaN or Infinity');
  assert.is(await failure(r.hincrbyfloat('h', 'i', 1)), 'ERR increment would produce NaN or Infinity');
  assert.is(await failure(r.hincrbyfloat('nosuch', 'f', 'nan')), 'ERR value is not a valid float');
  assert.is(await r.exists('nosuch'), 0);
  await r.set('str', 'v');
  assert.is(await failure(r.hincrbyfloat('str', 'f', 1)), WRONGTYPE);
  const floats = logged().filter(([name]) => name !== 'SET');
  assert.equal(floats, [
    ['HSET', 'h', 'f', '10.5'],
    ['HSET', 'h', 'f', '10.6'],
    ['HSET', 'h', 'f', '-4989.39999999999999991'],
    ['HSET', 'h', 'g', huge],
    ['HSET', 'h', 's', 'abc', 'i', 'inf'],
  ]);
  await assertReplayMatches();
});

test('HRANDFIELD: distinct fields for a positive count, repeats for a negative one', async () => {
  const fields = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
  await r.hset('h', ...fields.flatMap((f, i) => [f, String(i)]));
  assert.ok(fields.includes((await r.hrandfield('h')) as string));
  assert.is(await r.hrandfield('nosuch'), null);
  assert.equal(await r.hrandfield('nosuch', 3), []);
  assert.equal(await r.hrandfield('h', 0), []);
  for (const count of [1, 2, 3, 4, 9]) {
    const picked = (await r.hrandfield('h', count)) as string[];
    assert.is(picked.length, count);
    assert.is(new Set(picked).size, count, `distinct for ${count}`);
    for (const f of picked) assert.ok(fields.includes(f));
  }
  assert.equal((await r.hrandfield('h', 100)) as string[], fields);
  const repeated = (await r.hrandfield('h', -50)) as string[];
  assert.is(repeated.length, 50);
  assert.ok(new Set(repeated).size < 50);
  const withValues = (await r.hrandfield('h', -5, 'WITHVALUES')) as string[];
  assert.is(withValues.length, 10);
  for (let i = 0; i < 10; i += 2) assert.is(withValues[i + 1], String(fields.indexOf(withValues[i])));
  // RESP3: [field, value] pairs.
  const pairs = (await n.sendCommand(['HRANDFIELD', 'h', '3', 'WITHVALUES'])) as string[][];
  assert.is(pairs.length, 3);
  for (const [f, v] of pairs) assert.is(v, String(fields.indexOf(f)));
  assert.is(await failure(r.call('HRANDFIELD', 'h', '1', 'FOO')), SYNTAX);
  assert.is(await failure(r.call('HRANDFIELD', 'h', 'x')), NOT_INTEGER);
  assert.is(await failure(r.call('HRANDFIELD', 'h', '-9223372036854775808')), 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  assert.is(await failure(r.call('HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES')), 'ERR value is out of range');
});

test('HSCAN: a listpack hash at once, a hashtable by cursor', async () => {
  await r.hset('small', 'a', '1', 'b', '2', 'c', '3');
  assert.equal(await r.hscan('small', '999', 'COUNT', 1), ['0', ['a', '1', 'b', '2', 'c', '3']]);
  assert.equal(await r.hscan('small', '0', 'MATCH', 'b'), ['0', ['b', '2']]);
  assert.equal(await r.hscan('nosuch', '0', 'FOO' as 'COUNT', 1), ['0', []]);
  assert.is(await failure(r.hscan('small', 'x')), 'ERR invalid cursor');
  assert.is(await failure(r.hscan('small', '0', 'COUNT', 0)), SYNTAX);
  const big: string[] = [];
  for (let i = 0; i < 1000; i++) big.push(`f${i}`, `v${i}`);
  await r.hset('big', ...big);
  assert.is(await r.object('ENCODING', 'big'), 'hashtable');
  const seen = new Map<string, string>();
  let cursor = '0';
  let calls = 0;
  do {
    const [next, items] = await r.hscan('big', cursor, 'COUNT', 50);
    for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
    cursor = next;
    calls++;
  } while (cursor !== '0');
  assert.is(seen.size, 1000);
  assert.ok(calls > 5, `scanned in ${calls} calls`);
  for (const [f, v] of seen) assert.is(v, `v${f.slice(1)}`);
});

test('the hashtable encoding sticks once reached', async () => {
  await r.hset('h', 'a', '1');
  assert.is(await r.object('ENCODING', 'h'), 'listpack');
  await r.hset('h', 'long', 'x'.repeat(65));
  await r.hdel('h', 'long');
  assert.is(await r.object('ENCODING', 'h'), 'hashtable');
  await r.hincrbyfloat('h2', 'f', '1e100');
  assert.is(await r.object('ENCODING', 'h2'), 'hashtable');
  await r.config('SET', 'hash-max-listpack-entries', '3');
  try {
    await r.hset('h3', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    await r.hdel('h3', 'a', 'b');
    assert.is(await r.object('ENCODING', 'h3'), 'hashtable');
    // COPY keeps it.
    await r.copy('h3', 'h4');
    assert.is(await r.object('ENCODING', 'h4'), 'hashtable');
  } finally {
    await r.config('SET', 'hash-max-listpack-entries', '512');
  }
});

test('WRONGTYPE from every hash command', async () => {
  await r.set('s', 'v');
  const calls: Promise<unknown>[] = [
    r.hset('s', 'f', 'v'),
    r.hsetnx('s', 'f', 'v'),
    r.hget('s', 'f'),
    r.hmget('s', 'f'),
    r.hdel('s', 'f'),
    r.hexists('s', 'f'),
    r.hlen('s'),
    r.hstrlen('s', 'f'),
    r.hkeys('s'),
    r.hvals('s'),
    r.hgetall('s'),
    r.hincrby('s', 'f', 1),
    r.hincrbyfloat('s', 'f', 1),
    r.hrandfield('s'),
    r.hrandfield('s', 2),
    r.hscan('s', '0'),
  ];
  for (const p of calls) assert.is(await failure(p), WRONGTYPE);
});

test('keyspace notifications', async () => {
  const sub = new Redis({ port: s.port, host: '127.0.0.1', enableReadyCheck: false });
  const events: string[] = [];
  sub.on('pmessage', (_pattern, channel: string, message: string) => events.push(`${channel.slice('__keyevent@0__:'.length)} ${message}`));
  await sub.psubscribe('__keyevent@0__:*');
  await r.config('SET', 'notify-keyspace-events', 'KEA');
  try {
    await r.hset('h', 'a', '1', 'b', '2');
    await r.hset('h', 'a', '1'); // no new field, still notified
    await r.hsetnx('h', 'a', 'x'); // nothing set: silent
    await r.hincrby('h', 'n', 1);
    await r.hincrbyfloat('h', 'n', 1.5);
    await r.hdel('h', 'nosuch'); // silent
    await r.hdel('h', 'a', 'b', 'n');
    await r.ping();
    for (let i = 0; i < 50 && events.length < 7; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(events, ['hset h', 'hset h', 'hincrby h', 'hincrbyfloat h', 'hdel h', 'del h']);
  } finally {
    await r.config('SET', 'notify-keyspace-events', '');
    sub.disconnect();
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
        await r.hset(key, field, `v${round}`, `g${next(3)}`, 'x'.repeat(next(80)));
        break;
      case 1:
        await r.hsetnx(key, field, `nx${round}`);
        break;
      case 2:
        await r.hdel(key, field, `f${next(8)}`);
        break;
      case 3:
        await r.hincrby(`i${next(2)}`, field, next(100) - 50);
        break;
      case 4:
        await r.hincrbyfloat(`i${next(2)}`, `fl${next(3)}`, (next(1000) - 500) / 7);
        break;
      case 5:
        await r.hmset(key, field, String(round));
        break;
      default:
        await r.hrandfield(key, -3); // a read: not logged
    }
  }
  assert.ok(Object.keys(dumpKeyspace(s.server)).length > 0);
  assert.ok(logged().some(([name, , , value]) => name === 'HSET' && value?.includes('.')), 'a float was logged as HSET');
  await assertReplayMatches();
});

test.run();
