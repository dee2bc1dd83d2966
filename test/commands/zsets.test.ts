// Sorted set commands through real clients (ioredis 5 in RESP2, node-redis in
// RESP3) against an in-process VelocityDB: replies, deletion of emptied sorted
// sets, keyspace events, blocking pops, and the log records, which replayed
// must rebuild the same sorted sets (scores to the last bit, -0 included).
// Byte-exact replies and errors are compared with redis-server by
// compat/scripts/zsets.txt.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis5';
import { createClient } from 'redis';
import { captureLog, decodeCommands, type LogCapture } from '../helpers/log-capture.js';
import { assertReplayRebuilds as assertKeyspaceRebuilt, dumpKeyspace, type KeyspaceDump } from '../helpers/replay.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { keyEvents } from '../helpers/clients.js';

let s: TestServer;
let log: LogCapture;
let r: Redis;
let n: ReturnType<typeof createClient>;
const clients: Redis[] = [];

test.before(async () => {
  s = await startServer();
  log = captureLog(s.server);
  r = redis();
  n = createClient({ socket: { port: s.port, host: '127.0.0.1', reconnectStrategy: false } });
  n.on('error', () => {});
  await n.connect();
});
test.after.each(() => s.assertSnapshots());
test.after(async () => {
  for (const c of clients) c.disconnect();
  await n.close();
  await s.stop();
});
test.before.each(async () => {
  await r.flushall();
  await r.config('SET', 'notify-keyspace-events', '');
  log.clear();
});

function redis(): Redis {
  const c = new Redis({ port: s.port, host: '127.0.0.1', enableReadyCheck: false, maxRetriesPerRequest: 0 });
  c.on('error', () => {});
  clients.push(c);
  return c;
}

/** Logged commands (SELECTs left out), names uppercased. */
function logged(): string[][] {
  return log
    .commands()
    .filter(([name]) => name.toUpperCase() !== 'SELECT')
    .map(([name, ...args]) => [name.toUpperCase(), ...args]);
}

