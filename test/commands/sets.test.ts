// Set commands through real clients (ioredis 5 in RESP2, node-redis 6 in
// RESP3) against an in-process VelocityDB: replies, errors, deletion of
// emptied sets, intset order and encodings, keyspace notifications, the log
// records (SPOP as the members it removed), and replays of them that must
// rebuild the same sets. Byte-exact replies are compared with redis-server by
// compat/scripts/sets.txt.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dumpKeyspace } from '../helpers/replay.js';
import { failure, keyEvents, withLoggedClients } from '../helpers/clients.js';

const t = withLoggedClients(test);

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const SYNTAX = 'ERR syntax error';
const NOT_INTEGER = 'ERR value is not an integer or out of range';

const sorted = (members: string[]): string[] => [...members].sort();

test('SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS', async () => {
  assert.is(await t.r.sadd('s', 'a', 'b', 'c', 'a'), 3);
  assert.is(await t.r.sadd('s', 'a'), 0);
  assert.is(await t.r.scard('s'), 3);
  assert.is(await t.r.scard('nosuch'), 0);
  assert.is(await t.r.sismember('s', 'a'), 1);
  assert.is(await t.r.sismember('s', 'z'), 0);
  assert.is(await t.r.sismember('nosuch', 'a'), 0);
  assert.equal(await t.r.smismember('s', 'a', 'z', 'c'), [1, 0, 1]);
  assert.equal(await t.r.smismember('nosuch', 'a'), [0]);
  assert.equal(sorted(await t.r.smembers('s')), ['a', 'b', 'c']);
  assert.equal(await t.r.smembers('nosuch'), []);
  assert.is(await t.r.srem('s', 'a', 'z', 'a'), 1);
  assert.is(await t.r.srem('s', 'z'), 0);
  assert.is(await t.r.srem('nosuch', 'a'), 0);
  assert.is(await t.r.srem('s', 'b', 'c'), 2);
  assert.is(await t.r.exists('s'), 0);
  // node-redis in RESP3: a set reply.
  assert.is(await t.n.sAdd('n', ['x', 'y']), 2);
  assert.equal(sorted(await t.n.sMembers('n')), ['x', 'y']);
  assert.equal(await t.n.smIsMember('n', ['x', 'q']), [1, 0]);
  // Writes that changed nothing are not logged.
  assert.equal(t.logged(), [
    ['SADD', 's', 'a', 'b', 'c', 'a'],
    ['SREM', 's', 'a', 'z', 'a'],
    ['SREM', 's', 'b', 'c'],
    ['SADD', 'n', 'x', 'y'],
  ]);
});

test('an intset lists its members in numeric order, and the hashtable encoding sticks', async () => {
  await t.r.sadd('i', '10', '-5', '3', '9223372036854775807', '-9223372036854775808', '9223372036854775806');
  assert.is(await t.r.object('ENCODING', 'i'), 'intset');
  const ordered = ['-9223372036854775808', '-5', '3', '10', '9223372036854775806', '9223372036854775807'];
  assert.equal(await t.r.smembers('i'), ordered);
  assert.equal(await t.r.sscan('i', '77', 'COUNT', 1), ['0', ordered]);
  assert.equal(await t.r.srandmember('i', 100), ordered);
  assert.equal(await t.r.sunion('i', 'nosuch'), ordered);
  await t.r.sadd('i', 'x');
  await t.r.srem('i', 'x');
  assert.is(await t.r.object('ENCODING', 'i'), 'hashtable');
  await t.r.sadd('j', '01'); // not canonical: not an integer for an intset
  assert.is(await t.r.object('ENCODING', 'j'), 'hashtable');
  await t.r.config('SET', 'set-max-intset-entries', '3');
  try {
    await t.r.sadd('k', '1', '2', '3', '4');
    await t.r.srem('k', '4');
    assert.is(await t.r.object('ENCODING', 'k'), 'hashtable');
    await t.r.smove('k', 'k2', '1');
    assert.is(await t.r.object('ENCODING', 'k2'), 'intset');
  } finally {
    await t.r.config('SET', 'set-max-intset-entries', '512');
  }
});

