// Replays of the log for the writes of the string, key, list, bitmap,
// HyperLogLog and SORT families, and of transactions mixing families: the
// commands run through ioredis 5, the log records they produced are replayed
// into a fresh server a little later in wall time (as recovery would after a
// crash), and both keyspaces must be equal: every database, every key, its
// type, exact value and absolute expiry time (test/helpers/replay.ts).
// Hashes, sets and sorted sets have theirs in their own tests; blocking pops
// in blocking.test.ts. Where replaying the command itself would happen to
// reach the same state (INCRBYFLOAT), the logged form is checked as well.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { commandsOf, withClients } from '../helpers/clients.js';
import { captureLog, type LogCapture } from '../helpers/log-capture.js';
import { assertReplayRebuilds, dumpKeyspace, type KeyspaceDump } from '../helpers/replay.js';

const t = withClients(test);
let log: LogCapture;

test.before(() => {
  log = captureLog(t.s.server);
});
test.after(() => log.restore());
test.before.each(async () => {
  await t.r5.select(0);
  log.clear();
});

/** How much later (wall time) than the commands the replay runs: a time computed afresh would differ. */
const LATER_MS = 30;

type Arg = string | number | Buffer;

function call(command: string, ...args: Arg[]): Promise<unknown> {
  return t.r5.call(command, ...args);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Replays everything logged so far into a fresh server, LATER_MS from now, and compares the keyspaces. */
function replayMatches(message?: string): Promise<KeyspaceDump> {
  return assertReplayRebuilds(t.s.server, log.records, { delayMs: LATER_MS, message });
}

function logged(): string[][] {
  return commandsOf(log);
}

/** The logged commands of one name (SELECTs and the rest left out). */
function loggedAs(name: string): string[][] {
  return logged().filter(([n]) => n === name);
}

function expireAt(key: string, db = 0): number | undefined {
  return t.db(db).expireAt(key);
}

function assertBetween(value: number | undefined, low: number, high: number, what: string): void {
  assert.ok(value !== undefined && value >= low && value <= high, `${what}: ${value} not in [${low}, ${high}]`);
}

async function failure(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    (value) => {
      throw new Error(`expected an error, got ${JSON.stringify(value)}`);
    },
    (error: Error) => error.message,
  );
}

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

// ---- strings ----

test('SET with EX, PX, EXAT, PXAT, NX, XX, KEEPTTL and GET: relative times logged as PXAT', async () => {
  const now = Date.now();
  const exat = Math.floor(now / 1000) + 1000;
  assert.is(await call('SET', 'plain', 'a'), 'OK');
  assert.is(await call('SET', 'ex', 'b', 'EX', 100), 'OK');
  assert.is(await call('SET', 'px', 'c', 'PX', 100000), 'OK');
  assert.is(await call('SET', 'exat', 'd', 'EXAT', exat), 'OK');
  assert.is(await call('SET', 'pxat', 'e', 'PXAT', now + 500000), 'OK');
  assert.is(await call('SET', 'plain', 'x', 'NX'), null);
  assert.is(await call('SET', 'nx', 'f', 'NX', 'PX', 200000), 'OK');
  assert.is(await call('SET', 'nosuch', 'g', 'XX', 'EX', 10), null);
  assert.is(await call('SET', 'ex', 'b2', 'XX', 'KEEPTTL'), 'OK');
  assert.is(await call('SET', 'px', 'c2', 'KEEPTTL', 'GET'), 'c');
  assert.is(await call('SET', 'exat', 'd2', 'GET', 'EX', 200), 'd');
  assert.is(await call('SET', 'got', 'h', 'GET'), null);
  assert.is(await call('SET', 'pxat', 'e2', 'GET'), 'e');
  assert.is(await call('SET', 'plain', 'y', 'XX', 'PXAT', now + 300000, 'GET'), 'a');
  assert.is(await call('SET', 'nx', 'no', 'NX', 'GET', 'EX', 5), 'f');
  assert.is(await call('SET', 'bin', Buffer.from([0, 255, 13, 10, 128])), 'OK');
  const after = Date.now();
  assertBetween(expireAt('ex'), now + 100000, after + 100000, 'KEEPTTL kept the EX time');
  assertBetween(expireAt('px'), now + 100000, after + 100000, 'KEEPTTL kept the PX time');
  assertBetween(expireAt('exat'), now + 200000, after + 200000, 'EX replaced the EXAT time');
  assertBetween(expireAt('nx'), now + 200000, after + 200000, 'a failed NX left the time');
  assert.is(expireAt('pxat'), undefined, 'a plain SET drops the TTL');
  assert.is(expireAt('plain'), now + 300000);
  await replayMatches();
  // Every relative time went into the log as an absolute PXAT.
  for (const argv of logged()) {
    assert.is(argv[0], 'SET', argv.join(' '));
    assert.not.ok(
      argv.slice(3).some((arg) => /^(ex|px)$/i.test(arg)),
      argv.join(' '),
    );
  }
  assert.equal(loggedAs('SET').find(([, key]) => key === 'ex'), ['SET', 'ex', 'b', 'PXAT', String(expireAt('ex'))]);
});

