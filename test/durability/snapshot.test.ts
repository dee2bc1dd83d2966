// The snapshot writer: the keyspace as RESP commands that rebuild every key
// with its type, db by db, absolute expiry times, expired keys left out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Dict } from '../../src/store/dict.js';
import { Deque } from '../../src/store/deque.js';
import { Keyspace } from '../../src/store/keyspace.js';
import { SortedSet } from '../../src/store/sorted-set.js';
import { writeSnapshot } from '../../src/server/snapshot.js';
import type { Payload } from '../../src/wal/frame.js';
import { decodeCommands } from '../helpers/log-capture.js';

const NOW = 1_700_000_000_000;

/** The snapshot's entries, each decoded into its commands. */
function entries(keyspace: Keyspace): { commands: string[][][]; bytes: number } {
  const commands: string[][][] = [];
  let total = 0;
  const bytes = writeSnapshot(keyspace, (payload: Payload) => {
    const record = Buffer.isBuffer(payload) ? payload : Buffer.concat(payload);
    total += record.length;
    commands.push(decodeCommands(record));
  }, NOW);
  assert.is(bytes, total, 'the size it reports is what it wrote');
  return { commands, bytes };
}

/**
 * A record's commands as the keyspace's order (its hash table's) does not
 * matter: a leading SELECT, then each key's commands together, sorted by key.
 */
function byKey(record: string[][]): string[][][] {
  const groups: string[][][] = [];
  for (const argv of record) {
    const last = groups[groups.length - 1];
    if (last && last[0][0] !== 'SELECT' && last[0][1] === argv[1]) last.push(argv);
    else groups.push([argv]);
  }
  const select = groups[0]?.[0][0] === 'SELECT' ? groups.splice(0, 1) : [];
  return [...select, ...groups.sort((a, b) => (a[0][1] < b[0][1] ? -1 : 1))];
}

test('every value type, TTLs as PEXPIREAT, SELECT for other databases, expired keys left out', () => {
  const keyspace = new Keyspace(4);
  const [db0, , db2] = keyspace.databases;
  db0.put('s', 'string', Buffer.from('v'));
  db0.put('l', 'list', new Deque([Buffer.from('a'), Buffer.from('b')]));
  const hash = new Dict<Buffer>();
  hash.set('f', Buffer.from('1'));
  db0.put('h', 'hash', hash);
  db0.setExpire('h', NOW + 5000);
  db0.put('gone', 'string', Buffer.from('x'));
  db0.setExpire('gone', NOW);
  const set = new Dict<null>();
  set.set('m', null);
  db2.put('set', 'set', set);
  const zset = new SortedSet();
  zset.add('low', -Infinity);
  zset.add('third', 1 / 3);
  zset.add('neg0', -0);
  db2.put('z', 'zset', zset);
  assert.equal(entries(keyspace).commands.map(byKey), [
    [[['HSET', 'h', 'f', '1'], ['PEXPIREAT', 'h', String(NOW + 5000)]], [['RPUSH', 'l', 'a', 'b']], [['SET', 's', 'v']]],
    [[['SELECT', '2']], [['SADD', 'set', 'm']], [['ZADD', 'z', '-inf', 'low', '-0', 'neg0', '0.33333333333333331', 'third']]],
  ]);
});

test('big values are rebuilt 128 elements per command, in entries of about 64 KiB', () => {
  const keyspace = new Keyspace(1);
  const db = keyspace.databases[0];
  db.put('list', 'list', new Deque(Array.from({ length: 300 }, (_, i) => Buffer.from(String(i)))));
  for (let i = 0; i < 100; i++) db.put(`big${i}`, 'string', Buffer.alloc(1000, 'x'));
  const { commands } = entries(keyspace);
  const list = commands.flat().filter((argv) => argv[1] === 'list');
  assert.equal(list.map((argv) => argv.length - 2), [128, 128, 44]);
  assert.equal(list.flatMap((argv) => argv.slice(2)), Array.from({ length: 300 }, (_, i) => String(i)));
  assert.is(commands.length, 2);
  assert.is(commands.flat().length, 103);
});

test('an empty keyspace is an empty snapshot', () => {
  assert.equal(entries(new Keyspace(16)), { commands: [], bytes: 0 });
});

test.run();