test('SPOP: one member, a count, the whole set; logged as SREM of what it removed', async () => {
  await t.r.sadd('s', 'a', 'b', 'c', 'd', 'e');
  t.log.clear();
  const one = (await t.r.spop('s')) as string;
  assert.ok(['a', 'b', 'c', 'd', 'e'].includes(one));
  const two = (await t.r.spop('s', 2)) as string[];
  assert.is(new Set([one, ...two]).size, 3);
  assert.is(await t.r.scard('s'), 2);
  assert.equal(await t.r.spop('s', 0), []);
  const rest = (await t.r.spop('s', 10)) as string[];
  assert.equal(sorted([one, ...two, ...rest]), ['a', 'b', 'c', 'd', 'e']);
  assert.is(await t.r.exists('s'), 0);
  assert.is(await t.r.spop('s'), null);
  assert.equal(await t.r.spop('s', 3), []);
  assert.equal(t.logged(), [['SREM', 's', one], ['SREM', 's', ...two], ['DEL', 's']]);
  await t.r.sadd('t', 'only');
  assert.is(await t.r.spop('t'), 'only');
  assert.is(await t.r.exists('t'), 0);
  assert.is(await failure(t.r.call('SPOP', 's', '-1')), 'ERR value is out of range, must be positive');
  assert.is(await failure(t.r.call('SPOP', 's', 'x')), 'ERR value is out of range, must be positive');
  assert.is(await failure(t.r.call('SPOP', 's', '1', '2')), SYNTAX);
  // RESP3: SPOP with a count is a set reply, a missing key's too.
  assert.equal(await t.n.sendCommand(['SPOP', 'nosuch', '2']), []);
  await t.assertReplayMatches();
});

test('SRANDMEMBER: distinct members for a positive count, repeats for a negative one', async () => {
  const members = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
  await t.r.sadd('s', ...members);
  assert.ok(members.includes((await t.r.srandmember('s')) as string));
  assert.is(await t.r.srandmember('nosuch'), null);
  assert.equal(await t.r.srandmember('nosuch', 3), []);
  assert.equal(await t.r.srandmember('s', 0), []);
  for (const count of [1, 2, 3, 4, 9]) {
    const picked = (await t.r.srandmember('s', count)) as string[];
    assert.is(picked.length, count);
    assert.is(new Set(picked).size, count, `distinct for ${count}`);
  }
  assert.equal(sorted((await t.r.srandmember('s', 100)) as string[]), members);
  const repeated = (await t.r.srandmember('s', -60)) as string[];
  assert.is(repeated.length, 60);
  assert.ok(new Set(repeated).size < 60);
  assert.is(await failure(t.r.call('SRANDMEMBER', 's', 'x')), NOT_INTEGER);
  assert.is(await failure(t.r.call('SRANDMEMBER', 's', '1', '2')), SYNTAX);
  assert.is(
    await failure(t.r.call('SRANDMEMBER', 's', '-9223372036854775808')),
    'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
  );
  assert.equal(t.logged(), [['SADD', 's', ...members]]);
});

test('SMOVE', async () => {
  await t.r.sadd('from', 'a', 'b');
  await t.r.sadd('to', 'c');
  assert.is(await t.r.smove('from', 'to', 'a'), 1);
  assert.is(await t.r.smove('from', 'to', 'a'), 0);
  assert.is(await t.r.smove('nosuch', 'to', 'a'), 0);
  assert.is(await t.r.smove('to', 'to', 'c'), 1);
  assert.is(await t.r.smove('to', 'to', 'z'), 0);
  assert.is(await t.r.smove('from', 'new', 'b'), 1);
  assert.is(await t.r.exists('from'), 0);
  assert.equal(await t.r.smembers('new'), ['b']);
  assert.equal(sorted(await t.r.smembers('to')), ['a', 'c']);
  await t.r.set('str', 'v');
  assert.is(await failure(t.r.smove('to', 'str', 'a')), WRONGTYPE);
  assert.is(await failure(t.r.smove('str', 'to', 'a')), WRONGTYPE);
  assert.is(await t.r.smove('nosuch', 'str', 'a'), 0);
  assert.equal(t.logged().filter(([name]) => name === 'SMOVE'), [
    ['SMOVE', 'from', 'to', 'a'],
    ['SMOVE', 'from', 'new', 'b'],
  ]);
});