async function failure(p: Promise<unknown>): Promise<string> {
  return p.then(
    (value) => {
      throw new Error(`expected an error, got ${JSON.stringify(value)}`);
    },
    (error: Error) => error.message,
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `count` clients are blocked. */
async function blocked(count: number): Promise<void> {
  for (let i = 0; i < 500 && s.server.blocking.count !== count; i++) await delay(2);
  assert.is(s.server.blocking.count, count, 'blocked clients');
}

/** Replays every captured record into a fresh server and compares every key with ours (scores exact, test/helpers/replay.ts). */
function assertReplayRebuilds(): Promise<KeyspaceDump> {
  return assertKeyspaceRebuilt(s.server, log.records);
}

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

test('ZADD flags, CH and INCR; the log holds the commands as sent', async () => {
  assert.is(await r.zadd('z', 1, 'a', 2, 'b'), 2);
  assert.is(await r.zadd('z', 'NX', 5, 'a', 3, 'c'), 1);
  assert.is(await r.zadd('z', 'XX', 'CH', 5, 'a', 9, 'nosuch'), 1);
  assert.is(await r.zadd('z', 'GT', 'CH', 4, 'a', 6, 'b'), 1);
  assert.is(await r.zadd('z', 'LT', 1, 'a'), 0);
  assert.is(await r.zscore('z', 'a'), '1');
  assert.is(await r.call('ZADD', 'z', 'INCR', '0.5', 'a'), '1.5');
  assert.is(await r.call('ZADD', 'z', 'NX', 'INCR', '1', 'a'), null);
  assert.is(await r.zincrby('z', 0.25, 'a'), '1.75');
  assert.equal(await r.zrange('z', 0, -1, 'WITHSCORES'), ['a', '1.75', 'c', '3', 'b', '6']);
  // Nothing written, nothing logged; XX on a missing key creates nothing.
  assert.is(await r.zadd('nosuch', 'XX', 1, 'a'), 0);
  assert.is(await r.exists('nosuch'), 0);
  assert.is(await failure(r.call('ZADD', 'z', 'NX', 'XX', '1', 'a')), 'ERR XX and NX options at the same time are not compatible');
  assert.is(await failure(r.call('ZADD', 'z', 'INCR', '1', 'a', '2', 'b')), 'ERR INCR option supports a single increment-element pair');
  assert.is(await failure(r.call('ZADD', 'z', 'nan', 'a')), 'ERR value is not a valid float');
  await r.zadd('inf', 'inf', 'm');
  assert.is(await failure(r.zincrby('inf', '-inf', 'm')), 'ERR resulting score is not a number (NaN)');
  await r.set('str', 'v');
  assert.is(await failure(r.zadd('str', 1, 'a')), WRONGTYPE);
  assert.equal(logged(), [
    ['ZADD', 'z', '1', 'a', '2', 'b'],
    ['ZADD', 'z', 'NX', '5', 'a', '3', 'c'],
    ['ZADD', 'z', 'XX', 'CH', '5', 'a', '9', 'nosuch'],
    ['ZADD', 'z', 'GT', 'CH', '4', 'a', '6', 'b'],
    ['ZADD', 'z', 'LT', '1', 'a'],
    ['ZADD', 'z', 'INCR', '0.5', 'a'],
    ['ZINCRBY', 'z', '0.25', 'a'],
    ['ZADD', 'inf', 'inf', 'm'],
    ['SET', 'str', 'v'],
  ]);
  await assertReplayRebuilds();
});

test('scores print as %.17g in RESP2 and as doubles in RESP3', async () => {
  await r.zadd('f', '0.1', 'p1', '1e20', 'p2', 'inf', 'p3', '-inf', 'p4', '0x10', 'p5');
  assert.is(await r.zincrby('f', '0.2', 'p1'), '0.30000000000000004');
  assert.equal(await r.zmscore('f', 'p2', 'p3', 'p4', 'p5', 'nosuch'), ['1e+20', 'inf', '-inf', '16', null]);
  assert.is(await n.zScore('f', 'p1'), 0.30000000000000004);
  assert.is(await n.zScore('f', 'p3'), Infinity);
  assert.is(await n.zScore('f', 'nosuch'), null);
  assert.equal(await n.sendCommand(['ZRANGE', 'f', '0', '1', 'WITHSCORES']), [
    ['p4', -Infinity],
    ['p1', 0.30000000000000004],
  ]);
  assert.equal(await n.sendCommand(['ZPOPMIN', 'f']), ['p4', -Infinity]);
  assert.equal(await n.sendCommand(['ZPOPMIN', 'f', '1']), [['p1', 0.30000000000000004]]);
});

test('ranks, counts and ranges by rank, score and lex', async () => {
  await r.zadd('r', 1, 'a', 2, 'b', 3, 'c', 4, 'd', 5, 'e');
  assert.is(await r.zcard('r'), 5);
  assert.is(await r.zrank('r', 'c'), 2);
  assert.is(await r.zrevrank('r', 'c'), 2);
  assert.is(await r.zrank('r', 'nosuch'), null);
  assert.is(await r.zcount('r', '(1', '3'), 2);
  assert.equal(await r.zrange('r', -2, -1), ['d', 'e']);
  assert.equal(await r.zrange('r', '(1', '+inf', 'BYSCORE', 'LIMIT', 1, 2), ['c', 'd']);
  assert.equal(await r.zrange('r', '+inf', '(1', 'BYSCORE', 'REV', 'LIMIT', 0, 2), ['e', 'd']);
  assert.equal(await r.zrevrangebyscore('r', 4, 2, 'WITHSCORES'), ['d', '4', 'c', '3', 'b', '2']);
  assert.equal(await r.zrevrange('r', 0, 1), ['e', 'd']);
  await r.zadd('lex', 0, 'a', 0, 'b', 0, 'c');
  assert.is(await r.zlexcount('lex', '(a', '+'), 2);
  assert.equal(await r.zrangebylex('lex', '-', '[b'), ['a', 'b']);
  assert.equal(await r.zrevrangebylex('lex', '+', '(a'), ['c', 'b']);
  assert.is(await failure(r.zrange('r', 0, 1, 'LIMIT', 0, 1)), 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  assert.is(await failure(r.call('ZRANGE', 'lex', '-', '+', 'BYLEX', 'WITHSCORES')), 'ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  assert.is(await failure(r.zcount('r', 'abc', 1)), 'ERR min or max is not a float');
  assert.is(await failure(r.zlexcount('lex', 'a', 'b')), 'ERR min or max not valid string range item');
  assert.equal(logged().length, 2);
});

test('removals delete the emptied sorted set', async () => {
  await r.zadd('d', 1, 'a', 2, 'b', 3, 'c', 4, 'd', 5, 'e', 6, 'f');
  assert.is(await r.zrem('d', 'a', 'nosuch'), 1);
  assert.is(await r.zremrangebyrank('d', 0, 0), 1);
  assert.is(await r.zremrangebyscore('d', '(3', 4), 1);
  await r.zadd('dl', 0, 'a', 0, 'b', 0, 'c');
  assert.is(await r.zremrangebylex('dl', '[a', '(c'), 2);
  assert.equal(await r.zrange('dl', 0, -1), ['c']);
  assert.is(await r.zremrangebyscore('d', '-inf', '+inf'), 3);
  assert.is(await r.exists('d'), 0);
  // Removing nothing writes nothing.
  assert.is(await r.zrem('nosuch', 'a'), 0);
  assert.is(await r.zremrangebyrank('nosuch', 0, -1), 0);
  assert.equal(logged(), [
    ['ZADD', 'd', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f'],
    ['ZREM', 'd', 'a', 'nosuch'],
    ['ZREMRANGEBYRANK', 'd', '0', '0'],
    ['ZREMRANGEBYSCORE', 'd', '(3', '4'],
    ['ZADD', 'dl', '0', 'a', '0', 'b', '0', 'c'],
    ['ZREMRANGEBYLEX', 'dl', '[a', '(c'],
    ['ZREMRANGEBYSCORE', 'd', '-inf', '+inf'],
  ]);
});

test('pops: ZPOPMIN/ZPOPMAX as they are, ZMPOP and blocking pops with data as ZPOPMIN/ZPOPMAX key [n]', async () => {
  await r.zadd('p', 1, 'a', 2, 'b', 3, 'c', 4, 'd', 5, 'e');
  assert.equal(await r.zpopmin('p'), ['a', '1']);
  assert.equal(await r.zpopmax('p', 2), ['e', '5', 'd', '4']);
  assert.equal(await r.zpopmin('p', 0), []);
  assert.equal(await r.call('ZMPOP', '2', 'nosuch', 'p', 'MAX', 'COUNT', '10'), ['p', [['c', '3'], ['b', '2']]]);
  assert.is(await r.exists('p'), 0);
  assert.equal(await r.zpopmin('p'), []);
  assert.is(await r.call('ZMPOP', '1', 'p', 'MIN'), null);
  await r.zadd('q', 1, 'a', 2, 'b', 3, 'c');
  assert.equal(await r.bzpopmin('nosuch', 'q', 0), ['q', 'a', '1']);
  assert.equal(await r.call('BZMPOP', '0', '1', 'q', 'MAX', 'COUNT', '5'), ['q', [['c', '3'], ['b', '2']]]);
  assert.is(await failure(r.call('ZMPOP', '0', 'q', 'MIN')), 'ERR numkeys should be greater than 0');
  assert.is(await failure(r.call('ZMPOP', '1', 'q', 'MIN', 'COUNT', '0')), 'ERR count should be greater than 0');
  assert.is(await failure(r.call('ZPOPMIN', 'q', '-1')), 'ERR value is out of range, must be positive');
  assert.equal(logged(), [
    ['ZADD', 'p', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'],
    ['ZPOPMIN', 'p'],
    ['ZPOPMAX', 'p', '2'],
    ['ZPOPMAX', 'p', '2'],
    ['ZADD', 'q', '1', 'a', '2', 'b', '3', 'c'],
    ['ZPOPMIN', 'q'],
    ['ZPOPMAX', 'q', '2'],
  ]);
  await assertReplayRebuilds();
});

test('a blocked BZPOPMIN is served by a ZADD from another client and logged after it', async () => {
  const a = redis();
  const b = redis();
  const w = redis();
  const first = a.bzpopmin('k', 0);
  await blocked(1);
  const second = b.call('BZMPOP', '0', '2', 'other', 'k', 'MAX', 'COUNT', '2');
  await blocked(2);
  assert.is(await w.zadd('k', 1, 'x', 2, 'y', 3, 'z'), 3);
  // First blocked, first served: a gets the minimum, b the two left.
  assert.equal(await first, ['k', 'x', '1']);
  assert.equal(await second, ['k', [['z', '3'], ['y', '2']]]);
  assert.is(await w.exists('k'), 0);
  assert.equal(logged(), [
    ['ZADD', 'k', '1', 'x', '2', 'y', '3', 'z'],
    ['ZPOPMIN', 'k'],
    ['ZPOPMAX', 'k', '2'],
  ]);
  await assertReplayRebuilds();
});

test('a client blocked on a sorted set ignores other types; a transaction wakes it after EXEC', async () => {
  const a = redis();
  const w = redis();
  const popped = a.bzpopmax('k', 0);
  await blocked(1);
  await w.rpush('k', 'x');
  await delay(20);
  assert.is(s.server.blocking.count, 1);
  await w.del('k');
  // Added and popped within the transaction: nothing left, the client still waits.
  await w.multi().zadd('k', 1, 'a').zpopmin('k').exec();
  await delay(20);
  assert.is(s.server.blocking.count, 1);
  await w.multi().zadd('k', 1, 'a', 2, 'b').zrem('k', 'b').exec();
  assert.equal(await popped, ['k', 'a', '1']);
  await assertReplayRebuilds();
});

test('timeouts answer null in RESP2 and RESP3; inside MULTI blocking pops answer at once', async () => {
  const a = redis();
  assert.is(await a.bzpopmin('nosuch', 0.02), null);
  assert.is(await a.call('BZMPOP', '0.02', '1', 'nosuch', 'MIN'), null);
  assert.is(await n.sendCommand(['BZPOPMAX', 'nosuch', '0.02']), null);
  assert.is(s.server.blocking.count, 0);
  await r.zadd('full', 1, 'a');
  assert.equal(await r.multi().bzpopmin('empty', 0).bzpopmin('full', 0).call('BZMPOP', '0', '1', 'empty', 'MIN').exec(), [
    [null, null],
    [null, ['full', 'a', '1']],
    [null, null],
  ]);
  assert.is(await failure(r.bzpopmin('k', -1)), 'ERR timeout is negative');
  // The transaction is one record; its pop is logged as ZPOPMIN.
  assert.is(log.records.length, 2);
  assert.equal(logged(), [
    ['ZADD', 'full', '1', 'a'],
    ['ZPOPMIN', 'full'],
  ]);
});

test('ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD; sets count with score 1', async () => {
  await r.zadd('z1', 1, 'a', 2, 'b', 3, 'c');
  await r.zadd('z2', 10, 'b', 20, 'c', 30, 'd');
  await r.sadd('set', 'b', 'x');
  assert.equal(await r.zunion(2, 'z1', 'z2', 'WEIGHTS', 2, 0.5, 'WITHSCORES'), ['a', '2', 'b', '9', 'd', '15', 'c', '16']);
  assert.equal(await r.zinter(2, 'z1', 'z2', 'AGGREGATE', 'MAX', 'WITHSCORES'), ['b', '10', 'c', '20']);
  assert.equal(await r.zdiff(2, 'z1', 'z2', 'WITHSCORES'), ['a', '1']);
  assert.equal(await r.zunion(2, 'z1', 'set', 'WITHSCORES'), ['a', '1', 'x', '1', 'b', '3', 'c', '3']);
  assert.is(await r.zintercard(2, 'z1', 'z2'), 2);
  assert.is(await r.zintercard(2, 'z1', 'z2', 'LIMIT', 1), 1);
  assert.is(await r.zunionstore('out', 2, 'z1', 'z2'), 4);
  assert.equal(await r.zrange('out', 0, -1, 'WITHSCORES'), ['a', '1', 'b', '12', 'c', '23', 'd', '30']);
  assert.is(await r.zinterstore('out', 2, 'z1', 'nosuch'), 0);
  assert.is(await r.exists('out'), 0);
  assert.is(await r.zdiffstore('out', 2, 'z1', 'z1'), 0);
  // A STORE replaces a key of any type.
  await r.set('str', 'v');
  assert.is(await r.zdiffstore('str', 2, 'z1', 'z2'), 1);
  assert.is(await r.type('str'), 'zset');
  assert.is(await failure(r.zunion(0, 'z1')), "ERR at least 1 input key is needed for 'zunion' command");
  assert.is(await failure(r.call('ZUNION', '2', 'z1', 'z2', 'WEIGHTS', '1', 'abc')), 'ERR weight value is not a float');
  assert.is(await failure(r.call('ZINTERCARD', '1', 'z1', 'LIMIT', '-1')), "ERR LIMIT can't be negative");
  assert.equal(await n.sendCommand(['ZINTER', '2', 'z1', 'z2', 'WITHSCORES']), [
    ['b', 12],
    ['c', 23],
  ]);
  // The empty ZINTERSTORE and ZDIFFSTORE of a missing key wrote nothing.
  assert.equal(
    logged().map(([name]) => name),
    ['ZADD', 'ZADD', 'SADD', 'ZUNIONSTORE', 'ZINTERSTORE', 'SET', 'ZDIFFSTORE'],
  );
  await assertReplayRebuilds();
});

test('ZRANGESTORE stores a range, replaces the destination and deletes it for an empty one', async () => {
  await r.zadd('src', 1, 'a', 2, 'b', 3, 'c');
  assert.is(await r.zrangestore('dst', 'src', 0, 1), 2);
  assert.equal(await r.zrange('dst', 0, -1, 'WITHSCORES'), ['a', '1', 'b', '2']);
  assert.is(await r.zrangestore('dst', 'src', '+inf', '(1', 'BYSCORE', 'REV', 'LIMIT', 0, 1), 1);
  assert.equal(await r.zrange('dst', 0, -1, 'WITHSCORES'), ['c', '3']);
  assert.is(await r.zrangestore('dst', 'src', 10, 20), 0);
  assert.is(await r.exists('dst'), 0);
  assert.is(await r.zrangestore('src', 'src', 1, 1), 1);
  assert.equal(await r.zrange('src', 0, -1), ['b']);
  assert.is(await failure(r.call('ZRANGESTORE', 'dst', 'src', '0', '1', 'WITHSCORES')), 'ERR syntax error');
  await assertReplayRebuilds();
});

test('ZRANDMEMBER picks members, distinct for a positive count', async () => {
  await r.zadd('zr', 1, 'a', 2, 'b', 3, 'c');
  assert.ok(['a', 'b', 'c'].includes((await r.zrandmember('zr')) as string));
  const two = (await r.zrandmember('zr', 2)) as string[];
  assert.is(new Set(two).size, 2);
  assert.equal(await r.zrandmember('zr', 10, 'WITHSCORES'), ['c', '3', 'b', '2', 'a', '1']);
  const repeated = (await r.zrandmember('zr', -20)) as string[];
  assert.is(repeated.length, 20);
  assert.ok(repeated.every((m) => ['a', 'b', 'c'].includes(m)));
  assert.equal(await r.zrandmember('nosuch', 5), []);
  assert.is(await failure(r.call('ZRANDMEMBER', 'zr', '-9223372036854775808')), 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  assert.is(await failure(r.call('ZRANDMEMBER', 'zr', '4611686018427387904', 'WITHSCORES')), 'ERR value is out of range');
  assert.equal(logged().length, 1);
});

test('ZSCAN: a small sorted set whole, a big one by cursor with every member once', async () => {
  await r.zadd('small', 1, 'a', 2.5, 'b');
  assert.equal(await r.zscan('small', 0), ['0', ['a', '1', 'b', '2.5']]);
  const members = Array.from({ length: 300 }, (_, i) => `m${i}`);
  await r.zadd('big', ...members.flatMap((m, i) => [i / 4, m]));
  assert.is(await r.object('ENCODING', 'big'), 'skiplist');
  const seen = new Map<string, string>();
  let cursor = '0';
  let steps = 0;
  do {
    const [next, found] = await r.zscan('big', cursor, 'COUNT', 20);
    for (let i = 0; i < found.length; i += 2) seen.set(found[i], found[i + 1]);
    cursor = next;
    steps++;
  } while (cursor !== '0');
  assert.ok(steps > 2);
  assert.is(seen.size, 300);
  assert.is(seen.get('m6'), '1.5');
  const [end, matched] = await r.zscan('big', 0, 'MATCH', 'm29?', 'COUNT', 1000);
  assert.is(end, '0');
  assert.equal(sortPairs(matched), ['m290', '72.5', 'm291', '72.75', 'm292', '73', 'm293', '73.25', 'm294', '73.5', 'm295', '73.75', 'm296', '74', 'm297', '74.25', 'm298', '74.5', 'm299', '74.75']);
});

/** Pairs of a flat [member, score, ...] list, sorted by member. */
function sortPairs(flat: string[]): string[] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  return pairs.sort((a, b) => (a[0] < b[0] ? -1 : 1)).flat();
}

test('a sorted set converted to a skiplist stays one when it shrinks', async () => {
  await r.zadd('z', 1, 'a');
  assert.is(await r.object('ENCODING', 'z'), 'listpack');
  await r.zadd('z', 2, 'x'.repeat(65));
  await r.zrem('z', 'x'.repeat(65));
  assert.is(await r.object('ENCODING', 'z'), 'skiplist');
  // A listpack reads -0 back as 0; a skiplist keeps it.
  await r.zadd('z', '-0', 'neg');
  assert.is(await r.zscore('z', 'neg'), '-0');
  await r.zadd('small', '-0', 'neg');
  assert.is(await r.zscore('small', 'neg'), '0');
  assert.is(await r.zincrby('small2', '-0', 'neg'), '-0');
  assert.is(await r.zscore('small2', 'neg'), '0');
  await assertReplayRebuilds();
});

test('keyspace events of each write', async () => {
  const notified = await keyEvents(s.port, r);
  await r.zadd('z', 1, 'a', 2, 'b', 3, 'c');
  await r.zadd('z', 'NX', 1, 'a');
  await r.zincrby('z', 1, 'a');
  await r.zrem('z', 'a');
  await r.zremrangebyrank('z', 0, 0);
  await r.zadd('z', 5, 'e', 6, 'f');
  await r.zremrangebyscore('z', 5, 5);
  await r.zremrangebylex('z', '[f', '[f');
  await r.zpopmin('z');
  await r.zadd('y', 1, 'a');
  await r.zunionstore('u', 1, 'y');
  await r.zinterstore('u', 1, 'nosuch');
  await r.zrangestore('u', 'y', 0, -1);
  await r.zdiffstore('u', 1, 'y');
  await r.call('ZMPOP', '1', 'y', 'MAX');
  await notified.arrived(16);
  await notified.stop();
  assert.equal(notified.events, [
    'zadd z',
    'zincr z',
    'zrem z',
    'zremrangebyrank z',
    'zadd z',
    'zremrangebyscore z',
    'zremrangebylex z',
    'zpopmin z',
    'del z',
    'zadd y',
    'zunionstore u',
    'del u',
    'zrangestore u',
    'zdiffstore u',
    'zpopmax y',
    'del y',
  ]);
});

test('replaying the log rebuilds the same sorted sets', async () => {
  const writers = [redis(), redis(), redis()];
  const blockers = Array.from({ length: 5 }, () => redis());
  let random = 4242;
  const next = (k: number) => {
    random = (random * 1103515245 + 12345) % 2147483648;
    return random % k;
  };
  const keys = ['a', 'b', 'c', 'd'];
  const key = () => keys[next(keys.length)];
  const scores = ['0.1', '0.2', '0.30000000000000004', '-0', 'inf', '-inf', '1e300', '5e-324', '3', '0x1p-3', '-7.25'];
  const score = () => scores[next(scores.length)];
  const member = () => `m${next(12)}`;
  const pending: Promise<unknown>[] = [];
  const swallow = (p: Promise<unknown>) => pending.push(p.catch(() => undefined));
  for (let round = 0; round < 120; round++) {
    if (round % 4 === 0) {
      const blocker = blockers[(round / 4) % blockers.length];
      if (next(2) === 0) swallow(blocker.call(next(2) ? 'BZPOPMIN' : 'BZPOPMAX', key(), key(), '0.05'));
      else swallow(blocker.call('BZMPOP', '0.05', '2', key(), key(), next(2) ? 'MIN' : 'MAX', 'COUNT', String(1 + next(3))));
    }
    const w = writers[next(writers.length)];
    switch (next(12)) {
      case 0:
      case 1:
      case 2:
        swallow(w.zadd(key(), score(), member(), score(), member()));
        break;
      case 3:
        swallow(w.zincrby(key(), score(), member()));
        break;
      case 4:
        swallow(w.call('ZADD', key(), next(2) ? 'GT' : 'LT', 'CH', score(), member()));
        break;
      case 5:
        swallow(w.zrem(key(), member(), member()));
        break;
      case 6:
        swallow(w.call(next(2) ? 'ZPOPMIN' : 'ZPOPMAX', key(), String(next(3))));
        break;
      case 7:
        swallow(w.call('ZMPOP', '2', key(), key(), next(2) ? 'MIN' : 'MAX', 'COUNT', String(1 + next(2))));
        break;
      case 8:
        swallow(w.call(['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE'][next(3)], key(), '2', key(), key()));
        break;
      case 9:
        swallow(w.call('ZUNIONSTORE', key(), '3', key(), key(), key(), 'WEIGHTS', '0.1', '-1', '3', 'AGGREGATE', ['SUM', 'MIN', 'MAX'][next(3)]));
        break;
      case 10:
        swallow(w.zrangestore(key(), key(), 0, next(4)));
        break;
      default:
        swallow(w.multi().zadd(key(), score(), member()).zremrangebyscore(key(), '-inf', '(0.2').bzpopmin(key(), 0).exec());
    }
    if (round % 6 === 0) await delay(1);
  }
  await Promise.all(pending);
  await blocked(0);
  const records = log.records.flatMap(decodeCommands).map(([name]) => name.toUpperCase());
  assert.ok(records.includes('ZPOPMIN') && records.includes('ZPOPMAX'), 'some pops were logged');
  assert.ok(Object.keys(dumpKeyspace(s.server)).length > 0, 'some data is left');
  await assertReplayRebuilds();
});

test.run();