test('SETNX, SETEX, PSETEX, GETSET, GETDEL, MSET, MSETNX, APPEND, SETRANGE', async () => {
  assert.is(await call('SETNX', 'n', '1'), 1);
  assert.is(await call('SETNX', 'n', '2'), 0);
  assert.is(await call('SETEX', 'se', 100, 'v'), 'OK');
  assert.is(await call('PSETEX', 'pse', 150000, 'w'), 'OK');
  assert.is(await call('SETEX', 'keep', 300, 'k'), 'OK');
  assert.is(await call('GETSET', 'se', 'v2'), 'v');
  assert.is(expireAt('se'), undefined, 'GETSET drops the TTL');
  assert.is(await call('GETDEL', 'n'), '1');
  assert.is(await call('GETDEL', 'n'), null);
  assert.is(await call('MSET', 'm1', 'a', 'm2', 'b', 'pse', 'over'), 'OK');
  assert.is(expireAt('pse'), undefined, 'MSET drops the TTL');
  assert.is(await call('MSETNX', 'm2', 'x', 'm3', 'y'), 0);
  assert.is(await call('MSETNX', 'm3', 'y', 'm4', 'z'), 1);
  assert.is(await call('PSETEX', 'ap', 100000, 'ab'), 'OK');
  assert.is(await call('APPEND', 'ap', 'cd'), 4);
  assert.is(await call('APPEND', 'ap', ''), 4);
  assert.is(await call('APPEND', 'new', Buffer.from([0, 1, 255])), 3);
  assert.is(await call('SETRANGE', 'ap', 6, 'zz'), 8);
  assert.is(await call('SETRANGE', 'sr', 3, 'q'), 4);
  assert.is(await call('SETRANGE', 'sr2', 0, ''), 0);
  assert.is(await call('SETRANGE', 'keep', 0, 'K'), 1);
  assert.ok(expireAt('ap') !== undefined && expireAt('keep') !== undefined, 'APPEND and SETRANGE keep the TTL');
  assert.is((await t.r5.getBuffer('ap'))?.toString('latin1'), 'abcd\0\0zz');
  await replayMatches();
  assert.equal(
    logged().filter(([name]) => name === 'SETEX' || name === 'PSETEX' || name === 'GETDEL'),
    [],
    'SET ... PXAT and DEL instead',
  );
  assert.equal(loggedAs('DEL'), [['DEL', 'n']]);
});

test('GETEX with EX, PX, EXAT, PXAT and PERSIST', async () => {
  const now = Date.now();
  const exat = Math.floor(now / 1000) + 500;
  await call('MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5', 'f', '6');
  assert.is(await call('GETEX', 'a', 'EX', 100), '1');
  assert.is(await call('GETEX', 'b', 'PX', 100000), '2');
  assert.is(await call('GETEX', 'c', 'EXAT', exat), '3');
  assert.is(await call('GETEX', 'd', 'PXAT', now + 400000), '4');
  assert.is(await call('GETEX', 'd'), '4');
  assert.is(await call('GETEX', 'a', 'PERSIST'), '1');
  assert.is(await call('GETEX', 'e', 'PERSIST'), '5');
  assert.is(await call('GETEX', 'f', 'PXAT', now - 1000), '6');
  assert.is(await call('GETEX', 'nosuch', 'EX', 10), null);
  assert.is(expireAt('a'), undefined);
  assertBetween(expireAt('b'), now + 100000, Date.now() + 100000, 'PX');
  assert.is(expireAt('c'), exat * 1000);
  assert.is(expireAt('d'), now + 400000);
  assert.is(t.db().keys.has('f'), false, 'a time already past deletes');
  await replayMatches();
  assert.equal(
    logged().map(([name, key]) => `${name} ${key}`),
    ['MSET a', 'PEXPIREAT a', 'PEXPIREAT b', 'PEXPIREAT c', 'PEXPIREAT d', 'PERSIST a', 'DEL f'],
  );
});

test('INCR, DECR, INCRBY, DECRBY, and INCRBYFLOAT logged as SET ... KEEPTTL (long double results)', async () => {
  assert.is(await call('INCR', 'i'), 1);
  assert.is(await call('INCRBY', 'i', 41), 42);
  assert.is(await call('DECR', 'i'), 41);
  assert.is(await call('DECRBY', 'i', -9), 50);
  assert.is(await call('DECR', 'neg'), -1);
  await call('INCRBY', 'big', '9223372036854775806');
  await call('INCR', 'big');
  assert.is(await call('GET', 'big'), '9223372036854775807');
  assert.is(await failure(call('INCR', 'big')), 'ERR increment or decrement would overflow');
  await call('SET', 'f', '10.5', 'EX', 100);
  const steps: [string, string][] = [
    ['0.1', '10.6'],
    ['-5', '5.6'],
    ['5.0e3', '5005.60000000000000009'],
    ['3e-5', '5005.60003000000000029'],
  ];
  for (const [incr, want] of steps) assert.is(await call('INCRBYFLOAT', 'f', incr), want, incr);
  assert.is(await call('INCRBYFLOAT', 'i', '1.5'), '51.5');
  assert.is(await call('INCRBYFLOAT', 'g', '-2.5'), '-2.5');
  assert.is(await failure(call('INCRBYFLOAT', 'g', 'inf')), 'ERR increment would produce NaN or Infinity');
  assert.ok(expireAt('f') !== undefined, 'INCRBYFLOAT keeps the TTL');
  await replayMatches();
  assert.equal(loggedAs('INCRBYFLOAT'), []);
  assert.equal(
    logged().filter(([, key]) => key === 'f'),
    [
      ['SET', 'f', '10.5', 'PXAT', String(expireAt('f'))],
      ['SET', 'f', '10.6', 'KEEPTTL'],
      ['SET', 'f', '5.6', 'KEEPTTL'],
      ['SET', 'f', '5005.60000000000000009', 'KEEPTTL'],
      ['SET', 'f', '5005.60003000000000029', 'KEEPTTL'],
    ],
  );
});

