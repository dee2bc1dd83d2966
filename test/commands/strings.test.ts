// String commands through real clients (ioredis 5, node-redis 5) against an
// in-process VelocityDB: replies, errors, TTLs, encodings and log records.
// Byte-exact replies are compared with redis-server by compat/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from 'node:net';
import { Redis } from 'ioredis5';
import { createClient } from 'redis5';
import { Deque } from '../../src/store/deque.js';
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

/** Sends raw RESP and returns the reply bytes once `until` matches them. */
function raw(request: string, until: (reply: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: s.port, host: '127.0.0.1' }, () => socket.write(request));
    let reply = '';
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (until(reply)) {
        socket.destroy();
        resolve(reply);
      }
    });
    socket.on('error', reject);
  });
}

function putList(key: string): void {
  s.server.keyspace.databases[0].put(key, 'list', new Deque([Buffer.from('x')]));
}

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const SYNTAX = 'ERR syntax error';
const NOT_INTEGER = 'ERR value is not an integer or out of range';

test('GET and SET round-trip binary values and count hits and misses', async () => {
  const stats = s.server.stats;
  const hits = stats.keyspaceHits;
  const misses = stats.keyspaceMisses;
  assert.is(await r.get('nosuch'), null);
  const bytes = Buffer.from([0, 255, 13, 10, 1, 2, 3]);
  assert.is(await r.set('bin', bytes), 'OK');
  assert.equal(await r.getBuffer('bin'), bytes);
  assert.is(await r.set('empty', ''), 'OK');
  assert.is(await r.get('empty'), '');
  assert.is(stats.keyspaceHits - hits, 2);
  assert.is(stats.keyspaceMisses - misses, 1);
  assert.is(await failure(r.call('GET')), "ERR wrong number of arguments for 'get' command");
});

test('a value overwritten in place by one of the same length: copies, replies and encodings keep what they saw', async () => {
  const db = s.server.keyspace.databases[0];
  await r.set('a', 'xxx');
  const stored = db.keys.get('a')?.value;
  // One pipeline: the replies to the GETs were written before the SETs overwrote the bytes.
  const replies = await r.pipeline().get('a').set('a', 'yyy').get('a').getset('a', 'zzz').get('a').exec();
  assert.equal(replies?.map(([, reply]) => reply), ['xxx', 'OK', 'yyy', 'yyy', 'zzz']);
  assert.is(db.keys.get('a')?.value, stored, 'the same value, overwritten in place');

  assert.is(await r.copy('a', 'b'), 1);
  await r.set('a', 'www');
  assert.is(await r.get('b'), 'zzz', 'COPY copied the bytes');

  await r.rpush('ids', '1');
  await r.set('w_1', 'aaa');
  assert.is(await r.sort('ids', 'BY', 'nosort', 'GET', 'w_*', 'STORE', 'sorted'), 1);
  await r.set('w_1', 'bbb');
  assert.equal(await r.lrange('sorted', 0, -1), ['aaa'], 'SORT ... STORE copied the bytes');

  await r.set('n', '123');
  assert.is(await r.incr('n'), 124);
  assert.is(await r.set('n', 'abc'), 'OK');
  assert.is(await r.object('ENCODING', 'n'), 'embstr');
  assert.is(await r.set('n', '456'), 'OK');
  assert.is(await r.object('ENCODING', 'n'), 'int');
  assert.is(await r.incrbyfloat('f', '1.5'), '1.5');
  await r.set('f', '789');
  assert.is(await r.object('ENCODING', 'f'), 'int', 'an INCRBYFLOAT result is replaced, not overwritten');
  await r.append('f', '0');
  await r.set('f', 'abcd');
  assert.is(await r.object('ENCODING', 'f'), 'embstr', 'an appended value is replaced, not overwritten');
  await r.set('t', 'old', 'EX', 100);
  await r.set('t', 'new');
  assert.is(await r.ttl('t'), -1, 'SET drops the TTL');
});

test('SET overwrites any type and drops the TTL', async () => {
  putList('l');
  assert.is(await r.set('l', 'v'), 'OK');
  assert.is(await r.get('l'), 'v');
  await r.set('t', 'v', 'EX', 100);
  await r.set('t', 'w');
  assert.is(await r.ttl('t'), -1);
});

