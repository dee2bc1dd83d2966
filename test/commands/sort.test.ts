// SORT and SORT_RO through real clients (ioredis 5 RESP2, ioredis 6 and
// node-redis 6 RESP3) against an in-process VelocityDB, on lists, sets and
// sorted sets (sets, sorted sets and hashes are put into the keyspace
// directly), plus strtod's reading of scores and what STORE logs. Byte-exact
// replies are compared with redis-server by compat/scripts/sort.txt.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sortScore } from '../../src/commands/sort.js';
import { Dict } from '../../src/store/dict.js';
import { SortedSet } from '../../src/store/sorted-set.js';
import { captureLog } from '../helpers/log-capture.js';
import { failure, withClients } from '../helpers/clients.js';

const clients = withClients(test);

function putSet(key: string, members: string[]): void {
  const set = new Dict<null>();
  for (const m of members) set.set(m, null);
  clients.db().put(key, 'set', set);
}

function putZset(key: string, entries: [number, string][]): void {
  const zset = new SortedSet();
  for (const [score, member] of entries) zset.add(member, score);
  clients.db().put(key, 'zset', zset);
}

function putHash(key: string, fields: Record<string, string>): void {
  const hash = new Dict<Buffer>();
  for (const [f, v] of Object.entries(fields)) hash.set(f, Buffer.from(v));
  clients.db().put(key, 'hash', hash);
}

for (const [name, client] of [
  ['ioredis 5 (RESP2)', () => clients.r5],
  ['ioredis 6 (RESP3)', () => clients.r6],
] as const) {
  test(`${name}: numeric and ALPHA order, DESC, LIMIT`, async () => {
    const r = client();
    await r.rpush('nums', '3', '10', '1', '2.5', '-4', '1e1');
    assert.equal(await r.call('SORT', 'nums'), ['-4', '1', '2.5', '3', '10', '1e1']);
    assert.equal(await r.call('SORT', 'nums', 'DESC'), ['1e1', '10', '3', '2.5', '1', '-4']);
    assert.equal(await r.call('SORT', 'nums', 'ALPHA'), ['-4', '1', '10', '1e1', '2.5', '3']);
    assert.equal(await r.call('SORT', 'nums', 'LIMIT', 1, 3), ['1', '2.5', '3']);
    assert.equal(await r.call('SORT', 'nums', 'LIMIT', -1, 2), ['-4', '1']);
    assert.equal(await r.call('SORT', 'nums', 'LIMIT', 10, 5), []);
    assert.equal(await r.call('SORT', 'nosuch'), []);
    assert.equal(await r.call('SORT_RO', 'nums', 'DESC', 'LIMIT', '0', '2'), ['1e1', '10']);
  });

  test(`${name}: BY and GET patterns, hash fields, nosort`, async () => {
    const r = client();
    await r.rpush('ids', '1', '2', '3');
    await r.mset('name_1', 'one', 'name_2', 'two', 'weight_1', '30', 'weight_2', '20', 'weight_3', '10');
    putHash('obj_1', { f: 'z' });
    putHash('obj_3', { f: 'x' });
    assert.equal(await r.call('SORT', 'ids', 'BY', 'weight_*'), ['3', '2', '1']);
    assert.equal(await r.call('SORT', 'ids', 'GET', '#', 'GET', 'name_*'), ['1', 'one', '2', 'two', '3', null]);
    assert.equal(await r.call('SORT', 'ids', 'BY', 'obj_*->f', 'ALPHA'), ['2', '3', '1']);
    assert.equal(await r.call('SORT', 'ids', 'GET', 'obj_*->f'), ['z', null, 'x']);
    assert.equal(await r.call('SORT', 'ids', 'BY', 'nosort', 'DESC'), ['3', '2', '1']);
    assert.equal(await r.call('SORT', 'ids', 'BY', 'nosort', 'LIMIT', 1, 1), ['2']);
    assert.equal(await r.call('SORT_RO', 'ids', 'BY', 'weight_*', 'GET', 'name_*'), [null, 'two', 'one']);
  });
}

test('sets and sorted sets', async () => {
  putSet('s', ['5', '3', '9', '1']);
  assert.equal(await clients.r5.call('SORT', 's'), ['1', '3', '5', '9']);
  assert.equal(await clients.r5.call('SORT', 's', 'DESC', 'LIMIT', 0, 2), ['9', '5']);
  assert.equal(((await clients.r5.call('SORT', 's', 'BY', 'nosort')) as string[]).sort(), ['1', '3', '5', '9']);
  putZset('z', [
    [3, 'a'],
    [1, 'b'],
    [2, 'c'],
  ]);
  assert.equal(await clients.r5.call('SORT', 'z', 'BY', 'nosort'), ['b', 'c', 'a']);
  assert.equal(await clients.r5.call('SORT', 'z', 'BY', 'nosort', 'DESC'), ['a', 'c', 'b']);
  assert.equal(await clients.r5.call('SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', 1, 5), ['c', 'b']);
  assert.equal(await clients.r5.call('SORT', 'z', 'ALPHA'), ['a', 'b', 'c']);
  assert.is(await failure(clients.r5.call('SORT', 'z')), "ERR One or more scores can't be converted into double");
  putHash('h', { f: 'v' });
  assert.is(await failure(clients.r5.call('SORT', 'h')), 'WRONGTYPE Operation against a key holding the wrong kind of value');
  await clients.r5.set('str', 'v');
  assert.is(await failure(clients.r5.call('SORT', 'str')), 'WRONGTYPE Operation against a key holding the wrong kind of value');
});