// ---- expiry ----

test('EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX, XX, GT, LT, and PERSIST: absolute times, replayed later', async () => {
  const now = Date.now();
  const at = Math.floor(now / 1000) + 1000;
  await call('MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5', 'gone', 'x', 'gone2', 'y');
  await call('RPUSH', 'l', 'x');
  assert.is(await call('EXPIRE', 'a', 100), 1);
  assert.is(await call('EXPIRE', 'a', 200, 'NX'), 0);
  assert.is(await call('EXPIRE', 'b', 100, 'NX'), 1);
  assert.is(await call('PEXPIRE', 'b', 300000, 'XX'), 1);
  assert.is(await call('PEXPIRE', 'c', 300000, 'XX'), 0);
  assert.is(await call('EXPIRE', 'b', 50, 'GT'), 0);
  assert.is(await call('EXPIRE', 'b', 500, 'GT'), 1);
  assert.is(await call('PEXPIRE', 'b', 400000, 'LT'), 1);
  assert.is(await call('EXPIREAT', 'c', at), 1);
  assert.is(await call('EXPIREAT', 'c', at + 10, 'LT'), 0);
  assert.is(await call('PEXPIREAT', 'd', now + 700000, 'NX'), 1);
  assert.is(await call('PEXPIREAT', 'd', now + 800000, 'GT'), 1);
  assert.is(await call('PEXPIRE', 'l', 250000), 1);
  assert.is(await call('EXPIRE', 'e', 100), 1);
  assert.is(await call('PERSIST', 'e'), 1);
  assert.is(await call('PERSIST', 'e'), 0);
  assert.is(await call('EXPIRE', 'nosuch', 100), 0);
  assert.is(await call('EXPIRE', 'gone', -1), 1);
  assert.is(await call('PEXPIREAT', 'gone2', now - 5), 1);
  const after = Date.now();
  assertBetween(expireAt('a'), now + 100000, after + 100000, 'EXPIRE');
  assertBetween(expireAt('b'), now + 400000, after + 400000, 'PEXPIRE LT');
  assert.is(expireAt('c'), at * 1000);
  assert.is(expireAt('d'), now + 800000);
  assert.is(expireAt('e'), undefined);
  assert.is(t.db().keys.has('gone') || t.db().keys.has('gone2'), false, 'times already past delete');
  // Much later than the commands: the logged absolute times are what counts.
  await delay(50);
  await replayMatches();
  const names = new Set(logged().map(([name]) => name));
  assert.equal([...names].sort(), ['DEL', 'MSET', 'PERSIST', 'PEXPIREAT', 'RPUSH']);
  assert.equal(loggedAs('DEL'), [['DEL', 'gone'], ['DEL', 'gone2']]);
});

test('keys that expire between commands: the command that finds them logs their deletion first', async () => {
  await call('SET', 'str', 'old', 'PX', 5);
  await call('RPUSH', 'list', 'a', 'b');
  await call('PEXPIRE', 'list', 5);
  await call('SET', 'keep', 'old', 'PX', 5);
  await call('SET', 'bits', 'x', 'PX', 5);
  await call('SET', 'cnt', '5', 'PX', 5);
  await call('SET', 'float', '1.5', 'PX', 5);
  await call('SET', 'untouched', 'u', 'PX', 5);
  await t.r5.select(1);
  await call('SET', 'other', '1', 'PX', 5);
  await call('RPUSH', 'src', 'moved');
  await t.r5.select(0);
  await delay(30);
  // Each would act on the old value (or fail on its type) if it had not expired.
  assert.is(await call('APPEND', 'str', 'new'), 3);
  assert.is(await call('SET', 'list', 'v', 'KEEPTTL'), 'OK');
  assert.is(await call('LPUSH', 'keep', 'a'), 1);
  assert.is(await call('SETBIT', 'bits', 3, 1), 0);
  assert.is(await call('INCR', 'cnt'), 1);
  assert.is(await call('INCRBYFLOAT', 'float', '0.5'), '0.5');
  await t.r5.select(1);
  assert.is(await call('EXISTS', 'other'), 0);
  assert.is(await call('LMOVE', 'src', 'other', 'LEFT', 'LEFT'), 'moved');
  await t.r5.select(0);
  assert.is(await call('GET', 'str'), 'new');
  for (const key of ['str', 'list', 'keep', 'bits', 'cnt', 'float']) assert.is(expireAt(key), undefined, key);
  await replayMatches();
  const deleted = loggedAs('DEL').map(([, key]) => key);
  for (const key of ['str', 'list', 'keep', 'bits', 'cnt', 'float', 'other']) assert.ok(deleted.includes(key), `DEL ${key} logged`);
});

// ---- keys ----