test('SET NX, XX and GET in every combination', async () => {
  assert.is(await r.set('k', 'v', 'XX'), null);
  assert.is(await r.get('k'), null);
  assert.is(await r.set('k', 'v', 'NX'), 'OK');
  assert.is(await r.set('k', 'w', 'NX'), null);
  assert.is(await r.set('k', 'w', 'XX'), 'OK');
  assert.is(await r.call('SET', 'k', 'x', 'GET'), 'w');
  assert.is(await r.call('SET', 'new', 'x', 'GET'), null);
  assert.is(await r.get('new'), 'x');
  assert.is(await r.call('SET', 'k', 'y', 'NX', 'GET'), 'x');
  assert.is(await r.get('k'), 'x');
  assert.is(await r.call('SET', 'k', 'y', 'XX', 'GET'), 'x');
  assert.is(await r.get('k'), 'y');
  assert.is(await r.call('SET', 'fresh', 'v', 'NX', 'GET'), null);
  assert.is(await r.get('fresh'), 'v');
  assert.is(await r.call('SET', 'gone', 'v', 'XX', 'GET'), null);
  assert.is(await r.exists('gone'), 0);
  for (const args of [['NX', 'XX'], ['XX', 'NX'], ['EX', '10', 'PX', '10'], ['KEEPTTL', 'EX', '10'], ['EX', '10', 'KEEPTTL'], ['FOO'], ['EX'], ['PERSIST']]) {
    assert.is(await failure(r.call('SET', 'k', 'v', ...args)), SYNTAX, args.join(' '));
  }
  // Options may repeat; the last expiry wins.
  assert.is(await r.call('SET', 'k', 'v', 'XX', 'XX', 'GET', 'GET'), 'y');
  assert.is(await r.call('SET', 'k', 'v', 'EX', '10', 'EX', '1000'), 'OK');
  assert.ok((await r.ttl('k')) > 900);
  // Options are read as C strings, as Redis does.
  assert.is(await r.call('SET', 'k', 'v', Buffer.from('XX\0junk')), 'OK');
  putList('list');
  assert.is(await failure(r.call('SET', 'list', 'v', 'GET')), WRONGTYPE);
  assert.is(await r.type('list'), 'list');
});

test('SET expiry options and their errors', async () => {
  await r.set('k', 'v', 'EX', 100);
  const ttl = await r.ttl('k');
  assert.ok(ttl > 98 && ttl <= 100, String(ttl));
  await r.set('k', 'v', 'PX', 100000);
  const pttl = await r.pttl('k');
  assert.ok(pttl > 99000 && pttl <= 100000, String(pttl));
  await r.set('k', 'v', 'EXAT', 99999999999);
  assert.is(await r.call('PEXPIRETIME', 'k'), 99999999999000);
  await r.set('k', 'v', 'PXAT', 99999999999999);
  assert.is(await r.call('PEXPIRETIME', 'k'), 99999999999999);
  await r.set('k', 'other', 'KEEPTTL');
  assert.is(await r.call('PEXPIRETIME', 'k'), 99999999999999);
  assert.is(await r.get('k'), 'other');
  // Beyond 2^53 the absolute time stays exact.
  await r.call('SET', 'k', 'v', 'PXAT', '9223372036854775807');
  const exact = await raw('*2\r\n$11\r\nPEXPIRETIME\r\n$1\r\nk\r\n', (reply) => reply.endsWith('\r\n'));
  assert.is(exact, ':9223372036854775807\r\n');
  for (const args of [['EX', '0'], ['EX', '-1'], ['PX', '0'], ['PX', '-100'], ['EXAT', '0'], ['PXAT', '0'], ['EX', '9223372036854775807'], ['EX', '9223372036854775'], ['PX', '9223372036854775807']]) {
    assert.is(await failure(r.call('SET', 'k', 'v', ...args)), "ERR invalid expire time in 'set' command", args.join(' '));
  }
  assert.is(await failure(r.call('SET', 'k', 'v', 'EX', '1.5')), NOT_INTEGER);
  assert.is(await failure(r.call('SET', 'k', 'v', 'EX', '')), NOT_INTEGER);
  // A time already past: the key is set, then gone.
  assert.is(await r.call('SET', 'k', 'v', 'PXAT', '1'), 'OK');
  assert.is(await r.get('k'), null);
});

