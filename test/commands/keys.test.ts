// Generic key and expiry commands through real clients (ioredis 5, node-redis
// 5) against an in-process VelocityDB: replies, errors, TTLs, lazy and active
// expiry, SCAN's guarantee under concurrent writes, encodings and log records.
// Byte-exact replies are compared with redis-server by compat/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis5';
import { createClient } from 'redis5';
import { getExpireExact } from '../../src/commands/expire.js';
import { Deque } from '../../src/store/deque.js';
import { Dict } from '../../src/store/dict.js';
import type { Database } from '../../src/store/keyspace.js';
import { SortedSet } from '../../src/store/sorted-set.js';
import { captureLog } from '../helpers/log-capture.js';
import { commandsOf, failure } from '../helpers/clients.js';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let r: Redis;

test.before(async () => {
  s = await startServer();
  r = new Redis({ port: s.port, host: '127.0.0.1', lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0 });
  await r.connect();
});

test.after.each(() => s.assertSnapshots());
test.after(async () => {
  r.disconnect();
  await s.stop();
});

test.before.each(() => {
  for (const db of s.server.keyspace.databases) db.clear();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function db(index = 0): Database {
  return s.server.keyspace.databases[index];
}

/** Puts one value of every type into database 0, directly. */
function putAllTypes(): void {
  const d = db();
  d.put('s', 'string', Buffer.from('v'));
  d.put('l', 'list', new Deque([Buffer.from('a'), Buffer.from('b')]));
  const hash = new Dict<Buffer>();
  hash.set('f', Buffer.from('v'));
  d.put('h', 'hash', hash);
  const set = new Dict<null>();
  set.set('1', null);
  d.put('st', 'set', set);
  const zset = new SortedSet();
  zset.add('m', 1);
  d.put('z', 'zset', zset);
}

const SYNTAX = 'ERR syntax error';
const NOT_INTEGER = 'ERR value is not an integer or out of range';

test('DEL, UNLINK, EXISTS, TYPE and TOUCH', async () => {
  await r.mset('a', '1', 'b', '2', 'c', '3');
  assert.is(await r.exists('a', 'b', 'c', 'nosuch'), 3);
  assert.is(await r.exists('a', 'a', 'a'), 3);
  assert.is(await r.del('a', 'nosuch'), 1);
  assert.is(await r.del('a'), 0);
  assert.is(await r.del('b', 'b'), 1);
  assert.is(await r.unlink('c', 'nosuch'), 1);
  putAllTypes();
  for (const [key, type] of [['s', 'string'], ['l', 'list'], ['h', 'hash'], ['st', 'set'], ['z', 'zset'], ['nosuch', 'none']]) {
    assert.is(await r.type(key), type);
  }
  assert.is(await r.touch('s', 'l', 'nosuch'), 2);
  assert.is(await r.del('s', 'l', 'h', 'st', 'z'), 5);
  assert.is(db().size, 0);
  assert.is(await failure(r.call('DEL')), "ERR wrong number of arguments for 'del' command");
});

test('RENAME and RENAMENX', async () => {
  await r.set('a', '1');
  assert.is(await r.rename('a', 'b'), 'OK');
  assert.equal(await r.mget('a', 'b'), [null, '1']);
  assert.is(await r.rename('b', 'b'), 'OK');
  assert.is(await failure(r.rename('nosuch', 'x')), 'ERR no such key');
  await r.set('c', '3', 'EX', 100);
  assert.is(await r.rename('b', 'c'), 'OK');
  assert.is(await r.get('c'), '1');
  assert.is(await r.ttl('c'), -1);
  db().put('list', 'list', new Deque([Buffer.from('x')]));
  assert.is(await r.rename('c', 'list'), 'OK');
  assert.is(await r.type('list'), 'string');
  assert.is(await r.renamenx('list', 'other'), 1);
  await r.set('x', '1');
  assert.is(await r.renamenx('x', 'other'), 0);
  assert.is(await r.renamenx('x', 'x'), 0);
  assert.is(await failure(r.renamenx('nosuch', 'y')), 'ERR no such key');
  await r.pexpireat('x', 99999999999999);
  assert.is(await r.rename('x', 'y'), 'OK');
  assert.is(await r.call('PEXPIRETIME', 'y'), 99999999999999);
});

test('COPY: REPLACE, DB, deep copies of every type, expiry', async () => {
  await r.set('src', 'hello');
  assert.is(await r.copy('src', 'dst'), 1);
  assert.is(await r.get('dst'), 'hello');
  assert.is(await r.copy('src', 'dst'), 0);
  await r.set('src', 'world');
  assert.is(await r.call('COPY', 'src', 'dst', 'REPLACE'), 1);
  assert.is(await r.get('dst'), 'world');
  assert.is(await r.copy('nosuch', 'dst'), 0);
  assert.is(await failure(r.copy('src', 'src')), 'ERR source and destination objects are the same');
  assert.is(await r.call('COPY', 'src', 'dst', 'DB', '1'), 1);
  assert.is(db(1).keys.get('dst')?.value.toString(), 'world');
  assert.is(await r.call('COPY', 'src', 'src', 'DB', '1'), 1);
  assert.is(await r.call('COPY', 'src', 'dst', 'DB', '1', 'REPLACE'), 1);
  assert.is(await failure(r.call('COPY', 'src', 'dst', 'DB', '16')), 'ERR DB index is out of range');
  assert.is(await failure(r.call('COPY', 'src', 'dst', 'DB', '-1')), 'ERR DB index is out of range');
  assert.is(await failure(r.call('COPY', 'src', 'dst', 'DB', 'abc')), NOT_INTEGER);
  assert.is(await failure(r.call('COPY', 'src', 'dst', 'DB')), SYNTAX);
  assert.is(await failure(r.call('COPY', 'src', 'dst', 'FOO')), SYNTAX);

  putAllTypes();
  for (const key of ['l', 'h', 'st', 'z']) assert.is(await r.copy(key, `${key}2`), 1);
  const d = db();
  (d.keys.get('l')?.value as Deque<Buffer>).pushBack(Buffer.from('c'));
  (d.keys.get('h')?.value as Dict<Buffer>).set('g', Buffer.from('w'));
  (d.keys.get('st')?.value as Dict<null>).set('2', null);
  (d.keys.get('z')?.value as SortedSet).add('n', 2);
  assert.equal([...(d.keys.get('l2')?.value as Deque<Buffer>)].map(String), ['a', 'b']);
  assert.equal([...(d.keys.get('h2')?.value as Dict<Buffer>).keys()], ['f']);
  assert.equal([...(d.keys.get('st2')?.value as Dict<null>).keys()], ['1']);
  assert.is((d.keys.get('z2')?.value as SortedSet).length, 1);
  assert.is(await r.type('z2'), 'zset');

  await r.pexpireat('src', 99999999999999);
  await r.copy('src', 'withttl');
  assert.is(await r.call('PEXPIRETIME', 'withttl'), 99999999999999);
});

test('MOVE', async () => {
  await r.set('m', 'v', 'PX', 100000);
  assert.is(await r.move('m', 1), 1);
  assert.is(await r.exists('m'), 0);
  assert.is(await r.move('m', 1), 0);
  assert.is(db(1).keys.get('m')?.value.toString(), 'v');
  assert.ok((db(1).expireAt('m') ?? 0) > Date.now());
  await r.set('m', 'other');
  assert.is(await r.move('m', 1), 0, 'the target has the key');
  assert.is(await r.get('m'), 'other');
  assert.is(await failure(r.move('m', 0)), 'ERR source and destination objects are the same');
  assert.is(await failure(r.move('m', 16)), 'ERR DB index is out of range');
  assert.is(await failure(r.call('MOVE', 'm', 'abc')), NOT_INTEGER);
  assert.is(await r.move('nosuch', 1), 0);
});

test('KEYS matches Redis globs and hides expired keys', async () => {
  await r.mset('hello', '1', 'hallo', '2', 'hxllo', '3', 'hllo', '4', 'heeello', '5', 'h*llo', '6', 'foo', '7', 'foo:bar', '8', 'a b', '9');
  const keys = async (pattern: string) => (await r.keys(pattern)).sort();
  assert.is((await keys('*')).length, 9);
  assert.equal(await keys('h?llo'), ['h*llo', 'hallo', 'hello', 'hxllo']);
  assert.equal(await keys('h*llo'), ['h*llo', 'hallo', 'heeello', 'hello', 'hllo', 'hxllo']);
  assert.equal(await keys('h[ae]llo'), ['hallo', 'hello']);
  assert.equal(await keys('h[^e]llo'), ['h*llo', 'hallo', 'hxllo']);
  assert.equal(await keys('h\\*llo'), ['h*llo']);
  assert.equal(await keys('*:*'), ['foo:bar']);
  assert.equal(await keys('nomatch*'), []);
  db().setExpire('foo', Date.now() - 1);
  assert.equal(await keys('foo*'), ['foo:bar']);
});

test('SCAN: options, errors, cursor as a bulk string', async () => {
  await r.mset('k1', '1', 'k2', '2', 'k3', '3', 'other', '4');
  db().put('klist', 'list', new Deque([Buffer.from('a')]));
  const all = async (...args: string[]) => {
    const [cursor, keys] = (await r.call('SCAN', '0', 'COUNT', '1000', ...args)) as [string, string[]];
    assert.is(cursor, '0');
    return keys.sort();
  };
  assert.equal(await all(), ['k1', 'k2', 'k3', 'klist', 'other']);
  assert.equal(await all('MATCH', 'k?'), ['k1', 'k2', 'k3']);
  assert.equal(await all('TYPE', 'LIST'), ['klist']);
  assert.equal(await all('MATCH', 'k*', 'TYPE', 'string'), ['k1', 'k2', 'k3']);
  assert.equal(await all('TYPE', 'nosuchtype'), []);
  for (const args of [['COUNT', '0'], ['COUNT', '-1'], ['MATCH'], ['FOO', 'bar']]) assert.is(await failure(r.call('SCAN', '0', ...args)), SYNTAX);
  assert.is(await failure(r.call('SCAN', '0', 'COUNT', 'abc')), NOT_INTEGER);
  for (const cursor of ['abc', ' 1', '0x', '18446744073709551616', '-18446744073709551616']) {
    assert.is(await failure(r.call('SCAN', cursor)), 'ERR invalid cursor', cursor);
  }
  for (const cursor of ['', '+0', '-0', '00', '18446744073709551615', '-1']) {
    const [next] = (await r.call('SCAN', cursor)) as [string, string[]];
    assert.type(next, 'string');
  }
  // Expired keys are skipped (and deleted) by SCAN.
  db().setExpire('other', Date.now() - 1);
  assert.equal(await all(), ['k1', 'k2', 'k3', 'klist']);
  assert.is(db().keys.has('other'), false);
});

test('SCAN returns every key present for the whole scan, under concurrent inserts and deletes', async () => {
  const original = Array.from({ length: 2000 }, (_, i) => `orig:${i}`);
  for (let i = 0; i < original.length; i += 500) await r.mset(...original.slice(i, i + 500).flatMap((k) => [k, 'v']));
  const seen = new Set<string>();
  let cursor = '0';
  let round = 0;
  let calls = 0;
  do {
    const [next, keys] = (await r.scan(cursor, 'COUNT', 25)) as [string, string[]];
    for (const key of keys) seen.add(key);
    cursor = next;
    calls++;
    // Grow the table a lot (rehashing to bigger sizes), and delete some of the new keys again.
    const added = Array.from({ length: 120 }, (_, i) => `new:${round}:${i}`);
    await r.mset(...added.flatMap((k) => [k, 'v']));
    await r.del(...added.filter((_, i) => i % 3 === 0));
    round++;
  } while (cursor !== '0');
  const missing = original.filter((key) => !seen.has(key));
  assert.equal(missing, [], `${missing.length} keys never returned in ${calls} calls`);
});

test('SCAN with shrinking table still returns every remaining original key', async () => {
  const keep = Array.from({ length: 300 }, (_, i) => `keep:${i}`);
  const drop = Array.from({ length: 3000 }, (_, i) => `drop:${i}`);
  await r.mset(...keep.flatMap((k) => [k, 'v']));
  for (let i = 0; i < drop.length; i += 500) await r.mset(...drop.slice(i, i + 500).flatMap((k) => [k, 'v']));
  const seen = new Set<string>();
  let cursor = '0';
  let next = 0;
  do {
    const [nextCursor, keys] = (await r.scan(cursor, 'COUNT', 20)) as [string, string[]];
    for (const key of keys) seen.add(key);
    cursor = nextCursor;
    if (next < drop.length) {
      await r.del(...drop.slice(next, next + 300));
      next += 300;
    }
  } while (cursor !== '0');
  assert.equal(
    keep.filter((key) => !seen.has(key)),
    [],
  );
});

test('ioredis scanStream and node-redis scanIterator see every key', async () => {
  const keys = Array.from({ length: 500 }, (_, i) => `it:${i}`);
  await r.mset(...keys.flatMap((k) => [k, 'v']));
  await r.set('other', 'x');
  const streamed = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    const stream = r.scanStream({ match: 'it:*', count: 50 });
    stream.on('data', (batch: string[]) => batch.forEach((k) => streamed.add(k)));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  assert.is(streamed.size, 500);
  const client = createClient({ socket: { port: s.port, host: '127.0.0.1', reconnectStrategy: false } });
  client.on('error', () => {});
  await client.connect();
  try {
    const iterated = new Set<string>();
    for await (const batch of client.scanIterator({ MATCH: 'it:*', COUNT: 50 })) for (const key of batch) iterated.add(key);
    assert.is(iterated.size, 500);
    assert.is(await client.type('other'), 'string');
    assert.is(await client.exists(['it:1', 'it:2', 'nosuch']), 2);
  } finally {
    await client.close();
  }
});

test('RANDOMKEY', async () => {
  assert.is(await r.randomkey(), null);
  await r.set('only', '1');
  assert.is(await r.randomkey(), 'only');
  await r.set('gone', '1');
  db().setExpire('gone', Date.now() - 1);
  for (let i = 0; i < 10; i++) assert.is(await r.randomkey(), 'only');
});

test('OBJECT ENCODING, REFCOUNT, IDLETIME, FREQ and HELP', async () => {
  putAllTypes();
  const encodings: [string, string][] = [
    ['s', 'embstr'],
    ['l', 'quicklist'],
    ['h', 'listpack'],
    ['st', 'intset'],
    ['z', 'listpack'],
  ];
  for (const [key, encoding] of encodings) assert.is(await r.object('ENCODING', key), encoding, key);
  assert.is(await r.object('ENCODING', 'nosuch'), null);
  const d = db();
  // Each change looks its key up first, as a command does: a snapshot under way hands the key out before it changes.
  const valueOf = <T>(key: string): T => d.keys.get(key)?.value as T;
  valueOf<Dict<Buffer>>('h').set('long', Buffer.alloc(65, 'x'));
  assert.is(await r.object('ENCODING', 'h'), 'hashtable');
  valueOf<Dict<Buffer>>('h').delete('long');
  assert.is(await r.object('ENCODING', 'h'), 'hashtable', 'conversions are one-way');
  valueOf<Dict<null>>('st').set('abc', null);
  assert.is(await r.object('ENCODING', 'st'), 'hashtable');
  const zset = valueOf<SortedSet>('z');
  for (let i = 0; i < 128; i++) zset.add(`m${i}`, i);
  assert.is(await r.object('ENCODING', 'z'), 'skiplist');

  await r.set('small', '100');
  await r.set('big', '12345');
  assert.is(await r.object('REFCOUNT', 'small'), 2147483647);
  assert.is(await r.object('REFCOUNT', 'big'), 1);
  await r.copy('small', 'small2');
  assert.is(await r.object('REFCOUNT', 'small2'), 1);
  assert.is(await r.object('ENCODING', 'small2'), 'int');
  assert.is(await r.object('REFCOUNT', 'nosuch'), null);

  d.keys.get('big')!.lru = Math.floor(Date.now() / 1000) - 5;
  const idle = (await r.object('IDLETIME', 'big')) as number;
  assert.ok(idle >= 4 && idle <= 6, String(idle));
  assert.ok(((await r.object('IDLETIME', 'big')) as number) >= 4, 'OBJECT does not touch the key');
  await r.get('big');
  assert.ok(((await r.object('IDLETIME', 'big')) as number) <= 1, 'GET touches the key');
  assert.is(
    await failure(r.object('FREQ', 'big')),
    'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  );
  assert.is(await r.object('FREQ', 'nosuch'), null);
  const help = (await r.object('HELP')) as string[];
  assert.is(help[0], 'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
  assert.is(help.length, 15);
  assert.is(await failure(r.call('OBJECT', 'FOO', 'big')), "ERR unknown subcommand 'FOO'. Try OBJECT HELP.");
});

test('MEMORY USAGE: Redis 7.0 figures for strings, estimates for the rest', async () => {
  await r.set('k', '5');
  assert.is(await r.memory('USAGE', 'k'), 48);
  await r.set('k', 'abc');
  assert.is(await r.memory('USAGE', 'k'), 64);
  await r.set('k'.repeat(59), 'abc' + 'd'.repeat(68));
  assert.is(await r.memory('USAGE', 'k'.repeat(59)), 184);
  await r.set('big', '1234567890'.repeat(5));
  await r.append('big', 'x');
  assert.is(await r.memory('USAGE', 'big'), 160);
  assert.is(await r.memory('USAGE', 'nosuch'), null);
  assert.is(await failure(r.call('MEMORY', 'USAGE', 'k', 'SAMPLES')), SYNTAX);
  assert.is(await failure(r.call('MEMORY', 'USAGE', 'k', 'SAMPLES', 'abc')), NOT_INTEGER);
  putAllTypes();
  for (const key of ['l', 'h', 'st', 'z']) {
    const usage = (await r.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) as number;
    assert.ok(usage > 40 && usage < 1000, `${key}: ${usage}`);
  }
});

test('EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX, XX, GT and LT', async () => {
  await r.set('k', 'v');
  assert.is(await r.ttl('k'), -1);
  assert.is(await r.pttl('k'), -1);
  assert.is(await r.expiretime('k'), -1);
  assert.is(await r.ttl('nosuch'), -2);
  assert.is(await r.call('PEXPIRETIME', 'nosuch'), -2);
  assert.is(await r.expire('nosuch', 100), 0);
  assert.is(await r.expire('k', 100, 'XX'), 0);
  assert.is(await r.expire('k', 100, 'GT'), 0);
  assert.is(await r.expire('k', 100, 'LT'), 1);
  assert.ok((await r.ttl('k')) > 98);
  const pttl = await r.pttl('k');
  assert.ok(pttl > 99000 && pttl <= 100000);
  assert.is(await r.persist('k'), 1);
  assert.is(await r.persist('k'), 0);
  assert.is(await r.pexpireat('k', 99999999999999, 'NX'), 1);
  assert.is(await r.pexpireat('k', 99999999999999, 'NX'), 0);
  assert.is(await r.pexpireat('k', 99999999999998, 'GT'), 0);
  assert.is(await r.pexpireat('k', 99999999999999, 'GT'), 0);
  assert.is(await r.pexpireat('k', 99999999999990, 'LT'), 1);
  assert.is(await r.call('PEXPIRETIME', 'k'), 99999999999990);
  assert.is(await r.pexpireat('k', 99999999999995, 'XX'), 1);
  assert.is(await r.call('EXPIREAT', 'k', '99999999999', 'lt'), 1);
  assert.is(await r.call('PEXPIRETIME', 'k'), 99999999999000);
  assert.is(await r.expiretime('k'), 99999999999);
  await r.pexpireat('k', 99999999999499);
  assert.is(await r.expiretime('k'), 99999999999, 'rounded to the nearest second');
  await r.pexpireat('k', 99999999999500);
  assert.is(await r.expiretime('k'), 100000000000);

  for (const flags of [['NX', 'XX'], ['XX', 'NX'], ['NX', 'GT'], ['LT', 'NX']]) {
    assert.is(await failure(r.call('EXPIRE', 'k', '100', ...flags)), 'ERR NX and XX, GT or LT options at the same time are not compatible');
  }
  assert.is(await failure(r.call('EXPIRE', 'k', '100', 'GT', 'LT')), 'ERR GT and LT options at the same time are not compatible');
  assert.is(await failure(r.call('EXPIRE', 'k', '100', 'FOO')), 'ERR Unsupported option FOO');
  assert.is(await failure(r.call('EXPIRE', 'k', 'abc', 'FOO')), 'ERR Unsupported option FOO', 'options are checked first');
  assert.is(await failure(r.call('EXPIRE', 'nosuch', '100', 'NX', 'XX')), 'ERR NX and XX, GT or LT options at the same time are not compatible');
  assert.is(await failure(r.call('EXPIRE', 'k', '1.5')), NOT_INTEGER);
  assert.is(await failure(r.call('PEXPIREAT', 'k', '1e3')), NOT_INTEGER);
});

test('expiry times: overflow errors, exact far-future times, past times delete', async () => {
  await r.set('k', 'v');
  for (const [command, time] of [
    ['EXPIRE', '9223372036854775807'],
    ['EXPIRE', '-9223372036854775807'],
    ['EXPIRE', '9223372036854775'],
    ['PEXPIRE', '9223372036854775807'],
    ['EXPIREAT', '9223372036854775807'],
    ['EXPIREAT', '9223372036854776'],
  ]) {
    assert.is(await failure(r.call(command, 'k', time)), `ERR invalid expire time in '${command.toLowerCase()}' command`, `${command} ${time}`);
  }
  assert.is(await r.call('EXPIREAT', 'k', '9223372036854775'), 1);
  assert.is(getExpireExact(db(), 'k'), 9223372036854775000n);
  assert.is(await r.call('PEXPIREAT', 'k', '9223372036854775807'), 1);
  assert.is(getExpireExact(db(), 'k'), 9223372036854775807n);
  await r.rename('k', 'k2');
  assert.is(getExpireExact(db(), 'k2'), 9223372036854775807n, 'RENAME keeps the exact time');
  await r.set('k', 'v');
  for (const [command, time] of [
    ['EXPIRE', '0'],
    ['EXPIRE', '-1'],
    ['PEXPIRE', '-100'],
    ['EXPIREAT', '1'],
    ['PEXPIREAT', '1000'],
    ['PEXPIRE', '-9223372036854775808'],
    ['PEXPIREAT', '-9223372036854775808'],
  ]) {
    await r.set('k', 'v');
    assert.is(await r.call(command, 'k', time), 1, `${command} ${time}`);
    assert.is(await r.exists('k'), 0, `${command} ${time} deletes`);
  }
  await r.set('k', 'v');
  assert.is(await r.call('EXPIRE', 'k', '-1', 'GT'), 0);
  assert.is(await r.exists('k'), 1);
  assert.is(await r.call('EXPIRE', 'k', '-1', 'NX'), 1);
  assert.is(await r.exists('k'), 0);
});

test('keys expire lazily on access and actively in the background', async () => {
  const expiredBefore = s.server.stats.expiredKeys;
  await r.set('lazy', 'v', 'PX', 20);
  assert.is(await r.get('lazy'), 'v');
  await sleep(40);
  // Whether or not the background cycle got there first, the key is gone to every reader.
  assert.is(await r.get('lazy'), null);
  assert.is(await r.exists('lazy'), 0);
  assert.is(await r.ttl('lazy'), -2);
  assert.is(db().keys.has('lazy'), false);

  // Lazy: a key past its time is still stored until something touches it.
  db().put('stale', 'string', Buffer.from('v'));
  db().setExpire('stale', Date.now() + 1_000_000);
  db().setExpire('stale', Date.now() - 1);
  s.server.keyspace.now = Date.now();
  assert.is(db().keys.has('stale'), true);
  assert.is(await r.get('stale'), null);
  assert.is(db().keys.has('stale'), false);

  // Active: never read, gone anyway.
  const keys = Array.from({ length: 200 }, (_, i) => `active:${i}`);
  for (const key of keys) await r.set(key, 'v', 'PX', 10);
  await r.set('stays', 'v', 'PX', 100000);
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && db().size > 1) await sleep(50);
  assert.is(db().size, 1);
  assert.ok(db().keys.has('stays'));
  assert.ok(s.server.stats.expiredKeys - expiredBefore >= 202);
});

test('log records: expiry is logged absolute, deletions as DEL, other writes as themselves', async () => {
  await r.mset('a', '1', 'b', '2', 'c', '3', 'd', '4');
  const log = captureLog(s.server);
  try {
    const before = Date.now();
    await r.expire('a', 100);
    await r.pexpire('b', 100000);
    const after = Date.now();
    await r.expireat('c', 99999999999);
    await r.pexpireat('d', 99999999999999, 'NX');
    await r.call('EXPIRE', 'd', '100', 'NX'); // not applied: not logged
    await r.expire('nosuch', 100); // no key: not logged
    await r.persist('d');
    await r.persist('d'); // nothing to remove: not logged
    await r.expire('d', -1);
    await r.rename('c', 'c2');
    await r.copy('c2', 'c3');
    await r.move('c3', 2);
    await r.del('c2', 'nosuch');
    await r.del('nosuch'); // nothing deleted: not logged
    await r.ttl('a');
    await r.keys('*');
    const commands = commandsOf(log);
    for (const i of [0, 1]) {
      const at = Number(commands[i][2]);
      assert.is(commands[i][0], 'PEXPIREAT');
      assert.ok(at >= before + 100000 && at <= after + 100000, commands[i].join(' '));
      commands[i][2] = '<t>';
    }
    assert.equal(commands, [
      ['PEXPIREAT', 'a', '<t>'],
      ['PEXPIREAT', 'b', '<t>'],
      ['PEXPIREAT', 'c', '99999999999000'],
      ['PEXPIREAT', 'd', '99999999999999'],
      ['PERSIST', 'd'],
      ['DEL', 'd'],
      ['RENAME', 'c', 'c2'],
      ['COPY', 'c2', 'c3'],
      ['MOVE', 'c3', '2'],
      ['DEL', 'c2', 'nosuch'],
    ]);
    await r.set('soon', 'v');
    log.clear();
    db().setExpire('soon', Date.now() - 1);
    assert.is(await r.exists('soon'), 0);
    assert.equal(commandsOf(log), [['DEL', 'soon']], 'an expired key is logged as DEL');
  } finally {
    log.restore();
  }
});

test('lookups count INFO keyspace hits and misses as Redis does', async () => {
  await r.set('k', 'v');
  const stats = s.server.stats;
  const counts = () => [stats.keyspaceHits, stats.keyspaceMisses];
  const delta = async (run: () => Promise<unknown>) => {
    const [h, m] = counts();
    await run();
    const [h2, m2] = counts();
    return [h2 - h, m2 - m];
  };
  assert.equal(await delta(() => r.exists('k', 'nosuch')), [1, 1]);
  assert.equal(await delta(() => r.type('k')), [1, 0]);
  assert.equal(await delta(() => r.ttl('nosuch')), [0, 1]);
  assert.equal(await delta(() => r.touch('k', 'nosuch')), [1, 1]);
  assert.equal(await delta(() => r.copy('k', 'k2')), [1, 0]);
  assert.equal(await delta(() => r.call('SCAN', '0', 'TYPE', 'string')), [2, 0]);
  assert.equal(await delta(() => r.scan('0')), [0, 0]);
  assert.equal(await delta(() => r.keys('*')), [0, 0]);
  assert.equal(await delta(() => r.rename('k2', 'k3')), [0, 0]);
  assert.equal(await delta(() => r.expire('k', 100)), [0, 0]);
  assert.equal(await delta(() => r.memory('USAGE', 'k')), [0, 0]);
});

test.run();