test('DEL, UNLINK, RENAME, RENAMENX, TOUCH: values and expiry times move with the keys', async () => {
  const now = Date.now();
  await call('SET', 'a', '1', 'PXAT', now + 500000);
  await call('SET', 'b', '2', 'EX', 900);
  await call('SET', 'c', '3', 'EX', 50);
  await call('RPUSH', 'l', 'x', 'y');
  await call('MSET', 'd1', 'x', 'd2', 'y', 'd3', 'z', 'n', 'nx');
  assert.is(await call('RENAME', 'a', 'b'), 'OK');
  assert.is(expireAt('b'), now + 500000, 'the source time');
  assert.is(await call('RENAME', 'l', 'c'), 'OK');
  assert.is(expireAt('c'), undefined, "the target's time goes");
  assert.is(await call('RENAMENX', 'b', 'c'), 0);
  assert.is(await call('RENAMENX', 'b', 'moved'), 1);
  assert.is(await call('RENAME', 'moved', 'moved'), 'OK');
  assert.is(await failure(call('RENAME', 'nosuch', 'x')), 'ERR no such key');
  assert.is(await call('RENAMENX', 'n', 'n2'), 1);
  assert.is(await call('DEL', 'd1', 'nosuch'), 1);
  assert.is(await call('UNLINK', 'd2', 'd3'), 2);
  assert.is(await call('DEL', 'nosuch'), 0);
  assert.is(await call('TOUCH', 'c', 'moved', 'nosuch'), 2);
  assert.is(expireAt('moved'), now + 500000);
  assert.equal(loggedAs('TOUCH'), []);
  await replayMatches();
});

test('COPY with DB and REPLACE, MOVE, SWAPDB and SELECT across databases', async () => {
  const now = Date.now();
  await call('SET', 's', 'v', 'PXAT', now + 600000);
  await call('RPUSH', 'l', 'a', 'b', 'c');
  await call('HSET', 'h', 'f', '1', 'g', '2');
  await call('ZADD', 'z', '1.5', 'm', '-0', 'n', '0.1', 'o');
  await call('SADD', 'set', 'x', 'y', '3');
  await call('PEXPIRE', 'z', 400000);
  assert.is(await call('COPY', 's', 's2'), 1);
  assert.is(expireAt('s2'), now + 600000);
  assert.is(await call('COPY', 'l', 'l', 'DB', 1), 1);
  assert.is(await call('COPY', 'h', 'h1', 'DB', 2), 1);
  assert.is(await call('COPY', 'z', 'l', 'DB', 1), 0);
  assert.is(await call('COPY', 'z', 'l', 'DB', 1, 'REPLACE'), 1);
  assert.equal(await call('ZRANGE', 'z', 0, -1), ['n', 'o', 'm']);
  assert.is(expireAt('l', 1), expireAt('z'), 'COPY copies the time');
  assert.is(await call('COPY', 's', 'zz', 'DB', 2, 'REPLACE'), 1);
  assert.is(await failure(call('COPY', 's', 's')), 'ERR source and destination objects are the same');
  assert.is(await call('MOVE', 'set', 1), 1);
  assert.is(await call('MOVE', 's2', 2), 1);
  assert.is(expireAt('s2', 2), now + 600000);
  await t.r5.select(1);
  await call('SET', 's', 'in1', 'EX', 300);
  assert.is(await call('MOVE', 's', 0), 0, 'the target has it');
  assert.is(await call('SWAPDB', 0, 1), 'OK');
  // The client stays in database 1, which now holds what 0 held.
  assert.is(await call('RPUSH', 'l', 'd'), 4);
  await t.r5.select(2);
  assert.is(await call('SWAPDB', 2, 0), 'OK');
  assert.is(await call('SET', 'after', 'swap'), 'OK');
  assert.is(await call('SWAPDB', 1, 1), 'OK');
  await t.r5.select(0);
  assert.is(await call('COPY', 'h1', 'h', 'DB', 3), 1);
  assert.equal(
    [0, 1, 2, 3].map((i) => [...t.db(i).keys.keys()].sort()),
    [['h1', 's2', 'zz'], ['h', 'l', 's', 'z'], ['after', 'l', 's', 'set'], ['h']],
  );
  const dump = await replayMatches();
  assert.equal(Object.keys(dump), ['0', '1', '2', '3']);
});

test('FLUSHDB and FLUSHALL in several databases', async () => {
  await call('SET', 'a', '1', 'EX', 100);
  await t.r5.select(1);
  await call('RPUSH', 'l', 'x');
  await call('SET', 'b', '2');
  await t.r5.select(3);
  await call('SET', 'c', '3', 'PX', 100000);
  assert.is(await call('FLUSHDB'), 'OK');
  await call('SET', 'd', '4');
  await replayMatches('before FLUSHALL');
  await t.r5.select(0);
  assert.is(await call('FLUSHALL'), 'OK');
  await call('SET', 'e', '5', 'PX', 100000);
  await t.r5.select(1);
  await call('SET', 'f', '6');
  assert.is(await call('FLUSHDB', 'ASYNC'), 'OK');
  await call('SET', 'g', '7');
  await t.r5.select(0);
  const dump = await replayMatches();
  assert.equal(Object.keys(dump), ['0', '1']);
});

// ---- lists ----

