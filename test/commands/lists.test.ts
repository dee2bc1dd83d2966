// List commands through real clients (ioredis 5 in RESP2, node-redis 6 in
// RESP3) against an in-process VelocityDB: replies, errors, deletion of
// emptied lists and the log records. Byte-exact replies are compared with
// redis-server by compat/scripts/lists.txt; blocking is in blocking.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis5';
import { createClient } from 'redis';
import { captureLog, decodeCommands, type LogCapture } from '../helpers/log-capture.js';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let r: Redis;
let n: ReturnType<typeof createClient>;
let log: LogCapture;

/** The commands of one log record, names uppercased. */
function decode(record: Buffer): string[][] {
  return decodeCommands(record).map(([name, ...args]) => [name.toUpperCase(), ...args]);
}

/** Every logged command since the test began, name uppercased. */
function logged(): string[][] {
  return log.records.flatMap(decode);
}

test.before(async () => {
  s = await startServer();
  log = captureLog(s.server);
  r = new Redis({ port: s.port, host: '127.0.0.1', lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0 });
  await r.connect();
  n = createClient({ socket: { port: s.port, host: '127.0.0.1', reconnectStrategy: false } });
  n.on('error', () => {});
  await n.connect();
});
test.after.each(() => s.assertSnapshots());
test.after(async () => {
  r.disconnect();
  await n.close();
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

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const SYNTAX = 'ERR syntax error';
const NOT_INTEGER = 'ERR value is not an integer or out of range';

test('LPUSH, RPUSH, LPUSHX, RPUSHX and LLEN', async () => {
  assert.is(await r.rpush('l', 'a', 'b', 'c'), 3);
  assert.is(await r.lpush('l', 'z', 'y'), 5);
  assert.equal(await r.lrange('l', 0, -1), ['y', 'z', 'a', 'b', 'c']);
  assert.is(await r.lpushx('l', 'x'), 6);
  assert.is(await r.rpushx('l', 'w', 'v'), 8);
  assert.is(await r.lpushx('nosuch', 'a'), 0);
  assert.is(await r.rpushx('nosuch', 'a'), 0);
  assert.is(await r.exists('nosuch'), 0);
  assert.is(await r.llen('l'), 8);
  assert.is(await r.llen('nosuch'), 0);
  assert.is(await n.lPush('n', ['1', '2']), 2);
  assert.is(await n.rPushX('n', '3'), 3);
  assert.equal(await n.lRange('n', 0, -1), ['2', '1', '3']);
  await r.set('s', 'v');
  for (const p of [r.lpush('s', 'a'), r.rpush('s', 'a'), r.lpushx('s', 'a'), r.rpushx('s', 'a'), r.llen('s')]) {
    assert.is(await failure(p), WRONGTYPE);
  }
  assert.is(await failure(r.call('LPUSH', 'l')), "ERR wrong number of arguments for 'lpush' command");
  // LPUSHX on a missing key writes nothing, so nothing is logged.
  assert.equal(logged(), [
    ['RPUSH', 'l', 'a', 'b', 'c'],
    ['LPUSH', 'l', 'z', 'y'],
    ['LPUSHX', 'l', 'x'],
    ['RPUSHX', 'l', 'w', 'v'],
    ['LPUSH', 'n', '1', '2'],
    ['RPUSHX', 'n', '3'],
    ['SET', 's', 'v'],
  ]);
});

test('values are binary-safe and copied out of the request', async () => {
  const value = Buffer.from([0, 255, 13, 10, 7]);
  await r.rpush('b', value, Buffer.alloc(0));
  await r.set('other', 'x'.repeat(100));
  assert.equal(await r.lrangeBuffer('b', 0, -1), [value, Buffer.alloc(0)]);
  assert.equal(await r.lindexBuffer('b', 0), value);
});

test('LPOP and RPOP, with and without COUNT, delete the emptied list', async () => {
  await r.rpush('l', 'a', 'b', 'c', 'd', 'e');
  assert.is(await r.lpop('l'), 'a');
  assert.is(await r.rpop('l'), 'e');
  assert.equal(await r.lpop('l', 0), []);
  assert.equal(await r.rpop('l', 2), ['d', 'c']);
  assert.equal(await r.lpop('l', 10), ['b']);
  assert.is(await r.exists('l'), 0);
  assert.is(await r.lpop('l'), null);
  assert.is(await r.lpop('l', 2), null);
  assert.is(await r.lpop('l', 0), null);
  await r.rpush('l', 'a');
  assert.is(await failure(r.lpop('l', -1)), 'ERR value is out of range, must be positive');
  assert.is(await failure(r.call('LPOP', 'l', 'x')), 'ERR value is out of range, must be positive');
  assert.is(await failure(r.call('RPOP', 'l', '1', '2')), "ERR wrong number of arguments for 'rpop' command");
  await r.set('s', 'v');
  assert.is(await failure(r.lpop('s')), WRONGTYPE);
  // node-redis 6 speaks RESP3: a missing key is null in both forms.
  assert.is(await n.lPop('nosuch'), null);
  assert.is(await n.sendCommand(['LPOP', 'nosuch', '2']), null);
  assert.is(await n.rPop('l'), 'a');
  assert.equal(logged().slice(1), [['LPOP', 'l'], ['RPOP', 'l'], ['RPOP', 'l', '2'], ['LPOP', 'l', '10'], ['RPUSH', 'l', 'a'], ['SET', 's', 'v'], ['RPOP', 'l']]);
});

test('LRANGE and LINDEX with negative and out-of-range indexes', async () => {
  await r.rpush('r', ...'0123456789');
  assert.equal(await r.lrange('r', 0, 2), ['0', '1', '2']);
  assert.equal(await r.lrange('r', -3, -1), ['7', '8', '9']);
  assert.equal(await r.lrange('r', 5, 2), []);
  assert.equal(await r.lrange('r', -100, 100), [...'0123456789']);
  assert.equal(await r.lrange('r', 100, 200), []);
  assert.equal(await r.call('LRANGE', 'r', '8', '9223372036854775807'), ['8', '9']);
  assert.equal(await r.lrange('nosuch', 0, -1), []);
  assert.is(await failure(r.call('LRANGE', 'nosuch', 'a', '1')), NOT_INTEGER);
  assert.is(await r.lindex('r', 0), '0');
  assert.is(await r.lindex('r', -1), '9');
  assert.is(await r.lindex('r', 10), null);
  assert.is(await r.lindex('r', -11), null);
  assert.is(await r.lindex('nosuch', 0), null);
  assert.is(await n.lIndex('r', 100), null);
  assert.is(await failure(r.call('LINDEX', 'r', 'x')), NOT_INTEGER);
  // A missing key answers before the index is parsed.
  assert.is(await r.call('LINDEX', 'nosuch', 'x'), null);
  assert.equal(logged().length, 1);
});

test('LSET', async () => {
  await r.rpush('l', 'a', 'b', 'c');
  assert.is(await r.lset('l', 0, 'A'), 'OK');
  assert.is(await r.lset('l', -1, 'C'), 'OK');
  assert.equal(await r.lrange('l', 0, -1), ['A', 'b', 'C']);
  assert.is(await failure(r.lset('l', 3, 'x')), 'ERR index out of range');
  assert.is(await failure(r.lset('l', -4, 'x')), 'ERR index out of range');
  assert.is(await failure(r.lset('nosuch', 0, 'x')), 'ERR no such key');
  assert.is(await failure(r.call('LSET', 'l', 'x', 'v')), NOT_INTEGER);
  assert.is(await n.lSet('l', 1, 'B'), 'OK');
  assert.equal(await n.lRange('l', 0, -1), ['A', 'B', 'C']);
});

test('LINSERT', async () => {
  await r.rpush('l', 'a', 'b', 'c', 'b');
  assert.is(await r.linsert('l', 'BEFORE', 'b', 'x'), 5);
  assert.is(await r.linsert('l', 'AFTER', 'b', 'y'), 6);
  assert.is(await r.call('LINSERT', 'l', 'after', 'b', 'z'), 7);
  assert.equal(await r.lrange('l', 0, -1), ['a', 'x', 'b', 'z', 'y', 'c', 'b']);
  assert.is(await r.linsert('l', 'BEFORE', 'nopivot', 'x'), -1);
  assert.is(await r.linsert('nosuch', 'BEFORE', 'a', 'x'), 0);
  assert.is(await failure(r.call('LINSERT', 'l', 'MIDDLE', 'b', 'x')), SYNTAX);
  assert.is(await n.lInsert('l', 'BEFORE', 'a', 'first'), 8);
  assert.is(await r.lindex('l', 0), 'first');
  assert.equal(
    logged().filter(([name]) => name === 'LINSERT'),
    [
      ['LINSERT', 'l', 'BEFORE', 'b', 'x'],
      ['LINSERT', 'l', 'AFTER', 'b', 'y'],
      ['LINSERT', 'l', 'after', 'b', 'z'],
      ['LINSERT', 'l', 'BEFORE', 'a', 'first'],
    ],
  );
});

test('LREM from the head, from the tail and all', async () => {
  await r.rpush('l', 'a', 'b', 'a', 'c', 'a', 'b', 'a');
  assert.is(await r.lrem('l', 2, 'a'), 2);
  assert.equal(await r.lrange('l', 0, -1), ['b', 'c', 'a', 'b', 'a']);
  assert.is(await r.lrem('l', -1, 'a'), 1);
  assert.equal(await r.lrange('l', 0, -1), ['b', 'c', 'a', 'b']);
  assert.is(await r.lrem('l', 0, 'b'), 2);
  assert.is(await r.lrem('l', 0, 'nothing'), 0);
  assert.is(await r.lrem('nosuch', 0, 'a'), 0);
  assert.is(await n.lRem('l', 0, 'c'), 1);
  assert.is(await r.lrem('l', 0, 'a'), 1);
  assert.is(await r.exists('l'), 0);
  assert.is(await failure(r.call('LREM', 'nosuch', 'x', 'a')), NOT_INTEGER);
  // A LREM that removed nothing is not logged.
  assert.is(logged().filter(([name]) => name === 'LREM').length, 5);
});

test('LTRIM keeps a range and deletes an emptied list', async () => {
  await r.rpush('l', ...'0123456');
  assert.is(await r.ltrim('l', 1, -2), 'OK');
  assert.equal(await r.lrange('l', 0, -1), [...'12345']);
  assert.is(await r.ltrim('l', -3, 100), 'OK');
  assert.equal(await r.lrange('l', 0, -1), [...'345']);
  assert.is(await n.lTrim('l', 0, 0), 'OK');
  assert.equal(await r.lrange('l', 0, -1), ['3']);
  assert.is(await r.ltrim('l', 5, 10), 'OK');
  assert.is(await r.exists('l'), 0);
  assert.is(await r.ltrim('nosuch', 0, 1), 'OK');
  await r.set('s', 'v');
  assert.is(await failure(r.ltrim('s', 0, 1)), WRONGTYPE);
  assert.is(await failure(r.call('LTRIM', 's', 'x', '1')), NOT_INTEGER);
});

test('LPOS with RANK, COUNT and MAXLEN', async () => {
  await r.rpush('l', 'a', 'b', 'c', '1', '2', '3', 'c', 'c');
  assert.is(await r.lpos('l', 'c'), 2);
  assert.is(await r.lpos('l', 'c', 'RANK', 2), 6);
  assert.is(await r.lpos('l', 'c', 'RANK', -1), 7);
  assert.is(await r.lpos('l', 'c', 'RANK', -4), null);
  assert.equal(await r.lpos('l', 'c', 'COUNT', 2), [2, 6]);
  assert.equal(await r.lpos('l', 'c', 'COUNT', 0), [2, 6, 7]);
  assert.equal(await r.lpos('l', 'c', 'RANK', -1, 'COUNT', 0), [7, 6, 2]);
  assert.equal(await r.lpos('l', 'c', 'COUNT', 0, 'MAXLEN', 3), [2]);
  assert.is(await r.lpos('l', 'c', 'MAXLEN', 2), null);
  assert.equal(await r.lpos('l', 'x', 'COUNT', 2), []);
  assert.is(await r.lpos('nosuch', 'a'), null);
  assert.equal(await r.lpos('nosuch', 'a', 'COUNT', 1), []);
  assert.is(await n.lPos('l', 'c', { RANK: 3 }), 7);
  assert.equal(await n.lPosCount('l', 'c', 2, { RANK: -1 }), [7, 6]);
  // RANK LONG_MIN: Redis negates it into itself, so every match counts.
  assert.is(await r.call('LPOS', 'l', 'c', 'RANK', '-9223372036854775808'), 7);
  assert.equal(await r.call('LPOS', 'l', 'c', 'RANK', '-9223372036854775808', 'COUNT', '2'), [7, 6, 2]);
  assert.is(await r.call('LPOS', 'l', 'c', 'RANK', '-9223372036854775807'), null);
  assert.is(
    await failure(r.call('LPOS', 'l', 'c', 'RANK', '0')),
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
  );
  assert.is(await failure(r.call('LPOS', 'l', 'c', 'COUNT', '-1')), "ERR COUNT can't be negative");
  assert.is(await failure(r.call('LPOS', 'l', 'c', 'MAXLEN', 'x')), "ERR MAXLEN can't be negative");
  assert.is(await failure(r.call('LPOS', 'l', 'c', 'RANK', 'x')), NOT_INTEGER);
  assert.is(await failure(r.call('LPOS', 'l', 'c', 'FOO')), SYNTAX);
  assert.is(await failure(r.call('LPOS', 'l', 'c', 'RANK')), SYNTAX);
});

test('LMOVE and RPOPLPUSH, rotation and WRONGTYPE', async () => {
  await r.rpush('src', 'a', 'b', 'c');
  assert.is(await r.rpoplpush('src', 'dst'), 'c');
  assert.is(await r.lmove('src', 'dst', 'LEFT', 'RIGHT'), 'a');
  assert.is(await n.lMove('src', 'dst', 'LEFT', 'LEFT'), 'b');
  assert.equal(await r.lrange('dst', 0, -1), ['b', 'c', 'a']);
  assert.is(await r.exists('src'), 0);
  assert.is(await r.rpoplpush('nosuch', 'dst'), null);
  assert.is(await n.lMove('nosuch', 'dst', 'LEFT', 'LEFT'), null);
  await r.rpush('one', 'x');
  assert.is(await r.rpoplpush('one', 'one'), 'x');
  assert.equal(await r.lrange('one', 0, -1), ['x']);
  assert.is(await r.lmove('dst', 'dst', 'LEFT', 'RIGHT'), 'b');
  assert.equal(await r.lrange('dst', 0, -1), ['c', 'a', 'b']);
  assert.is(await failure(r.call('LMOVE', 'dst', 'x', 'UP', 'LEFT')), SYNTAX);
  await r.set('s', 'v');
  assert.is(await failure(r.rpoplpush('dst', 's')), WRONGTYPE);
  assert.is(await failure(r.rpoplpush('s', 'dst')), WRONGTYPE);
  assert.equal(await r.lrange('dst', 0, -1), ['c', 'a', 'b']);
});

test('LMPOP pops from the first non-empty list and logs LPOP/RPOP with the count', async () => {
  await r.rpush('m1', 'a', 'b', 'c');
  await r.rpush('m2', 'x', 'y');
  log.clear();
  assert.equal(await r.call('LMPOP', '2', 'nosuch', 'm1', 'LEFT'), ['m1', ['a']]);
  assert.equal(await r.call('LMPOP', '2', 'nosuch', 'm1', 'RIGHT', 'COUNT', '5'), ['m1', ['c', 'b']]);
  assert.is(await r.exists('m1'), 0);
  assert.equal(await n.lmPop(['m1', 'm2'], 'LEFT', { COUNT: 1 }), ['m2', ['x']]);
  assert.is(await r.call('LMPOP', '1', 'nosuch', 'LEFT'), null);
  assert.is(await n.sendCommand(['LMPOP', '1', 'nosuch', 'LEFT']), null);
  assert.equal(logged(), [['LPOP', 'm1', '1'], ['RPOP', 'm1', '2'], ['LPOP', 'm2', '1']]);
  assert.is(await failure(r.call('LMPOP', '0', 'm2', 'LEFT')), 'ERR numkeys should be greater than 0');
  assert.is(await failure(r.call('LMPOP', '3', 'm2', 'LEFT')), SYNTAX);
  assert.is(await failure(r.call('LMPOP', '1', 'm2', 'UP')), SYNTAX);
  assert.is(await failure(r.call('LMPOP', '1', 'm2', 'LEFT', 'COUNT', '0')), 'ERR count should be greater than 0');
  assert.is(await failure(r.call('LMPOP', '1', 'm2', 'LEFT', 'COUNT', '1', 'COUNT', '1')), SYNTAX);
  await r.set('s', 'v');
  assert.is(await failure(r.call('LMPOP', '2', 'nosuch', 's', 'LEFT')), WRONGTYPE);
});

test('blocking commands with data answer at once and are logged as their non-blocking forms', async () => {
  await r.rpush('b1', 'a', 'b', 'c', 'd', 'e');
  await r.rpush('b2', 'c');
  log.clear();
  assert.equal(await r.blpop('nosuch', 'b1', 'b2', 0), ['b1', 'a']);
  assert.equal(await r.brpop('b2', 'b1', 1), ['b2', 'c']);
  assert.is(await r.blmove('b1', 'b3', 'LEFT', 'RIGHT', 0), 'b');
  assert.is(await r.brpoplpush('b3', 'b4', 0.5), 'b');
  assert.equal(await r.call('BLMPOP', '0', '2', 'b1', 'b4', 'RIGHT', 'COUNT', '2'), ['b1', ['e', 'd']]);
  assert.equal(await n.blPop('b1', 0), { key: 'b1', element: 'c' });
  assert.equal(logged(), [
    ['LPOP', 'b1'],
    ['RPOP', 'b2'],
    ['LMOVE', 'b1', 'b3', 'LEFT', 'RIGHT'],
    ['RPOPLPUSH', 'b3', 'b4'],
    ['RPOP', 'b1', '2'],
    ['LPOP', 'b1'],
  ]);
  assert.is(await r.exists('b1', 'b2', 'b3'), 0);
  assert.equal(await r.lrange('b4', 0, -1), ['b']);
  await r.set('s', 'v');
  assert.is(await failure(r.blpop('nosuch', 's', 0)), WRONGTYPE);
  assert.is(await failure(r.blmove('s', 'b4', 'LEFT', 'LEFT', 0)), WRONGTYPE);
  assert.is(await failure(r.blmove('b4', 's', 'LEFT', 'LEFT', 0)), WRONGTYPE);
});

test('blocking timeout arguments', async () => {
  assert.is(await failure(r.call('BLPOP', 'k', '-1')), 'ERR timeout is negative');
  assert.is(await failure(r.call('BLPOP', 'k', 'inf')), 'ERR timeout is negative');
  assert.is(await failure(r.call('BLPOP', 'k', '1e20')), 'ERR timeout is negative');
  assert.is(await failure(r.call('BLPOP', 'k', 'abc')), 'ERR timeout is not a float or out of range');
  assert.is(await failure(r.call('BLPOP', 'k', ' 1')), 'ERR timeout is not a float or out of range');
  assert.is(await failure(r.call('BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', '-0.5')), 'ERR timeout is negative');
  // BLMPOP checks numkeys, the side and COUNT before the timeout.
  assert.is(await failure(r.call('BLMPOP', '-1', '0', 'k', 'LEFT')), 'ERR numkeys should be greater than 0');
  assert.is(await failure(r.call('BLMPOP', 'x', '1', 'k', 'UP')), SYNTAX);
  assert.is(await failure(r.call('BLMPOP', 'x', '1', 'k', 'LEFT')), 'ERR timeout is not a float or out of range');
  // Milliseconds round up: 0.0001 waits 1 ms; a tiny negative one is 0, forever.
  assert.is(await r.call('BLPOP', 'k', '0.0001'), null);
  assert.is(await r.call('BLPOP', 'k', '0x1p-20'), null);
});
test.run();
