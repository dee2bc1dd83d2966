// MULTI/EXEC/DISCARD/WATCH through ioredis, and the one-record-per-EXEC log rule.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis5';
import { captureLog, type LogCapture } from '../helpers/log-capture.js';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let a: Redis;
let b: Redis;
let log: LogCapture;
/** The log records since the test began, latin1. */
const records = (): string[] => log.records.map((record) => record.toString('latin1'));

test.before(async () => {
  server = await startServer();
  log = captureLog(server.server);
  a = new Redis({ port: server.port, lazyConnect: true, enableReadyCheck: false });
  b = new Redis({ port: server.port, lazyConnect: true, enableReadyCheck: false });
  await Promise.all([a.connect(), b.connect()]);
});
test.after.each(() => server.assertSnapshots());
test.after(async () => {
  a.disconnect();
  b.disconnect();
  await server.stop();
});
test.before.each(async () => {
  await a.flushall();
  log.clear();
});

test('queued commands answer QUEUED and EXEC runs them in order', async () => {
  const results = await a.multi().set('k', '1').incr('k').get('k').exec();
  assert.equal(results, [[null, 'OK'], [null, 2], [null, '2']]);
});

test('an EXEC is one log record holding every effect, SELECT included', async () => {
  await a.multi().set('x', '1').select(2).set('y', '2').incr('y').select(0).exec();
  assert.is(records().length, 1);
  assert.is(
    records()[0],
    '*3\r\n$3\r\nset\r\n$1\r\nx\r\n$1\r\n1\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*3\r\n$3\r\nset\r\n$1\r\ny\r\n$1\r\n2\r\n*2\r\n$4\r\nincr\r\n$1\r\ny\r\n',
  );
});

test('a command error while queueing aborts the transaction', async () => {
  const raw = await a.call('MULTI');
  assert.is(raw, 'OK');
  await a.call('SET', 'k').catch((e: Error) => assert.is(e.message, "ERR wrong number of arguments for 'set' command"));
  await a.call('NOSUCHCMD').catch((e: Error) => assert.match(e.message, /^ERR unknown command 'NOSUCHCMD'/));
  await a.call('EXEC').then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'EXECABORT Transaction discarded because of previous errors.'));
  assert.is(await a.exists('k'), 0);
});

test('errors at run time do not stop the other commands', async () => {
  await a.set('s', 'text');
  const results = await a.multi().incr('s').set('t', '1').exec();
  assert.is((results?.[0][0] as Error).message, 'ERR value is not an integer or out of range');
  assert.equal(results?.[1], [null, 'OK']);
});

test('MULTI, EXEC and DISCARD misuse', async () => {
  await a.call('EXEC').then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'ERR EXEC without MULTI'));
  await a.call('DISCARD').then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'ERR DISCARD without MULTI'));
  await a.call('MULTI');
  await a.call('MULTI').then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'ERR MULTI calls can not be nested'));
  await a.call('WATCH', 'k').then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'ERR WATCH inside MULTI is not allowed'));
  assert.is(await a.call('SET', 'k', 'v'), 'QUEUED');
  assert.is(await a.call('DISCARD'), 'OK');
  assert.is(await a.exists('k'), 0);
});

test('WATCH: a write by another client fails EXEC with a null reply', async () => {
  await a.watch('w');
  await b.set('w', 'theirs');
  assert.is(await a.multi().set('w', 'mine').exec(), null);
  assert.is(await a.get('w'), 'theirs');
});

test('WATCH: an untouched key lets EXEC run; UNWATCH forgets', async () => {
  await a.watch('w');
  await b.set('other', '1');
  assert.equal(await a.multi().set('w', 'mine').exec(), [[null, 'OK']]);
  await a.watch('w');
  await b.set('w', 'theirs');
  await a.unwatch();
  assert.equal(await a.multi().set('w', 'again').exec(), [[null, 'OK']]);
});

test('WATCH: expiry and FLUSHALL count as modifications', async () => {
  await a.set('e', '1', 'PX', 30);
  await a.watch('e');
  await new Promise((r) => setTimeout(r, 60));
  assert.is(await a.multi().set('e', '2').exec(), null);
  await a.set('f', '1');
  await a.watch('f');
  await b.flushall();
  assert.is(await a.multi().set('f', '2').exec(), null);
});

test('WATCH: a key in another database is a different key', async () => {
  await a.watch('d');
  await b.select(1);
  await b.set('d', 'db1');
  await b.select(0);
  assert.equal(await a.multi().set('d', 'db0').exec(), [[null, 'OK']]);
});

test.run();