test('LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP/RPOP with count, LSET, LINSERT, LREM, LTRIM, LMOVE, RPOPLPUSH, LMPOP', async () => {
  assert.is(await call('RPUSH', 'l', 'a', 'b', 'c'), 3);
  assert.is(await call('LPUSH', 'l', 'z', 'y'), 5);
  assert.is(await call('LPUSHX', 'nosuch', 'x'), 0);
  assert.is(await call('RPUSHX', 'nosuch', 'x'), 0);
  assert.is(await call('RPUSHX', 'l', 'd', 'e'), 7);
  assert.is(await call('LPUSHX', 'l', 'x'), 8);
  assert.equal(await call('LPOP', 'l', 2), ['x', 'y']);
  assert.equal(await call('RPOP', 'l', 2), ['e', 'd']);
  assert.is(await call('LPOP', 'l'), 'z');
  assert.equal(await call('LPOP', 'l', 0), []);
  assert.is(await call('LSET', 'l', -1, 'C'), 'OK');
  assert.is(await call('LINSERT', 'l', 'BEFORE', 'b', 'a'), 4);
  assert.is(await call('LINSERT', 'l', 'AFTER', 'C', 'a'), 5);
  assert.is(await call('LINSERT', 'l', 'AFTER', 'nosuch', 'q'), -1);
  assert.is(await call('LREM', 'l', -1, 'a'), 1);
  assert.is(await call('LREM', 'l', 1, 'a'), 1);
  assert.equal(await call('LRANGE', 'l', 0, -1), ['a', 'b', 'C']);
  await call('RPUSH', 'l', 'd', 'e', 'f');
  assert.is(await call('LTRIM', 'l', 1, -2), 'OK');
  assert.equal(await call('LRANGE', 'l', 0, -1), ['b', 'C', 'd', 'e']);
  assert.is(await call('LMOVE', 'l', 'm', 'LEFT', 'RIGHT'), 'b');
  assert.is(await call('LMOVE', 'l', 'l', 'RIGHT', 'LEFT'), 'e');
  assert.is(await call('RPOPLPUSH', 'l', 'm'), 'd');
  assert.equal(await call('LMPOP', 2, 'nosuch', 'm', 'RIGHT', 'COUNT', 5), ['m', ['b', 'd']]);
  assert.equal(await call('LMPOP', 1, 'l', 'LEFT'), ['l', ['e']]);
  assert.is(await call('LMPOP', 1, 'nosuch', 'LEFT'), null);
  assert.equal(await call('LRANGE', 'l', 0, -1), ['C']);
  await call('RPUSH', 'ttl', 'a', 'b');
  await call('EXPIRE', 'ttl', 100);
  await call('RPUSH', 'ttl', Buffer.from([0, 255]));
  await call('LPOP', 'ttl');
  assert.ok(expireAt('ttl') !== undefined, 'pushes and pops keep the TTL');
  await call('RPUSH', 'gone', 'x', 'y');
  assert.is(await call('LTRIM', 'gone', 1, 0), 'OK');
  await call('RPUSH', 'gone2', 'x');
  assert.equal(await call('RPOP', 'gone2', 3), ['x']);
  assert.is(t.db().keys.has('gone') || t.db().keys.has('gone2'), false, 'emptied lists are deleted');
  assert.is(t.db().keys.has('m'), false);
  await call('SET', 's', 'v');
  assert.is(await failure(call('RPUSH', 's', 'y')), WRONGTYPE);
  await replayMatches();
  assert.equal(
    logged().filter(([name]) => name === 'LPOP' || name === 'RPOP').slice(3, 5),
    [
      ['RPOP', 'm', '2'],
      ['LPOP', 'l', '1'],
    ],
    'LMPOP as the pop that happened',
  );
});

// ---- bitmaps ----

test('SETBIT, BITOP, BITFIELD: in-place edits keep the TTL, BITOP replaces or deletes', async () => {
  assert.is(await call('SETBIT', 'b', 7, 1), 0);
  assert.is(await call('SETBIT', 'b', 7, 1), 1);
  assert.is(await call('SETBIT', 'b', 20, 1), 0);
  await call('SET', 'x', 'foobar', 'EX', 100);
  assert.is(await call('SETBIT', 'x', 1, 0), 1);
  assert.ok(expireAt('x') !== undefined, 'SETBIT keeps the TTL');
  await call('SET', 'y', 'abc');
  assert.is(await call('BITOP', 'AND', 'and', 'x', 'y'), 6);
  assert.is(await call('BITOP', 'OR', 'or', 'x', 'y', 'nosuch'), 6);
  assert.is(await call('BITOP', 'NOT', 'not', 'b'), 3);
  assert.is(await call('BITOP', 'XOR', 'x', 'x', 'y'), 6);
  assert.is(expireAt('x'), undefined, 'BITOP replaces its destination');
  assert.is(await call('BITOP', 'AND', 'or', 'nosuch1', 'nosuch2'), 0);
  assert.is(t.db().keys.has('or'), false, 'an empty result deletes');
  assert.equal(await call('BITFIELD', 'bf', 'SET', 'u8', 0, 200, 'INCRBY', 'u8', 0, 100, 'GET', 'u8', 0), [0, 44, 44]);
  assert.equal(await call('BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', 8, 200), [127]);
  assert.equal(await call('BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', 8, 1), [null]);
  await call('PEXPIRE', 'bf', 300000);
  assert.equal(await call('BITFIELD', 'bf', 'SET', 'i16', '#2', -2), [0]);
  assert.equal(await call('BITFIELD', 'bf', 'GET', 'u4', 0), [2]);
  assert.ok(expireAt('bf') !== undefined, 'BITFIELD keeps the TTL');
  assert.is((await t.r5.getBuffer('bf'))?.toString('hex'), '2c7f0000fffe');
  await replayMatches();
});

// ---- HyperLogLog ----