test('SETNX, SETEX and PSETEX', async () => {
  assert.is(await r.setnx('sn', '1'), 1);
  assert.is(await r.setnx('sn', '2'), 0);
  assert.is(await r.get('sn'), '1');
  assert.is(await r.setex('se', 100, 'v'), 'OK');
  assert.ok((await r.ttl('se')) > 98);
  assert.is(await failure(r.setex('se', 0, 'v')), "ERR invalid expire time in 'setex' command");
  assert.is(await failure(r.call('SETEX', 'se', '9223372036854775807', 'v')), "ERR invalid expire time in 'setex' command");
  assert.is(await failure(r.call('SETEX', 'se', 'abc', 'v')), NOT_INTEGER);
  assert.is(await r.psetex('pse', 100000, 'v'), 'OK');
  assert.ok((await r.pttl('pse')) > 99000);
  assert.is(await failure(r.psetex('pse', -5, 'v')), "ERR invalid expire time in 'psetex' command");
  assert.is(await r.get('pse'), 'v');
});

test('GETSET, GETDEL and GETEX', async () => {
  assert.is(await r.getset('gs', '1'), null);
  await r.expire('gs', 100);
  assert.is(await r.getset('gs', '2'), '1');
  assert.is(await r.ttl('gs'), -1);
  assert.is(await r.getdel('gs'), '2');
  assert.is(await r.getdel('gs'), null);
  assert.is(await r.exists('gs'), 0);

  await r.set('gx', 'v');
  assert.is(await r.getex('gx'), 'v');
  assert.is(await r.ttl('gx'), -1);
  assert.is(await r.getex('gx', 'EX', 100), 'v');
  assert.ok((await r.ttl('gx')) > 98);
  assert.is(await r.getex('gx', 'PERSIST'), 'v');
  assert.is(await r.ttl('gx'), -1);
  assert.is(await r.getex('gx', 'PX', 100000), 'v');
  assert.ok((await r.pttl('gx')) > 99000);
  assert.is(await r.getex('gx', 'EXAT', 99999999999), 'v');
  assert.is(await r.call('PEXPIRETIME', 'gx'), 99999999999000);
  assert.is(await r.getex('gx', 'PXAT', 99999999999999), 'v');
  assert.is(await r.call('PEXPIRETIME', 'gx'), 99999999999999);
  assert.is(await r.getex('nosuch', 'EX', 100), null);
  assert.is(await failure(r.call('GETEX', 'gx', 'EX', '0')), "ERR invalid expire time in 'getex' command");
  assert.is(await failure(r.call('GETEX', 'gx', 'EX', '9223372036854775807')), "ERR invalid expire time in 'getex' command");
  for (const args of [['EX'], ['EX', '100', 'PX', '100'], ['EX', '100', 'PERSIST'], ['PERSIST', 'EX', '100'], ['KEEPTTL'], ['NX'], ['GET'], ['FOO']]) {
    assert.is(await failure(r.call('GETEX', 'gx', ...args)), SYNTAX, args.join(' '));
  }
  assert.is(await r.call('GETEX', 'gx', 'PERSIST', 'PERSIST'), 'v');
  // A time already past deletes the key after answering its value.
  assert.is(await r.call('GETEX', 'gx', 'PXAT', '1'), 'v');
  assert.is(await r.exists('gx'), 0);
  putList('list');
  for (const command of [r.getset('list', 'v'), r.getdel('list'), r.getex('list')]) assert.is(await failure(command), WRONGTYPE);
});

test('MGET, MSET and MSETNX', async () => {
  assert.is(await r.mset('a', '1', 'b', '2', 'c', '3'), 'OK');
  assert.equal(await r.mget('a', 'nosuch', 'c'), ['1', null, '3']);
  putList('list');
  assert.equal(await r.mget('a', 'list', 'b'), ['1', null, '2']);
  assert.is(await failure(r.call('MSET', 'a', '1', 'b')), "ERR wrong number of arguments for 'mset' command");
  assert.is(await failure(r.call('MSETNX', 'x')), "ERR wrong number of arguments for 'msetnx' command");
  await r.mset('a', '1', 'a', '2');
  assert.is(await r.get('a'), '2');
  assert.is(await r.msetnx('a', '1', 'z', '26'), 0);
  assert.is(await r.get('z'), null);
  assert.is(await r.msetnx('x', '1', 'y', '2'), 1);
  assert.equal(await r.mget('x', 'y'), ['1', '2']);
  assert.is(await r.msetnx('n1', '1', 'n1', '2'), 1);
  assert.is(await r.get('n1'), '2');
  assert.is(await r.msetnx('list', 'v'), 0);
});