test('SINTER, SUNION, SDIFF, their STORE forms and SINTERCARD', async () => {
  await t.r.sadd('s1', 'a', 'b', 'c', 'd');
  await t.r.sadd('s2', 'c', 'd', 'e');
  await t.r.sadd('s3', 'd', 'e', 'f');
  assert.equal(sorted(await t.r.sinter('s1', 's2')), ['c', 'd']);
  assert.equal(await t.r.sinter('s1', 's2', 's3'), ['d']);
  assert.equal(await t.r.sinter('s1', 'nosuch'), []);
  assert.equal(sorted(await t.r.sunion('s1', 's2', 's3')), ['a', 'b', 'c', 'd', 'e', 'f']);
  assert.equal(sorted(await t.r.sdiff('s1', 's2')), ['a', 'b']);
  assert.equal(sorted(await t.r.sdiff('s1', 's2', 's3')), ['a', 'b']);
  assert.equal(await t.r.sdiff('s1', 's1'), []);
  assert.equal(await t.r.sdiff('nosuch', 's1'), []);
  await t.r.set('str', 'v');
  assert.is(await failure(t.r.sinter('nosuch', 'str')), WRONGTYPE);
  assert.is(await failure(t.r.sunion('s1', 'str')), WRONGTYPE);
  assert.is(await failure(t.r.sdiff('nosuch', 'str')), WRONGTYPE);
  // The STORE forms replace whatever was there (TTL included) and delete on an empty result.
  await t.r.set('dst', 'v', 'EX', 100);
  assert.is(await t.r.sinterstore('dst', 's1', 's2'), 2);
  assert.is(await t.r.ttl('dst'), -1);
  assert.equal(sorted(await t.r.smembers('dst')), ['c', 'd']);
  assert.is(await t.r.sunionstore('dst', 's1', 's3'), 6);
  assert.is(await t.r.sdiffstore('dst', 'dst', 's1'), 2);
  assert.equal(sorted(await t.r.smembers('dst')), ['e', 'f']);
  assert.is(await t.r.sinterstore('dst', 's1', 'nosuch'), 0);
  assert.is(await t.r.exists('dst'), 0);
  assert.is(await t.r.sdiffstore('dst', 's1', 's1'), 0);
  assert.is(await t.r.call('SINTERCARD', '2', 's1', 's2'), 2);
  assert.is(await t.r.call('SINTERCARD', '2', 's1', 's2', 'LIMIT', '1'), 1);
  assert.is(await t.r.call('SINTERCARD', '2', 's1', 's2', 'LIMIT', '0'), 2);
  assert.is(await t.r.call('SINTERCARD', '2', 's1', 'nosuch'), 0);
  assert.is(await failure(t.r.call('SINTERCARD', '0', 's1')), 'ERR numkeys should be greater than 0');
  assert.is(await failure(t.r.call('SINTERCARD', '3', 's1', 's2')), "ERR Number of keys can't be greater than number of args");
  assert.is(await failure(t.r.call('SINTERCARD', '1', 's1', 's2')), SYNTAX);
  assert.is(await failure(t.r.call('SINTERCARD', '1', 's1', 'LIMIT', '-1')), "ERR LIMIT can't be negative");
  assert.is(await failure(t.r.call('SINTERCARD', '2', 's1', 'str')), WRONGTYPE);
  // The STORE forms are logged as themselves; an empty result that deleted nothing is not logged.
  assert.equal(
    t.logged().filter(([name]) => name.endsWith('STORE')),
    [
      ['SINTERSTORE', 'dst', 's1', 's2'],
      ['SUNIONSTORE', 'dst', 's1', 's3'],
      ['SDIFFSTORE', 'dst', 'dst', 's1'],
      ['SINTERSTORE', 'dst', 's1', 'nosuch'],
    ],
  );
  await t.assertReplayMatches();
});