test('PFADD, PFMERGE, and the cardinality PFCOUNT caches in the value', async () => {
  const range = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  assert.is(await call('PFADD', 'h1', 'a', 'b', 'c'), 1);
  assert.is(await call('PFADD', 'h1', 'a'), 0);
  assert.is(await call('PFCOUNT', 'h1'), 3);
  assert.is(await call('PFCOUNT', 'h1'), 3);
  assert.is(await call('PFADD', 'h2', ...range(3000, 'e')), 1);
  assert.is(await call('PFADD', 'empty'), 1);
  assert.is(await call('PFMERGE', 'm', 'h1', 'h2'), 'OK');
  const merged = (await call('PFCOUNT', 'm')) as number;
  assert.ok(merged > 2900 && merged < 3100, `${merged}`);
  assert.is(await call('PFCOUNT', 'h1', 'h2'), merged);
  await call('PFADD', 'ttl', 'x');
  await call('EXPIRE', 'ttl', 100);
  await call('PFADD', 'ttl', 'y');
  await call('PFMERGE', 'ttl', 'h1');
  assert.is(await call('PFCOUNT', 'ttl'), 5);
  assert.ok(expireAt('ttl') !== undefined, 'PFADD and PFMERGE keep the TTL');
  await replayMatches();
  // The write-back of a stale cache is logged (once per refresh); a union count writes nothing.
  assert.equal(
    loggedAs('PFCOUNT').map(([, ...keys]) => keys.join(' ')),
    ['h1', 'm', 'ttl'],
  );
});

// ---- SORT ... STORE ----

test('SORT ... STORE: orders, LIMIT, BY and GET patterns, sets, an empty result deletes', async () => {
  await call('RPUSH', 'nums', '3', '1', '2', '10');
  assert.is(await call('SORT', 'nums', 'STORE', 'sorted'), 4);
  assert.is(await call('SORT', 'nums', 'DESC', 'LIMIT', 1, 2, 'STORE', 'desc'), 2);
  assert.is(await call('SORT', 'nums', 'ALPHA', 'STORE', 'alpha'), 4);
  await call('MSET', 'w_3', '1', 'w_1', '30', 'w_2', '20', 'w_10', '5');
  for (const [n, name] of [
    ['1', 'one'],
    ['2', 'two'],
    ['3', 'three'],
    ['10', 'ten'],
  ]) {
    await call('HSET', `o_${n}`, 'name', name);
  }
  assert.is(await call('SORT', 'nums', 'BY', 'w_*', 'GET', '#', 'GET', 'o_*->name', 'STORE', 'by'), 8);
  await call('SADD', 'set', 'c', 'a', 'b');
  assert.is(await call('SORT', 'set', 'BY', 'nosort', 'STORE', 'fromset'), 3);
  await call('ZADD', 'z', 2, 'x', 1, 'y');
  assert.is(await call('SORT', 'z', 'BY', 'nosort', 'STORE', 'fromz'), 2);
  await call('SET', 'old', 'v', 'EX', 100);
  assert.is(await call('SORT', 'nums', 'STORE', 'old'), 4);
  assert.is(expireAt('old'), undefined, 'STORE replaces its destination');
  assert.is(await call('SORT', 'nosuch', 'STORE', 'alpha'), 0);
  assert.is(t.db().keys.has('alpha'), false, 'an empty result deletes');
  assert.equal(await call('LRANGE', 'sorted', 0, -1), ['1', '2', '3', '10']);
  assert.equal(await call('LRANGE', 'desc', 0, -1), ['3', '2']);
  assert.equal(await call('LRANGE', 'by', 0, -1), ['3', 'three', '10', 'ten', '2', 'two', '1', 'one']);
  assert.equal(await call('LRANGE', 'fromset', 0, -1), ['a', 'b', 'c']);
  assert.equal(await call('LRANGE', 'fromz', 0, -1), ['y', 'x']);
  await replayMatches();
});

// ---- transactions ----

test('MULTI/EXEC: a value logged early in the record keeps its bytes when a later command overwrites it in place', async () => {
  await t.r5
    .multi()
    .call('SET', 'k', 'aaa', 'PX', 100000)
    .call('COPY', 'k', 'j')
    .call('SET', 'k', 'bbb')
    .call('INCRBYFLOAT', 'f', '1.5')
    .call('SET', 'f', '2.5')
    .exec();
  assert.is(await call('GET', 'j'), 'aaa');
  assert.equal(loggedAs('SET')[0].slice(0, 3), ['SET', 'k', 'aaa']);
  await replayMatches();
});