test('APPEND and STRLEN; appending never changes bytes an earlier value showed', async () => {
  assert.is(await r.append('ap', 'hello'), 5);
  assert.is(await r.append('ap', ' world'), 11);
  assert.is(await r.get('ap'), 'hello world');
  assert.is(await r.append('ap', ''), 11);
  assert.is(await r.strlen('ap'), 11);
  assert.is(await r.strlen('nosuch'), 0);
  await r.set('num', '12345');
  assert.is(await r.strlen('num'), 5);
  assert.is(await r.append('num', '6'), 6);
  assert.is(await r.get('num'), '123456');

  const db = s.server.keyspace.databases[0];
  const before = db.keys.get('ap')?.value as Buffer;
  const snapshot = Buffer.from(before);
  let expected = 'hello world';
  for (let i = 0; i < 500; i++) {
    const piece = `-${i}`;
    expected += piece;
    await r.append('ap', piece);
  }
  assert.is(await r.get('ap'), expected);
  assert.equal(before, snapshot, 'the earlier value is unchanged');
  // A copy shares the value: appending to one leaves the other alone.
  await r.call('COPY', 'ap', 'ap2');
  await r.append('ap', '!');
  await r.append('ap2', '?');
  assert.is(await r.get('ap'), `${expected}!`);
  assert.is(await r.get('ap2'), `${expected}?`);
  putList('list');
  assert.is(await failure(r.append('list', 'x')), WRONGTYPE);
  assert.is(await failure(r.strlen('list')), WRONGTYPE);
});