test('STORE writes a list (or deletes the destination) and is logged as itself', async () => {
  await clients.r5.rpush('l', '3', '1', '2');
  await clients.r5.set('dst', 'old', 'EX', 100);
  const log = captureLog(clients.s.server);
  try {
    assert.is(await clients.r5.call('SORT', 'l', 'STORE', 'dst'), 3);
    assert.equal(await clients.r5.lrange('dst', 0, -1), ['1', '2', '3']);
    assert.is(await clients.r5.ttl('dst'), -1);
    assert.is(await clients.r5.call('SORT', 'l', 'GET', 'nosuch_*', 'STORE', 'dst'), 3);
    assert.equal(await clients.r5.lrange('dst', 0, -1), ['', '', '']);
    assert.is(await clients.r5.call('SORT', 'nosuch', 'STORE', 'dst'), 0);
    assert.is(await clients.r5.exists('dst'), 0);
    assert.is(await clients.r5.call('SORT', 'nosuch', 'STORE', 'dst'), 0); // nothing to delete: not logged
    await clients.r5.call('SORT', 'l'); // no STORE: not a write
    assert.equal(log.commands(), [
      ['SORT', 'l', 'STORE', 'dst'],
      ['SORT', 'l', 'GET', 'nosuch_*', 'STORE', 'dst'],
      ['SORT', 'nosuch', 'STORE', 'dst'],
    ]);
  } finally {
    log.restore();
  }
  // A set sorted by a constant is stored in ALPHA order (deterministic for the log).
  putSet('s', ['b', 'c', 'a', '10', '9']);
  assert.is(await clients.r5.call('SORT', 's', 'BY', 'nosort', 'STORE', 'dst'), 5);
  assert.equal(await clients.r5.lrange('dst', 0, -1), ['10', '9', 'a', 'b', 'c']);
});

test('node-redis 6 (RESP3): SORT, SORT_RO, SORT ... STORE', async () => {
  await clients.nr.rPush('l', ['2', '1', '3']);
  assert.equal(await clients.nr.sort('l'), ['1', '2', '3']);
  assert.equal(await clients.nr.sort('l', { DIRECTION: 'DESC', LIMIT: { offset: 0, count: 2 } }), ['3', '2']);
  assert.equal(await clients.nr.sortRo('l', { ALPHA: true }), ['1', '2', '3']);
  assert.is(await clients.nr.sortStore('l', 'dst', { DIRECTION: 'DESC' }), 3);
  assert.equal(await clients.nr.lRange('dst', 0, -1), ['3', '2', '1']);
});

test('errors are Redis’s', async () => {
  await clients.r5.rpush('l', '1', 'x');
  assert.is(await failure(clients.r5.call('SORT', 'l')), "ERR One or more scores can't be converted into double");
  assert.is(await failure(clients.r5.call('SORT', 'l', 'LIMIT', '1')), 'ERR syntax error');
  assert.is(await failure(clients.r5.call('SORT', 'l', 'LIMIT', 'a', 'b')), 'ERR value is not an integer or out of range');
  assert.is(await failure(clients.r5.call('SORT', 'l', 'FOO')), 'ERR syntax error');
  assert.is(await failure(clients.r5.call('SORT', 'l', 'STORE')), 'ERR syntax error');
  assert.is(await failure(clients.r5.call('SORT_RO', 'l', 'STORE', 'd')), 'ERR syntax error');
  assert.is(await failure(clients.r5.call('SORT')), "ERR wrong number of arguments for 'sort' command");
});

test('scores are read as strtod reads them', () => {
  assert.is(sortScore(''), 0);
  assert.is(sortScore(' 1'), 1);
  assert.is(sortScore('1 '), null);
  assert.is(sortScore(' '), null);
  assert.is(sortScore('0x10'), 16);
  assert.is(sortScore('0x1p3'), 8);
  assert.is(sortScore('0X.8'), 0.5);
  assert.is(sortScore('0x'), null);
  assert.is(sortScore('-inf'), -Infinity);
  assert.is(sortScore('Infinity'), Infinity);
  assert.is(sortScore('infinit'), null);
  assert.is(sortScore('nan'), null);
  assert.is(sortScore('1e400'), null);
  assert.is(sortScore('1e-310'), null);
  assert.is(sortScore('0e-999'), 0);
  assert.is(sortScore('5\0abc'), 5);
  assert.is(sortScore('+3'), 3);
  assert.is(sortScore('.5'), 0.5);
  assert.is(sortScore('5.'), 5);
});

test.run();