test('MULTI/EXEC across families and databases, with failing commands inside: one record, the rest applied', async () => {
  await call('SET', 'text', 'abc');
  await call('SADD', 's', 'a', 'b', 'c', 'd', 'e');
  const before = log.records.length;
  const results = (await t.r5
    .multi()
    .call('SET', 'k', '10.5', 'EX', 100)
    .call('INCRBYFLOAT', 'k', '0.1')
    .call('INCR', 'text')
    .call('RPUSH', 'l', 'a', 'b', 'c')
    .call('LPUSH', 'text', 'x')
    .call('LMOVE', 'l', 'l2', 'LEFT', 'LEFT')
    .call('SPOP', 's', 2)
    .call('PEXPIRE', 'l', 50000)
    .call('GETEX', 'text', 'PX', 70000)
    .call('SELECT', 1)
    .call('SET', 'in1', 'v', 'PX', 200000)
    .call('COPY', 'in1', 'back', 'DB', 0)
    .call('SETBIT', 'bits', 9, 1)
    .call('PFADD', 'hll', 'a', 'b')
    .call('PFCOUNT', 'hll')
    .call('ZADD', 'z', 1, 'm')
    .call('HSET', 'h', 'f', 'v')
    .call('SWAPDB', 0, 1)
    .call('SET', 'after', 'swap')
    .call('RENAME', 'nosuch', 'x')
    .exec()) as [Error | null, unknown][];
  await t.r5.select(0);
  const errors = results.map(([error]) => error?.message ?? null);
  assert.equal(
    errors.map((e, i) => (e === null ? null : i)).filter((i) => i !== null),
    [2, 4, 19],
  );
  assert.is(errors[2], 'ERR value is not an integer or out of range');
  assert.is(errors[4], WRONGTYPE);
  assert.is(results[1][1], '10.6');
  assert.is(log.records.length, before + 1, 'the transaction is one record');
  assert.equal(
    [0, 1].map((i) => [...t.db(i).keys.keys()].sort()),
    [
      ['bits', 'h', 'hll', 'in1', 'z'],
      ['after', 'back', 'k', 'l', 'l2', 's', 'text'],
    ],
  );
  assert.ok(expireAt('l', 1) !== undefined && expireAt('text', 1) !== undefined && expireAt('back', 1) !== undefined);
  // A transaction aborted by WATCH logs nothing; another client's write is logged.
  await t.r5.watch('in1');
  await t.r6.set('in1', 'changed');
  assert.is(await t.r5.multi().call('SET', 'in1', 'mine').call('DEL', 'h').exec(), null);
  // Nor does one refused at EXEC for a queued error.
  const refused = await failure(t.r5.multi().call('SET', 'q').call('DEL', 'bits').exec());
  assert.ok(refused.includes('EXECABORT'), refused);
  assert.is(await call('GET', 'in1'), 'changed');
  assert.is(t.db().keys.has('h'), true);
  await replayMatches();
  const inside = logged().slice(2);
  assert.ok(!inside.some(([name]) => name === 'SPOP' || name === 'INCRBYFLOAT' || name === 'PEXPIRE' || name === 'GETEX'), JSON.stringify(inside));
});

// ---- everything at once ----

