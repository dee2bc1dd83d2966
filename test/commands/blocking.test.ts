// Blocking list commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) through
// ioredis 5 and node-redis 6 against an in-process VelocityDB: waking by
// another connection and by EXEC, first blocked first served, timeouts,
// disconnects, input pipelined behind a blocked command, reply holding, and
// a replay of the log records that must rebuild the same lists.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type Socket } from 'node:net';
import { Redis } from 'ioredis5';
import { createClient } from 'redis';
import { captureLog, decodeCommands, type LogCapture } from '../helpers/log-capture.js';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
/** Log records since the test began. */
let log: LogCapture;
const clients: { disconnect(): void }[] = [];

test.before(async () => {
  s = await startServer();
  log = captureLog(s.server);
});
test.after.each(() => s.assertSnapshots());
test.after(async () => {
  await s.stop();
});
test.before.each(async () => {
  log.durableAtOnce = true;
  s.server.durableSeq = s.server.lastSeq;
  const r = redis();
  await r.flushall();
  log.clear();
});
test.after.each(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

function redis(): Redis {
  const r = new Redis({ port: s.port, host: '127.0.0.1', enableReadyCheck: false, maxRetriesPerRequest: 0 });
  r.on('error', () => {});
  clients.push(r);
  return r;
}

/** Resolves once `count` clients are blocked. */
async function blocked(count: number): Promise<void> {
  for (let i = 0; i < 500 && s.server.blocking.count !== count; i++) await delay(2);
  assert.is(s.server.blocking.count, count, 'blocked clients');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Logged commands, names uppercased. */
function logged(): string[][] {
  return log.records.flatMap(decode);
}

/** The commands of one log record, names uppercased. */
function decode(record: Buffer): string[][] {
  return decodeCommands(record).map(([name, ...args]) => [name.toUpperCase(), ...args]);
}

/** A raw connection that collects what the server writes. */
async function raw(): Promise<{ socket: Socket; received(): string; waitFor(text: string): Promise<void> }> {
  const socket = connect(s.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let data = '';
  socket.on('data', (chunk) => (data += chunk.toString('latin1')));
  clients.push({ disconnect: () => socket.destroy() });
  return {
    socket,
    received: () => data,
    async waitFor(text) {
      for (let i = 0; i < 500 && !data.includes(text); i++) await delay(2);
      assert.ok(data.includes(text), `waiting for ${JSON.stringify(text)}, got ${JSON.stringify(data)}`);
    },
  };
}

test('a push from another connection wakes the blocked client; the pop is logged after the push', async () => {
  const a = redis();
  const b = redis();
  const popped = a.blpop('k', 0);
  await blocked(1);
  assert.is(await b.rpush('k', 'x'), 1);
  assert.equal(await popped, ['k', 'x']);
  assert.is(await b.exists('k'), 0);
  assert.is(s.server.blocking.count, 0);
  assert.equal(logged(), [
    ['RPUSH', 'k', 'x'],
    ['LPOP', 'k'],
  ]);
});

test('each blocking command, served later, logs its non-blocking effect', async () => {
  const [a, b, c, d, e] = [redis(), redis(), redis(), redis(), redis()];
  const w = redis();
  const brpop = a.brpop('k1', 'k2', 0);
  await blocked(1);
  const blmove = b.blmove('src', 'dst', 'RIGHT', 'LEFT', 0);
  await blocked(2);
  const brpoplpush = c.brpoplpush('src2', 'dst', 0);
  await blocked(3);
  const blmpop = d.call('BLMPOP', '0', '2', 'm1', 'm2', 'LEFT', 'COUNT', '2');
  await blocked(4);
  const blmpopAll = e.call('BLMPOP', '0', '1', 'm3', 'RIGHT', 'COUNT', '10');
  await blocked(5);
  await w.rpush('k2', 'a', 'b');
  await w.rpush('src', 'x', 'y');
  await w.rpush('src2', 'z');
  await w.rpush('m2', '1', '2', '3');
  await w.rpush('m3', '1', '2');
  assert.equal(await brpop, ['k2', 'b']);
  assert.is(await blmove, 'y');
  assert.is(await brpoplpush, 'z');
  assert.equal(await blmpop, ['m2', ['1', '2']]);
  assert.equal(await blmpopAll, ['m3', ['2', '1']]);
  assert.equal(await w.lrange('dst', 0, -1), ['z', 'y']);
  assert.equal(logged(), [
    ['RPUSH', 'k2', 'a', 'b'],
    ['RPOP', 'k2'],
    ['RPUSH', 'src', 'x', 'y'],
    ['LMOVE', 'src', 'dst', 'RIGHT', 'LEFT'],
    ['RPUSH', 'src2', 'z'],
    ['RPOPLPUSH', 'src2', 'dst'],
    ['RPUSH', 'm2', '1', '2', '3'],
    ['LPOP', 'm2', '2'],
    ['RPUSH', 'm3', '1', '2'],
    ['RPOP', 'm3', '2'],
  ]);
});

test('first blocked, first served, per key', async () => {
  const [a, b, c] = [redis(), redis(), redis()];
  const w = redis();
  const first = a.blpop('k', 0);
  await blocked(1);
  const second = b.brpop('k', 0);
  await blocked(2);
  const third = c.blpop('k', 0);
  await blocked(3);
  // One element: only the first client gets it.
  await w.rpush('k', '1');
  assert.equal(await first, ['k', '1']);
  await blocked(2);
  // Three elements: the second pops from the right, the third from the left.
  await w.rpush('k', 'x', 'y', 'z');
  assert.equal(await second, ['k', 'z']);
  assert.equal(await third, ['k', 'x']);
  assert.equal(await w.lrange('k', 0, -1), ['y']);
});

test('a client blocked on several keys is served once, from the first key made ready', async () => {
  const [a, b] = [redis(), redis()];
  const w = redis();
  const both = a.blpop('k1', 'k2', 0);
  await blocked(1);
  const onlyK2 = b.blpop('k2', 0);
  await blocked(2);
  await w.multi().rpush('k2', 'two').rpush('k1', 'one').exec();
  // k2 became ready first: its first waiter takes the only element.
  assert.equal(await both, ['k2', 'two']);
  await blocked(1);
  assert.equal(await w.lrange('k1', 0, -1), ['one']);
  await w.rpush('k2', 'again');
  assert.equal(await onlyK2, ['k2', 'again']);
});

test('a push inside MULTI/EXEC wakes the client after the whole transaction', async () => {
  const a = redis();
  const w = redis();
  const popped = a.blpop('k', 0);
  await blocked(1);
  const results = await w.multi().rpush('k', 'a', 'b').lpop('k').llen('k').exec();
  // EXEC ran to its end before the blocked client was served.
  assert.equal(results, [
    [null, 2],
    [null, 'a'],
    [null, 1],
  ]);
  assert.equal(await popped, ['k', 'b']);
  // The transaction is one record; the served pop is the next.
  assert.equal(log.records.map(decode), [
    [
      ['RPUSH', 'k', 'a', 'b'],
      ['LPOP', 'k'],
    ],
    [['LPOP', 'k']],
  ]);
});

test('a transaction that pushes and pops everything leaves the client blocked', async () => {
  const a = redis();
  const w = redis();
  const popped = a.blpop('k', 0);
  await blocked(1);
  await w.multi().rpush('k', 'a').lpop('k').exec();
  await delay(20);
  assert.is(s.server.blocking.count, 1);
  await w.rpush('k', 'later');
  assert.equal(await popped, ['k', 'later']);
});

test('inside MULTI blocking commands answer at once as their non-blocking forms', async () => {
  const r = redis();
  const results = await r
    .multi()
    .blpop('empty', 0)
    .brpoplpush('empty', 'dst', 0)
    .blmove('empty', 'dst', 'LEFT', 'LEFT', 0)
    .call('BLMPOP', '0', '1', 'empty', 'LEFT')
    .rpush('empty', 'x')
    .brpop('empty', 0)
    .exec();
  assert.equal(results, [
    [null, null],
    [null, null],
    [null, null],
    [null, null],
    [null, 1],
    [null, ['empty', 'x']],
  ]);
  assert.is(s.server.blocking.count, 0);
});

test('timeouts answer null (RESP2 and RESP3) and unblock', async () => {
  const r = redis();
  const started = Date.now();
  assert.is(await r.blpop('k', 0.05), null);
  assert.ok(Date.now() - started >= 45, `waited ${Date.now() - started} ms`);
  assert.is(await r.brpoplpush('k', 'd', 0.01), null);
  assert.is(await r.blmove('k', 'd', 'LEFT', 'RIGHT', 0.01), null);
  assert.is(await r.call('BLMPOP', '0.01', '2', 'k', 'k2', 'LEFT'), null);
  const n = createClient({ socket: { port: s.port, host: '127.0.0.1', reconnectStrategy: false } });
  n.on('error', () => {});
  await n.connect();
  assert.is(await n.blPop('k', 0.01), null);
  assert.is(await n.brPop(['k', 'k2'], 0.01), null);
  assert.is(await n.blMove('k', 'd', 'LEFT', 'LEFT', 0.01), null);
  assert.is(await n.blmPop(0.01, ['k'], 'RIGHT'), null);
  await n.close();
  assert.is(s.server.blocking.count, 0);
  assert.equal(logged(), []);
  // The raw bytes: a null array in both protocols, BLMOVE included.
  const c = await raw();
  c.socket.write('BLMOVE k d LEFT LEFT 0.01\r\nHELLO 3\r\nBLPOP k 0.01\r\n');
  await c.waitFor('_\r\n');
  assert.ok(c.received().startsWith('*-1\r\n%7\r\n'), JSON.stringify(c.received()));
});

test('a timed-out client leaves the queue; the next one is served', async () => {
  const [a, b] = [redis(), redis()];
  const w = redis();
  const early = a.blpop('k', 0.03);
  await blocked(1);
  const later = b.blpop('k', 0);
  await blocked(2);
  assert.is(await early, null);
  await w.rpush('k', 'v');
  assert.equal(await later, ['k', 'v']);
});

test('a disconnected blocked client is forgotten', async () => {
  const a = redis();
  const w = redis();
  void a.blpop('k', 0).catch(() => {});
  const timed = redis();
  void timed.blpop('k2', 10).catch(() => {});
  await blocked(2);
  a.disconnect();
  timed.disconnect();
  await blocked(0);
  await w.rpush('k', 'kept');
  assert.equal(await w.lrange('k', 0, -1), ['kept']);
  assert.equal(logged(), [['RPUSH', 'k', 'kept']]);
});

test('commands pipelined behind a blocked command wait for it, in order', async () => {
  const c = await raw();
  const w = redis();
  c.socket.write('BLPOP k 0\r\nPING\r\nRPUSH k mine\r\nLRANGE k 0 -1\r\n');
  await blocked(1);
  await delay(20);
  assert.is(c.received(), '');
  c.socket.write('ECHO more\r\n');
  await delay(10);
  assert.is(c.received(), '');
  await w.rpush('k', 'a', 'b');
  await c.waitFor('$4\r\nmore\r\n');
  assert.is(c.received(), '*2\r\n$1\r\nk\r\n$1\r\na\r\n+PONG\r\n:2\r\n*2\r\n$1\r\nb\r\n$4\r\nmine\r\n$4\r\nmore\r\n');
  // After unblocking, input runs at once again.
  c.socket.write('PING\r\n');
  await c.waitFor('more\r\n+PONG\r\n');
});

test('a pipelined command that blocks again stops the queue until it is served', async () => {
  const c = await raw();
  const w = redis();
  c.socket.write('BLPOP k 0\r\nBLPOP k 0\r\nECHO done\r\n');
  await blocked(1);
  await w.rpush('k', '1');
  await blocked(1);
  await delay(10);
  assert.is(c.received(), '*2\r\n$1\r\nk\r\n$1\r\n1\r\n');
  await w.rpush('k', '2');
  await c.waitFor('done');
  assert.is(c.received(), '*2\r\n$1\r\nk\r\n$1\r\n1\r\n*2\r\n$1\r\nk\r\n$1\r\n2\r\n$4\r\ndone\r\n');
  await blocked(0);
});

test('BLMOVE into a key another client waits on serves that client too', async () => {
  const [a, b] = [redis(), redis()];
  const w = redis();
  const moved = a.blmove('src', 'dst', 'LEFT', 'RIGHT', 0);
  await blocked(1);
  const popped = b.brpop('dst', 0);
  await blocked(2);
  await w.rpush('src', 'v');
  assert.is(await moved, 'v');
  assert.equal(await popped, ['dst', 'v']);
  assert.is(await w.exists('src', 'dst'), 0);
  assert.equal(logged(), [
    ['RPUSH', 'src', 'v'],
    ['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'],
    ['RPOP', 'dst'],
  ]);
});

test('BLMOVE whose destination holds another type when served answers WRONGTYPE', async () => {
  const a = redis();
  const w = redis();
  const moved = a.blmove('src', 'dst', 'LEFT', 'RIGHT', 0).then(
    (value) => `no error: ${value}`,
    (error: Error) => error.message,
  );
  await blocked(1);
  await w.set('dst', 'string');
  await w.rpush('src', 'v');
  assert.is(await moved, 'WRONGTYPE Operation against a key holding the wrong kind of value');
  assert.equal(await w.lrange('src', 0, -1), ['v']);
  assert.is(s.server.blocking.count, 0);
});

test('a key that becomes another type does not serve; a list made by RENAME does', async () => {
  const a = redis();
  const w = redis();
  const popped = a.blpop('k', 0);
  await blocked(1);
  await w.set('k', 'v');
  await w.del('k');
  await delay(10);
  assert.is(s.server.blocking.count, 1);
  await w.rpush('tmp', 'renamed');
  await w.rename('tmp', 'k');
  assert.equal(await popped, ['k', 'renamed']);
});

test('clients block per database', async () => {
  const a = redis();
  const w = redis();
  await a.select(3);
  const popped = a.blpop('k', 0);
  await blocked(1);
  await w.rpush('k', 'db0');
  await delay(10);
  assert.is(s.server.blocking.count, 1);
  await w.select(3);
  await w.rpush('k', 'db3');
  assert.equal(await popped, ['k', 'db3']);
  assert.equal(logged(), [
    ['RPUSH', 'k', 'db0'],
    ['SELECT', '3'],
    ['RPUSH', 'k', 'db3'],
    ['SELECT', '3'],
    ['LPOP', 'k'],
  ]);
});

test("the served client's reply waits until its log record is durable", async () => {
  log.durableAtOnce = false;
  const c = await raw();
  const w = await raw();
  c.socket.write('BLPOP k 0\r\n');
  await blocked(1);
  w.socket.write('RPUSH k v\r\n');
  await delay(30);
  // Both the push and the served pop are logged, neither is durable yet.
  assert.is(log.records.length, 2);
  assert.is(w.received(), '');
  assert.is(c.received(), '');
  // The push becomes durable: only its reply leaves.
  s.server.durableSeq = s.server.lastSeq - 1;
  for (const held of [...s.server.waiting]) held.flush();
  await w.waitFor(':1\r\n');
  await delay(10);
  assert.is(c.received(), '');
  s.server.durableSeq = s.server.lastSeq;
  for (const held of [...s.server.waiting]) held.flush();
  await c.waitFor('*2\r\n$1\r\nk\r\n$1\r\nv\r\n');
});

test('replaying the log rebuilds the same lists', async () => {
  const writers = [redis(), redis(), redis()];
  const blockers = Array.from({ length: 6 }, () => redis());
  let random = 12345;
  const next = (n: number) => {
    random = (random * 1103515245 + 12345) % 2147483648;
    return random % n;
  };
  const keys = ['a', 'b', 'c', 'd'];
  const pending: Promise<unknown>[] = [];
  for (let round = 0; round < 40; round++) {
    // Some clients block on random keys; others push, pop and move.
    const blocker = blockers[round % blockers.length];
    const key = keys[next(keys.length)];
    const other = keys[next(keys.length)];
    switch (next(5)) {
      case 0:
        pending.push(blocker.blpop(key, other, 0.2));
        break;
      case 1:
        pending.push(blocker.brpop(key, 0.2));
        break;
      case 2:
        pending.push(blocker.blmove(key, other, 'LEFT', 'RIGHT', 0.2));
        break;
      case 3:
        pending.push(blocker.brpoplpush(key, other, 0.2));
        break;
      default:
        pending.push(blocker.call('BLMPOP', '0.2', '2', key, other, 'RIGHT', 'COUNT', String(1 + next(3))));
    }
    const writer = writers[next(writers.length)];
    const values = Array.from({ length: 1 + next(3) }, (_, i) => `${round}.${i}`);
    switch (next(4)) {
      case 0:
        pending.push(writer.rpush(keys[next(4)], ...values));
        break;
      case 1:
        pending.push(writer.lpush(keys[next(4)], ...values));
        break;
      case 2:
        pending.push(writer.multi().rpush(keys[next(4)], ...values).lmove(keys[next(4)], keys[next(4)], 'RIGHT', 'LEFT').exec());
        break;
      default:
        pending.push(writer.lpop(keys[next(4)]));
    }
    if (round % 5 === 0) await delay(1);
  }
  await Promise.all(pending);
  await blocked(0);
  const w = writers[0];
  const expected = await Promise.all(keys.map((key) => w.lrange(key, 0, -1)));
  assert.ok(
    expected.some((list) => list.length > 0),
    'some data is left',
  );
  assert.ok(
    logged().some(([name]) => name === 'LMOVE' || name === 'RPOPLPUSH'),
    'something was moved',
  );

  const fresh = await startServer();
  try {
    const c = connect(fresh.port, '127.0.0.1');
    await new Promise((resolve) => c.once('connect', resolve));
    let data = '';
    c.on('data', (chunk) => (data += chunk.toString('latin1')));
    for (const record of log.records) c.write(Buffer.concat([Buffer.from('SELECT 0\r\n'), record]));
    c.write('PING\r\n');
    for (let i = 0; i < 500 && !data.endsWith('+PONG\r\n'); i++) await delay(2);
    c.destroy();
    const check = new Redis({ port: fresh.port, host: '127.0.0.1', enableReadyCheck: false });
    const replayed = await Promise.all(keys.map((key) => check.lrange(key, 0, -1)));
    check.disconnect();
    assert.equal(replayed, expected);
  } finally {
    await fresh.stop();
  }
});

test.run();