test('SSCAN: an intset at once, a hashtable by cursor', async () => {
  await t.r.sadd('small', '1', '2', '3');
  assert.equal(await t.r.sscan('small', '0', 'MATCH', '2'), ['0', ['2']]);
  assert.equal(await t.r.sscan('nosuch', '0'), ['0', []]);
  assert.is(await failure(t.r.sscan('small', 'x')), 'ERR invalid cursor');
  assert.is(await failure(t.r.sscan('small', '0', 'COUNT', 0)), SYNTAX);
  const members = Array.from({ length: 1000 }, (_, i) => `m${i}`);
  await t.r.sadd('big', ...members);
  const seen = new Set<string>();
  let cursor = '0';
  let calls = 0;
  do {
    const [next, items] = await t.r.sscan('big', cursor, 'COUNT', 20);
    for (const item of items) seen.add(item);
    cursor = next;
    calls++;
  } while (cursor !== '0');
  assert.is(seen.size, 1000);
  assert.ok(calls > 10, `scanned in ${calls} calls`);
  const matched = new Set<string>();
  cursor = '0';
  do {
    const [next, items] = await t.r.sscan('big', cursor, 'MATCH', 'm9*', 'COUNT', 100);
    for (const item of items) matched.add(item);
    cursor = next;
  } while (cursor !== '0');
  assert.equal([...matched].sort(), members.filter((m) => m.startsWith('m9')).sort());
});

test('WRONGTYPE from every set command', async () => {
  await t.r.set('s', 'v');
  const calls: Promise<unknown>[] = [
    t.r.sadd('s', 'a'),
    t.r.srem('s', 'a'),
    t.r.smembers('s'),
    t.r.sismember('s', 'a'),
    t.r.smismember('s', 'a'),
    t.r.scard('s'),
    t.r.spop('s'),
    t.r.spop('s', 2),
    t.r.srandmember('s'),
    t.r.srandmember('s', 2),
    t.r.sinter('s'),
    t.r.sscan('s', '0'),
  ];
  for (const p of calls) assert.is(await failure(p), WRONGTYPE);
});

test('keyspace notifications', async () => {
  const notified = await keyEvents(t.s.port, t.r);
  try {
    await t.r.sadd('a', '1', '2', '3');
    await t.r.sadd('a', '1'); // nothing added: silent
    await t.r.srem('a', '1');
    await t.r.spop('a');
    await t.r.spop('a', 5);
    await t.r.sadd('b', 'x', 'y');
    await t.r.smove('b', 'c', 'x');
    await t.r.smove('b', 'c', 'y');
    await t.r.sinterstore('d', 'c', 'c');
    await t.r.sunionstore('d', 'c');
    await t.r.sdiffstore('d', 'c', 'c');
    await t.r.sdiffstore('d', 'c', 'c'); // nothing to delete: silent
    const expected = [
      'sadd a',
      'srem a',
      'spop a',
      'spop a',
      'del a',
      'sadd b',
      'srem b',
      'sadd c',
      'srem b',
      'del b',
      'sadd c',
      'sinterstore d',
      'sunionstore d',
      'del d',
    ];
    await notified.arrived(expected.length);
    assert.equal(notified.events, expected);
  } finally {
    await notified.stop();
  }
});

test('replaying the log rebuilds the same sets', async () => {
  let random = 777;
  const next = (k: number): number => {
    random = (random * 1103515245 + 12345) % 2147483648;
    return Math.floor((random / 2147483648) * k); // the high bits: an LCG's low bits cycle
  };
  const key = (): string => `s${next(4)}`;
  const member = (): string => (next(2) === 0 ? String(next(30)) : `m${next(30)}`);
  for (let round = 0; round < 400; round++) {
    switch (next(10)) {
      case 0:
      case 1:
        await t.r.sadd(key(), member(), member(), member());
        break;
      case 2:
        await t.r.srem(key(), member(), member());
        break;
      case 3:
        await t.r.spop(key());
        break;
      case 4:
        await t.r.spop(key(), next(6));
        break;
      case 5: {
        const from = key();
        const picked = await t.r.srandmember(from);
        await t.r.smove(from, key(), picked ?? member());
        break;
      }
      case 6:
        await t.r.sinterstore(key(), key(), key());
        break;
      case 7:
        await t.r.sunionstore(key(), key(), key());
        break;
      case 8:
        await t.r.sdiffstore(key(), key(), key());
        break;
      default:
        await t.r.srandmember(key(), -3); // a read: not logged
    }
  }
  const names = new Set(t.logged().map(([name]) => name));
  for (const name of ['SADD', 'SREM', 'DEL', 'SMOVE', 'SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE']) assert.ok(names.has(name), `${name} logged`);
  assert.not.ok(names.has('SPOP'), 'SPOP is logged as its effect');
  assert.ok(Object.keys(dumpKeyspace(t.s.server)).length > 0);
  await t.assertReplayMatches();
});

test.run();
