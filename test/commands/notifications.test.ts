// Keyspace notifications seen by another connection (ioredis 5, RESP2
// pmessages): the events of list, string and generic commands, and of
// blocking pops that are served later, by a push from another client or by
// an EXEC. The order of events and replies on one connection is compared
// byte for byte with redis-server by compat/scripts/notifications.txt; what a
// script cannot show (a client served while another one writes) is here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis5';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let r: Redis;
let sub: Redis;
let events: string[] = [];
const extra: Redis[] = [];

function client(): Redis {
  const c = new Redis({ port: s.port, host: '127.0.0.1', enableReadyCheck: false, maxRetriesPerRequest: 0 });
  c.on('error', () => {});
  return c;
}

test.before(async () => {
  s = await startServer();
  r = client();
  sub = client();
  // "db event key" for keyevent channels; keyspace channels are checked in one test.
  sub.on('pmessage', (_pattern, channel: string, message: string) => {
    const m = /^__keyevent@(\d+)__:(.*)$/.exec(channel);
    if (m) events.push(`${m[1]} ${m[2]} ${message}`);
    else events.push(`${channel} ${message}`);
  });
  await sub.psubscribe('__keyevent@*__:*');
  await r.config('SET', 'notify-keyspace-events', 'KEA');
});
test.after.each(() => s.assertSnapshots());
test.after(async () => {
  await r.config('SET', 'notify-keyspace-events', '');
  r.disconnect();
  sub.disconnect();
  await s.stop();
});
test.before.each(async () => {
  await r.flushall();
  events = [];
});
test.after.each(() => {
  for (const c of extra.splice(0)) c.disconnect();
});

/** The events so far once `count` came (or after half a second). */
async function settled(count: number): Promise<string[]> {
  for (let i = 0; i < 50 && events.length < count; i++) await delay(10);
  await delay(10);
  return events;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function blocked(count: number): Promise<void> {
  for (let i = 0; i < 500 && s.server.blocking.count !== count; i++) await delay(2);
  assert.is(s.server.blocking.count, count, 'blocked clients');
}

test('list commands', async () => {
  await r.rpush('l', 'a', 'b', 'c');
  await r.lpushx('l', 'z');
  await r.rpushx('nolist', 'z'); // silent
  await r.lset('l', 0, 'y');
  await r.linsert('l', 'BEFORE', 'y', 'x');
  await r.linsert('l', 'BEFORE', 'nosuch', 'x'); // silent
  await r.lrem('l', 0, 'x');
  await r.lrem('l', 0, 'nosuch'); // silent
  await r.ltrim('l', 0, -1); // nothing trimmed, still notified
  await r.lpop('l');
  await r.rpop('l', 0); // silent
  await r.lmove('l', 'm', 'LEFT', 'RIGHT');
  await r.rpoplpush('l', 'm');
  await r.lpop('l', 5); // empties l
  await r.lmpop(1, 'm', 'LEFT', 'COUNT', 5); // empties m
  assert.equal(await settled(18), [
    '0 rpush l',
    '0 lpush l',
    '0 lset l',
    '0 linsert l',
    '0 lrem l',
    '0 ltrim l',
    '0 lpop l',
    '0 rpush m',
    '0 lpop l',
    '0 lpush m',
    '0 rpop l',
    '0 lpop l',
    '0 del l',
    '0 lpop m',
    '0 del m',
  ]);
});

test('string and generic commands', async () => {
  await r.set('k', 'v', 'EX', 100);
  await r.append('k', 'w');
  await r.incr('n');
  await r.incrbyfloat('n', 1.5);
  await r.setrange('k', 0, 'x');
  await r.persist('k');
  await r.expire('k', 100);
  await r.rename('k', 'k2');
  await r.copy('k2', 'k3', 'DB', 1);
  await r.move('k2', 2);
  await r.getdel('n');
  await r.del('n', 'nosuch'); // silent
  await r.set('e', 'v', 'PX', 1);
  await delay(20);
  await r.get('e');
  assert.equal(await settled(16), [
    '0 set k',
    '0 expire k',
    '0 append k',
    '0 incrby n',
    '0 incrbyfloat n',
    '0 setrange k',
    '0 persist k',
    '0 expire k',
    '0 rename_from k',
    '0 rename_to k2',
    '1 copy_to k3',
    '0 move_from k2',
    '2 move_to k2',
    '0 del n',
    '0 set e',
    '0 expire e',
    '0 expired e',
  ]);
});

test('keyspace channels come before keyevent channels, and classes filter', async () => {
  const space = client();
  extra.push(space);
  const seen: string[] = [];
  space.on('pmessage', (_pattern, channel: string, message: string) => seen.push(`${channel} ${message}`));
  await space.psubscribe('__key*__:*');
  await r.lpush('l', 'a');
  await r.config('SET', 'notify-keyspace-events', 'Kl');
  await r.set('k', 'v'); // not a list event
  await r.rpop('l'); // keyspace only, no "del" (g is off)
  await r.config('SET', 'notify-keyspace-events', 'KEA');
  for (let i = 0; i < 50 && seen.length < 4; i++) await delay(10);
  assert.equal(seen, ['__keyspace@0__:l lpush', '__keyevent@0__:lpush l', '__keyspace@0__:l rpop']);
});

test('blocked pops served later notify as they pop', async () => {
  const b1 = client();
  const b2 = client();
  extra.push(b1, b2);
  const first = b1.blpop('l', 0);
  const second = b2.brpop('l', 0);
  await blocked(2);
  await r.rpush('l', 'a', 'b', 'c');
  assert.equal(await first, ['l', 'a']);
  assert.equal(await second, ['l', 'c']);
  const moved = b1.blmove('src', 'dst', 'LEFT', 'RIGHT', 0);
  await blocked(1);
  await r.lpush('src', 'x');
  assert.is(await moved, 'x');
  const popped = b1.call('BLMPOP', '0', '1', 'src', 'LEFT', 'COUNT', '5');
  await blocked(1);
  await r.multi().rpush('src', '1').rpush('src', '2').exec();
  assert.equal(await popped, ['src', ['1', '2']]);
  const z = b1.bzpopmin('z', 0);
  await blocked(1);
  await r.zadd('z', 1, 'm');
  assert.equal(await z, ['z', 'm', '1']);
  assert.equal(await settled(16), [
    '0 rpush l',
    '0 lpop l',
    '0 rpop l',
    '0 lpush src',
    '0 rpush dst',
    '0 lpop src',
    '0 del src',
    '0 rpush src',
    '0 rpush src',
    '0 lpop src',
    '0 del src',
    '0 zadd z',
    '0 zpopmin z',
    '0 del z',
  ]);
});

test.run();