test('a seeded random sequence of 300 writes over two databases replays to the same keyspace', async () => {
  // mulberry32: the same sequence on every run.
  let seed = 0x5eed1234;
  const rand = (n: number): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return Math.floor((((x ^ (x >>> 14)) >>> 0) / 4294967296) * n);
  };
  const pick = <T>(items: readonly T[]): T => items[rand(items.length)];
  // Each family has its keys, which overlap with others' (WRONGTYPE happens, but not always).
  const strings = ['a', 'b', 'c'];
  const lists = ['l', 'm', 'a'];
  const hlls = ['h', 'h', 'b'];
  const sets = ['s', 's', 'l'];
  const zsets = ['z', 's'];
  const hashes = ['g', 'z'];
  const all = ['a', 'b', 'c', 'l', 'm', 'h', 's', 'z', 'g'];
  const key = () => pick(all);
  const str = () => pick(strings);
  const list = () => pick(lists);
  const values = ['1', '10', '-3', '2.5', 'x', 'abc', '', 'a\0b', '10.5'];
  const value = () => pick(values);
  const side = () => pick(['LEFT', 'RIGHT']);
  /** Mostly short enough to pass during the run, sometimes long. */
  const ms = () => (rand(2) === 0 ? 1 + rand(25) : 1000 + rand(100000));
  const seconds = () => 1 + rand(1000);
  const pxat = () => Date.now() + (rand(5) === 0 ? -rand(1000) : ms());
  const exat = () => Math.floor(Date.now() / 1000) + (rand(5) === 0 ? -1 : seconds());
  let db = 0;
  const generators: (() => Arg[])[] = [
    () => [
      'SET',
      key(),
      value(),
      ...pick<Arg[]>([[], ['EX', seconds()], ['PX', ms()], ['EXAT', exat()], ['PXAT', pxat()], ['KEEPTTL']]),
      ...pick([[], ['NX'], ['XX']]),
      ...pick([[], [], ['GET']]),
    ],
    () => ['SETNX', str(), value()],
    () => ['SETEX', str(), seconds(), value()],
    () => ['PSETEX', str(), ms(), value()],
    () => ['GETSET', str(), value()],
    () => ['GETDEL', str()],
    () => ['GETEX', str(), ...pick<Arg[]>([[], ['EX', seconds()], ['PX', ms()], ['EXAT', exat()], ['PXAT', pxat()], ['PERSIST']])],
    () => ['MSET', str(), value(), key(), value()],
    () => ['MSETNX', str(), value(), str(), value()],
    () => ['APPEND', str(), value()],
    () => ['SETRANGE', str(), rand(8), value()],
    () => [pick(['INCR', 'DECR']), str()],
    () => [pick(['INCRBY', 'DECRBY']), str(), rand(200) - 100],
    () => ['INCRBYFLOAT', str(), pick(['0.1', '-1.5', '5.0e3', '3e-5', '10.5', '-0.1'])],
    () => [pick(['DEL', 'UNLINK']), key(), key()],
    () => [pick(['RENAME', 'RENAMENX']), key(), key()],
    () => ['COPY', key(), key(), ...pick<Arg[]>([[], ['REPLACE'], ['DB', 1 - db], ['DB', 1 - db, 'REPLACE']])],
    () => ['MOVE', key(), 1 - db],
    () => {
      const [name, when] = pick<[string, () => number]>([
        ['EXPIRE', () => (rand(6) === 0 ? -1 : seconds())],
        ['PEXPIRE', ms],
        ['EXPIREAT', exat],
        ['PEXPIREAT', pxat],
      ]);
      return [name, key(), when(), ...pick([[], [], ['NX'], ['XX'], ['GT'], ['LT']])];
    },
    () => ['PERSIST', key()],
    () => ['TOUCH', key(), key()],
    () => ['SWAPDB', 0, 1],
    () => (rand(4) === 0 ? ['FLUSHDB'] : ['TOUCH', key()]),
    () => (rand(10) === 0 ? ['FLUSHALL'] : ['EXISTS', key()]),
    () => [pick(['LPUSH', 'RPUSH']), list(), value(), value()],
    () => [pick(['LPUSH', 'RPUSH']), list(), value(), value(), value()],
    () => [pick(['LPUSHX', 'RPUSHX']), list(), value()],
    () => [pick(['LPOP', 'RPOP']), list(), ...pick([[], [1 + rand(3)]])],
    () => ['LSET', list(), rand(4) - 2, value()],
    () => ['LINSERT', list(), pick(['BEFORE', 'AFTER']), value(), value()],
    () => ['LREM', list(), rand(5) - 2, value()],
    () => ['LTRIM', list(), rand(3), -1 - rand(3)],
    () => ['LMOVE', list(), list(), side(), side()],
    () => ['RPOPLPUSH', list(), list()],
    () => ['LMPOP', 2, list(), list(), side(), ...pick<Arg[]>([[], ['COUNT', 1 + rand(3)]])],
    () => ['SETBIT', str(), rand(40), rand(2)],
    () => ['BITOP', pick(['AND', 'OR', 'XOR']), str(), str(), str()],
    () => ['BITOP', 'NOT', str(), str()],
    () => ['BITFIELD', str(), 'OVERFLOW', pick(['WRAP', 'SAT', 'FAIL']), 'INCRBY', pick(['u8', 'i8', 'i16']), rand(32), rand(400) - 200],
    () => ['PFADD', pick(hlls), value(), `e${rand(50)}`],
    () => ['PFADD', pick(hlls), `e${rand(50)}`, `e${rand(50)}`],
    () => ['PFMERGE', pick(hlls), pick(hlls)],
    () => ['PFCOUNT', pick(hlls)],
    () => ['SORT', pick([...lists, ...sets, ...zsets]), 'ALPHA', ...pick<Arg[]>([[], ['DESC'], ['LIMIT', 0, 2]]), 'STORE', pick(lists)],
    () => ['HSET', pick(hashes), pick(['f', 'g']), value()],
    () => ['SADD', pick(sets), value(), value()],
    () => ['SADD', pick(sets), value(), value(), value()],
    () => ['SPOP', pick(sets), ...pick([[], [1 + rand(2)]])],
    () => ['ZADD', pick(zsets), pick(['1', '-0', '0.1', '2.5e-3', '+inf']), value()],
  ];
  const counts = new Map<string, number>();
  const succeeded = new Set<string>();
  const run = async (argv: Arg[]) => {
    counts.set(String(argv[0]), (counts.get(String(argv[0])) ?? 0) + 1);
    await call(String(argv[0]), ...argv.slice(1)).then(
      () => succeeded.add(String(argv[0])),
      () => null,
    );
  };
  for (let step = 1; step <= 300; step++) {
    const roll = rand(20);
    if (roll === 0) {
      db = 1 - db;
      await t.r5.select(db);
    } else if (roll === 1) {
      // A transaction of a few commands, sometimes switching databases inside.
      let multi = t.r5.multi();
      for (let n = 2 + rand(3); n > 0; n--) {
        const argv = pick(generators)();
        multi = multi.call(String(argv[0]), ...argv.slice(1));
      }
      if (rand(3) === 0) {
        db = 1 - db;
        multi = multi.call('SELECT', db).call('SET', key(), value(), 'PX', ms());
      }
      counts.set('EXEC', (counts.get('EXEC') ?? 0) + 1);
      await multi.exec().catch(() => null);
      await t.r5.select(db);
    } else await run(pick(generators)());
    if (rand(12) === 0) await delay(1 + rand(15));
    if (step % 100 === 0) await replayMatches(`after ${step} steps`);
  }
  const names = new Set(logged().map(([name]) => name));
  const report = `logged ${[...names].sort().join(' ')}; ran ${[...counts].sort().join(' ')}; succeeded ${[...succeeded].sort().join(' ')}`;
  // The rewrites (relative times, INCRBYFLOAT, GETDEL, lazy expiry) and the database moves were exercised.
  for (const name of ['SET', 'DEL', 'PEXPIREAT', 'SELECT', 'SWAPDB']) assert.ok(names.has(name), `${name} was logged: ${report}`);
  assert.ok(succeeded.size >= 35, `most commands did something: ${report}`);
  assert.ok((counts.get('EXEC') ?? 0) >= 5, 'some transactions ran');
  const dump = dumpKeyspace(t.s.server);
  assert.ok(Object.keys(dump).length > 0, 'something is left');
});

test.run();