test('APPEND and SETRANGE respect proto-max-bulk-len', async () => {
  const limit = s.server.config.protoMaxBulkLen;
  s.server.config.protoMaxBulkLen = 1024 * 1024;
  try {
    await r.set('big', Buffer.alloc(1024 * 1024 - 1, 'a'));
    assert.is(await r.append('big', 'b'), 1024 * 1024);
    assert.is(await failure(r.append('big', 'c')), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    assert.is(await failure(r.setrange('big', 1024 * 1024, 'x')), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    assert.is(await r.setrange('big', 1024 * 1024 - 1, 'x'), 1024 * 1024);
  } finally {
    s.server.config.protoMaxBulkLen = limit;
  }
  assert.is(await failure(r.setrange('sr', 536870912, 'x')), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
  assert.is(await failure(r.call('SETRANGE', 'sr', '9223372036854775807', 'x')), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
  assert.is(await r.setrange('sr', 536870912, ''), 0);
});

test('GETRANGE, SUBSTR and SETRANGE', async () => {
  await r.set('r', 'Hello World');
  const cases: [number | string, number | string, string][] = [
    [0, 4, 'Hello'],
    [-5, -1, 'World'],
    [0, -1, 'Hello World'],
    [0, 100, 'Hello World'],
    [5, 3, ''],
    [-100, 2, 'Hel'],
    [-100, -50, 'H'],
    [100, 200, ''],
    [-1, -5, ''],
    [10, 10, 'd'],
    [11, 11, ''],
    [3, -100, ''],
    ['-9223372036854775808', '9223372036854775807', 'Hello World'],
    ['-9223372036854775807', '-9223372036854775808', ''],
  ];
  for (const [start, end, want] of cases) assert.is(await r.getrange('r', start as number, end as number), want, `${start} ${end}`);
  assert.is(await r.call('SUBSTR', 'r', '0', '4'), 'Hello');
  assert.is(await r.getrange('nosuch', 0, -1), '');
  assert.is(await failure(r.call('GETRANGE', 'r', 'a', '1')), NOT_INTEGER);
  assert.is(await failure(r.call('GETRANGE', 'r', '0', '9223372036854775808')), NOT_INTEGER);

  assert.is(await r.setrange('sr', 0, 'hello'), 5);
  assert.is(await r.setrange('sr', 6, 'world'), 11);
  assert.equal(await r.getBuffer('sr'), Buffer.from('hello\0world'));
  assert.is(await r.setrange('sr', 0, 'J'), 11);
  assert.is(await r.get('sr'), 'Jello\0world');
  assert.is(await r.setrange('pad', 3, 'x'), 4);
  assert.equal(await r.getBuffer('pad'), Buffer.from('\0\0\0x'));
  assert.is(await r.setrange('sr', 0, ''), 11);
  assert.is(await r.setrange('nosuch', 10, ''), 0);
  assert.is(await r.exists('nosuch'), 0);
  assert.is(await failure(r.setrange('sr', -1, 'x')), 'ERR offset is out of range');
  await r.set('n', '42');
  assert.is(await r.setrange('n', 1, '9'), 2);
  assert.is(await r.get('n'), '49');
  putList('list');
  assert.is(await failure(r.getrange('list', 0, 1)), WRONGTYPE);
  assert.is(await failure(r.setrange('list', 0, 'x')), WRONGTYPE);
});

test('INCR, DECR, INCRBY and DECRBY: exact int64, overflow, TTL kept', async () => {
  assert.is(await r.incr('c'), 1);
  assert.is(await r.decr('c'), 0);
  assert.is(await r.decr('c'), -1);
  assert.is(await r.incrby('c', 10), 9);
  assert.is(await r.decrby('c', -100), 109);
  await r.set('c', '9223372036854775806');
  await r.incr('c');
  assert.is(await r.get('c'), '9223372036854775807');
  assert.is(await failure(r.incr('c')), 'ERR increment or decrement would overflow');
  assert.is(await r.call('INCRBY', 'c', '-9223372036854775807'), 0);
  await r.set('c', '-9223372036854775807');
  await r.decr('c');
  assert.is(await r.get('c'), '-9223372036854775808');
  assert.is(await failure(r.decr('c')), 'ERR increment or decrement would overflow');
  await r.set('c', '0');
  assert.is(await failure(r.call('DECRBY', 'c', '-9223372036854775808')), 'ERR decrement would overflow');
  await r.call('INCRBY', 'c', '-9223372036854775808');
  assert.is(await r.get('c'), '-9223372036854775808');
  await r.set('c', '9007199254740993');
  assert.is(await r.incr('c').then(() => r.get('c')), '9007199254740994');
  for (const bad of ['abc', '1.5', ' 1', '1 ', '+1', '01', '-0', '9223372036854775808', '', '00']) {
    await r.set('c', bad);
    assert.is(await failure(r.incr('c')), NOT_INTEGER, JSON.stringify(bad));
  }
  assert.is(await failure(r.call('INCRBY', 'c', '1.5')), NOT_INTEGER);
  // Across every change of length, both signs: the digits are written into the value.
  await r.set('c', '-11');
  for (const [by, expected] of [[2, '-9'], [9, '0'], [9, '9'], [1, '10'], [89, '99'], [1, '100'], [-200, '-100'], [99, '-1'], [999999999999999, '999999999999998'], [2, '1000000000000000'], [-1, '999999999999999']] as const) {
    assert.is(await r.incrby('c', by), Number(expected));
    assert.is(await r.get('c'), expected);
  }
  await r.set('t', '5', 'EX', 100);
  assert.is(await r.incr('t'), 6);
  assert.ok((await r.ttl('t')) > 98);
  putList('list');
  assert.is(await failure(r.incr('list')), WRONGTYPE);
  assert.is(await failure(r.decrby('list', 1)), WRONGTYPE);
});

test('INCRBYFLOAT: x87 long double results and errors', async () => {
  const steps: [string, string][] = [
    ['10.5', '10.5'],
    ['0.1', '10.6'],
    ['-5', '5.6'],
    ['5.0e3', '5005.60000000000000009'],
    ['3e-5', '5005.60003000000000029'],
  ];
  for (const [incr, want] of steps) assert.is(await r.incrbyfloat('f', incr), want, incr);
  assert.is(await r.get('f'), '5005.60003000000000029');
  await r.set('f', '1.1');
  assert.is(await r.incrbyfloat('f', '2.2'), '3.3');
  await r.set('f', '5');
  assert.is(await failure(r.call('INCRBYFLOAT', 'f', 'inf')), 'ERR increment would produce NaN or Infinity');
  for (const bad of ['abc', '', ' 1', 'nan', '1.5.5']) assert.is(await failure(r.call('INCRBYFLOAT', 'f', bad)), 'ERR value is not a valid float', bad);
  await r.set('f', 'abc');
  assert.is(await failure(r.incrbyfloat('f', '1')), 'ERR value is not a valid float');
  assert.is(await r.incrbyfloat('nosuchfloat', '-2.5'), '-2.5');
  await r.set('t', '1.5', 'EX', 100);
  assert.is(await r.incrbyfloat('t', '1.5'), '3');
  assert.ok((await r.ttl('t')) > 98);
  assert.is(await r.object('ENCODING', 't'), 'embstr');
  putList('list');
  assert.is(await failure(r.incrbyfloat('list', '1')), WRONGTYPE);
});

test('LCS: string, LEN, IDX with MINMATCHLEN and WITHMATCHLEN, errors', async () => {
  await r.mset('key1', 'ohmytext', 'key2', 'mynewtext');
  assert.is(await r.call('LCS', 'key1', 'key2'), 'mytext');
  assert.is(await r.call('LCS', 'key1', 'key2', 'LEN'), 6);
  assert.equal(await r.call('LCS', 'key1', 'key2', 'IDX'), [
    'matches',
    [
      [
        [4, 7],
        [5, 8],
      ],
      [
        [2, 3],
        [0, 1],
      ],
    ],
    'len',
    6,
  ]);
  assert.equal(await r.call('LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'), ['matches', [[[4, 7], [5, 8], 4]], 'len', 6]);
  await r.mset('a1', 'ABCBDAB', 'b1', 'BDCABA');
  assert.is(await r.call('LCS', 'a1', 'b1'), 'BDAB');
  assert.is(await r.call('LCS', 'key1', 'nosuch'), '');
  assert.is(await r.call('LCS', 'nosuch', 'nosuch2', 'LEN'), 0);
  assert.is(await failure(r.call('LCS', 'key1', 'key2', 'LEN', 'IDX')), 'ERR If you want both the length and indexes, please just use IDX.');
  assert.is(await failure(r.call('LCS', 'key1', 'key2', 'FOO')), SYNTAX);
  assert.is(await failure(r.call('LCS', 'key1', 'key2', 'MINMATCHLEN')), SYNTAX);
  assert.is(await failure(r.call('LCS', 'key1', 'key2', 'MINMATCHLEN', 'abc')), NOT_INTEGER);
  putList('list');
  assert.is(await failure(r.call('LCS', 'key1', 'list')), 'ERR The specified keys must contain string values');
  // RESP3: IDX answers a map.
  const reply = await raw('*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n*5\r\n$3\r\nLCS\r\n$4\r\nkey1\r\n$4\r\nkey2\r\n$3\r\nIDX\r\n$12\r\nWITHMATCHLEN\r\n', (text) =>
    text.endsWith('$3\r\nlen\r\n:6\r\n'),
  );
  assert.ok(
    reply.endsWith('%2\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n'),
    JSON.stringify(reply),
  );
});

test('OBJECT ENCODING of strings follows Redis: int, embstr, raw after APPEND/SETRANGE', async () => {
  const cases: [string, string][] = [
    ['12345', 'int'],
    ['-5', 'int'],
    ['0123', 'embstr'],
    ['1.5', 'embstr'],
    ['12345678901234567890', 'embstr'],
    ['9223372036854775807', 'int'],
    ['x'.repeat(44), 'embstr'],
    ['x'.repeat(45), 'raw'],
  ];
  for (const [value, encoding] of cases) {
    await r.set('e', value);
    assert.is(await r.object('ENCODING', 'e'), encoding, value);
  }
  await r.set('e', 'abc');
  await r.append('e', '');
  assert.is(await r.object('ENCODING', 'e'), 'raw');
  await r.set('e', '10');
  await r.incr('e');
  assert.is(await r.object('ENCODING', 'e'), 'int');
  await r.set('e', 'abc');
  await r.setrange('e', 1, 'x');
  assert.is(await r.object('ENCODING', 'e'), 'raw');
  await r.append('new', '5');
  assert.is(await r.object('ENCODING', 'new'), 'int');
});

test('node-redis 5 drives the string commands', async () => {
  const client = createClient({ socket: { port: s.port, host: '127.0.0.1', reconnectStrategy: false } });
  client.on('error', () => {});
  await client.connect();
  try {
    assert.is(await client.set('nr', 'v', { EX: 100 }), 'OK');
    assert.ok((await client.ttl('nr')) > 98);
    assert.is(await client.set('nr', 'w', { NX: true }), null);
    assert.is(await client.set('nr', 'w', { XX: true, GET: true }), 'v');
    assert.is(await client.getEx('nr', { PERSIST: true }), 'w');
    assert.is(await client.ttl('nr'), -1);
    assert.is(await client.mSet({ a: '1', b: '2' }), 'OK');
    assert.equal(await client.mGet(['a', 'b', 'c']), ['1', '2', null]);
    assert.is(await client.incrBy('a', 41), 42);
    assert.is(await client.incrByFloat('b', 0.5), '2.5');
    assert.is(await client.append('a', 'x'), 3);
    assert.is(await client.getRange('a', 0, 1), '42');
    assert.is(await client.getDel('a'), '42x');
    assert.is(await client.lcs('nr', 'b'), '');
  } finally {
    await client.close();
  }
});

test('log records: relative expiry is logged absolute, effects replace commands', async () => {
  const log = captureLog(s.server);
  try {
    const before = Date.now();
    await r.set('k', 'v', 'EX', 10);
    await r.setex('k2', 10, 'v');
    await r.psetex('k3', 10000, 'v');
    await r.set('k4', 'v', 'PX', 10000, 'GET');
    const after = Date.now();
    const timed = commandsOf(log);
    assert.equal(
      timed.map((argv) => argv.slice(0, 4)),
      [
        ['SET', 'k', 'v', 'PXAT'],
        ['SET', 'k2', 'v', 'PXAT'],
        ['SET', 'k3', 'v', 'PXAT'],
        ['SET', 'k4', 'v', 'PXAT'],
      ],
    );
    for (const argv of timed) {
      const at = Number(argv[4]);
      assert.ok(at >= before + 10000 && at <= after + 10000, `${argv.join(' ')} in [${before + 10000}, ${after + 10000}]`);
      assert.is(argv.length, 5);
    }
    log.clear();

    await r.set('plain', 'v');
    await r.set('plain', 'w', 'NX'); // no change: not logged
    await r.get('plain'); // a read: not logged
    await r.set('p', 'v', 'PXAT', 99999999999999);
    await r.set('p', 'w', 'KEEPTTL');
    await r.mset('m1', '1', 'm2', '2');
    await r.append('plain', 'x');
    await r.incr('n');
    await r.incrbyfloat('n', '1.5');
    await r.getdel('n');
    await r.getdel('n'); // nothing deleted: not logged
    await r.getex('p', 'EX', 100);
    await r.getex('p', 'PERSIST');
    await r.getex('p', 'PERSIST'); // no TTL left: not logged
    await r.getex('p', 'EXAT', 99999999999);
    await r.call('GETEX', 'p', 'PXAT', '1');
    await r.setrange('sr', 2, 'ab');
    const commands = commandsOf(log);
    const getexAt = commands[8];
    assert.is(getexAt[0], 'PEXPIREAT');
    assert.ok(Math.abs(Number(getexAt[2]) - (Date.now() + 100000)) < 5000);
    getexAt[2] = '<t>';
    assert.equal(commands, [
      ['SET', 'plain', 'v'],
      ['SET', 'p', 'v', 'PXAT', '99999999999999'],
      ['SET', 'p', 'w', 'KEEPTTL'],
      ['MSET', 'm1', '1', 'm2', '2'],
      ['APPEND', 'plain', 'x'],
      ['INCR', 'n'],
      ['SET', 'n', '2.5', 'KEEPTTL'],
      ['DEL', 'n'],
      ['PEXPIREAT', 'p', '<t>'],
      ['PERSIST', 'p'],
      ['PEXPIREAT', 'p', '99999999999000'],
      ['DEL', 'p'],
      ['SETRANGE', 'sr', '2', 'ab'],
    ]);
  } finally {
    log.restore();
  }
});

test('log records: an expired key is logged as DEL', async () => {
  await r.set('soon', 'v');
  const log = captureLog(s.server);
  try {
    // Past its time: the background cycle or the next access deletes it, logging a DEL either way.
    s.server.keyspace.databases[0].setExpire('soon', Date.now() - 1);
    assert.is(await r.set('soon', 'w', 'XX'), null);
    assert.equal(commandsOf(log), [['DEL', 'soon']]);
  } finally {
    log.restore();
  }
});

test.run();
