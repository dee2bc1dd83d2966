// The snapshot writer: the keyspace as RESP commands that rebuild every key
// with its type, db by db, absolute expiry times, expired keys left out; and
// the keyspace as it was when the snapshot began, though its walk is spread
// over turns while keys change, databases are flushed and swapped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Config } from '../../src/config.js';
import { Logger } from '../../src/server/logger.js';
import { Server } from '../../src/server/server.js';
import { Dict } from '../../src/store/dict.js';
import { Deque } from '../../src/store/deque.js';
import { Keyspace } from '../../src/store/keyspace.js';
import { SortedSet } from '../../src/store/sorted-set.js';
import { writeSnapshot } from '../../src/server/snapshot.js';
import { setExpireExact } from '../../src/commands/expire.js';
import type { Payload } from '../../src/wal/frame.js';
import { copyPayload, decodeCommands } from '../helpers/log-capture.js';
import { dumpKeyspace } from '../helpers/replay.js';

const NOW = 1_700_000_000_000;

/** The snapshot's entries, each decoded into its commands. */
async function entries(keyspace: Keyspace): Promise<{ commands: string[][][]; bytes: number }> {
  const commands: string[][][] = [];
  let total = 0;
  const bytes = await writeSnapshot(keyspace, (payload: Payload) => {
    const record = copyPayload(payload);
    total += record.length;
    commands.push(decodeCommands(record));
  }, { now: NOW });
  assert.is(bytes, total, 'the size it reports is what it wrote');
  return { commands, bytes };
}

/**
 * The snapshot's commands by database (each entry starts in db 0, SELECT
 * switches), each key's commands together, sorted by key: the order of the
 * keyspace's hash table does not matter.
 */
function byDb(commands: string[][][]): Record<string, string[][][]> {
  const out: Record<string, string[][][]> = {};
  for (const entry of commands) {
    let db = '0';
    for (const argv of entry) {
      if (argv[0] === 'SELECT') {
        db = argv[1];
        continue;
      }
      const groups = (out[db] ??= []);
      const last = groups[groups.length - 1];
      if (last && last[0][1] === argv[1]) last.push(argv);
      else groups.push([argv]);
    }
  }
  for (const groups of Object.values(out)) groups.sort((a, b) => (a[0][1] < b[0][1] ? -1 : 1));
  return out;
}

test('every value type, TTLs as PEXPIREAT, SELECT for other databases, expired keys left out', async () => {
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
  assert.equal(byDb((await entries(keyspace)).commands), {
    0: [[['HSET', 'h', 'f', '1'], ['PEXPIREAT', 'h', String(NOW + 5000)]], [['RPUSH', 'l', 'a', 'b']], [['SET', 's', 'v']]],
    2: [[['SADD', 'set', 'm']], [['ZADD', 'z', '-inf', 'low', '-0', 'neg0', '0.33333333333333331', 'third']]],
  });
});

test('expiry times beyond 2^53 are written exactly, up to the largest int64', async () => {
  const keyspace = new Keyspace(1);
  const db = keyspace.databases[0];
  for (const [key, when] of [['max', 9223372036854775807n], ['odd', 9007199254740993n]] as const) {
    db.put(key, 'string', Buffer.from('v'));
    setExpireExact(db, key, when);
  }
  assert.equal(byDb((await entries(keyspace)).commands), {
    0: [[['SET', 'max', 'v'], ['PEXPIREAT', 'max', '9223372036854775807']], [['SET', 'odd', 'v'], ['PEXPIREAT', 'odd', '9007199254740993']]],
  });
});

test('big values are rebuilt 128 elements per command, in entries of about 64 KiB', async () => {
  const keyspace = new Keyspace(1);
  const db = keyspace.databases[0];
  db.put('list', 'list', new Deque(Array.from({ length: 300 }, (_, i) => Buffer.from(String(i)))));
  for (let i = 0; i < 100; i++) db.put(`big${i}`, 'string', Buffer.alloc(1000, 'x'));
  const { commands } = await entries(keyspace);
  const list = commands.flat().filter((argv) => argv[1] === 'list');
  assert.equal(list.map((argv) => argv.length - 2), [128, 128, 44]);
  assert.equal(list.flatMap((argv) => argv.slice(2)), Array.from({ length: 300 }, (_, i) => String(i)));
  assert.is(commands.length, 2);
  assert.is(commands.flat().length, 103);
});

test('an empty keyspace is an empty snapshot', async () => {
  assert.equal(await entries(new Keyspace(16)), { commands: [], bytes: 0 });
});

/** A server that is not listening: its keyspace, its commands and its replay. */
function offlineServer(): Server {
  const server = new Server(new Config({ databases: 4 }), new Logger({ logLevel: 'warning' }));
  server.keyspace.now = NOW;
  return server;
}

/** 3000 keys of every type over databases 0 to 2, some with expiry times. */
function populate(server: Server): void {
  for (const db of server.keyspace.databases.slice(0, 3)) {
    for (let i = 0; i < 1000; i++) {
      const key = `k${i}`;
      switch (i % 5) {
        case 0:
          db.put(key, 'string', Buffer.from(`v${i}`));
          break;
        case 1:
          db.put(key, 'list', new Deque([Buffer.from('a'), Buffer.from(`${i}`)]));
          break;
        case 2: {
          const hash = new Dict<Buffer>();
          hash.set('f', Buffer.from(`${i}`));
          db.put(key, 'hash', hash);
          break;
        }
        case 3: {
          const set = new Dict<null>();
          set.set(`m${i}`, null);
          db.put(key, 'set', set);
          break;
        }
        default: {
          const zset = new SortedSet();
          zset.add(`m${i}`, i / 7);
          db.put(key, 'zset', zset);
        }
      }
      if (i % 3 === 0) db.setExpire(key, NOW + 1000 + i);
    }
  }
}

/** Replays snapshot entries into a fresh server, as recovery would, and dumps what they rebuilt. */
function rebuilt(entries: Buffer[]): ReturnType<typeof dumpKeyspace> {
  const fresh = offlineServer();
  for (const entry of entries) fresh.replay(entry);
  return dumpKeyspace(fresh);
}

function collect(entries: Buffer[]): (payload: Payload) => void {
  return (payload) => void entries.push(copyPayload(payload));
}

test('the snapshot is the keyspace as it began, while its walk goes on over turns and the keys change', async () => {
  const server = offlineServer();
  populate(server);
  const expected = dumpKeyspace(server);
  const entries: Buffer[] = [];
  let turns = 0;
  const done = writeSnapshot(server.keyspace, collect(entries), { now: NOW, stepMs: 0, turn: () => new Promise((resolve) => setImmediate(resolve)).then(() => turns++) });
  const [db0, db1, db2, db3] = server.keyspace.databases;
  let round = 0;
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    // Keys the walk has and has not reached yet, each way a key changes.
    for (const db of [db0, db1]) {
      for (let i = round; i < 1000; i += 41) {
        const e = db.lookup(`k${i}`);
        if (e?.type === 'string') e.value[0] = 0x2a;
        else if (e?.type === 'list') e.value.pushBack(Buffer.from('pushed'));
        else if (e?.type === 'hash') e.value.set('f', Buffer.from('changed'));
        else if (e?.type === 'set') e.value.delete(`m${i}`);
        else if (e?.type === 'zset') e.value.add('new', -1);
      }
      db.put(`k${(round * 7) % 1000}`, 'string', Buffer.from('replaced'));
      db.delete(`k${(round * 11 + 3) % 1000}`);
      db.put(`fresh${round}`, 'string', Buffer.from('new'));
      db.setExpire(`k${(round * 13 + 1) % 1000}`, NOW + 1);
      db.persist(`k${(round * 17) % 1000}`);
    }
    if (round === 3) db0.swapWith(db1);
    if (round === 5) db2.clear();
    if (round === 6) db3.put('in3', 'string', Buffer.from('new'));
    round++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await done;
  assert.ok(turns > 20, `the walk took ${turns} turns`);
  assert.equal(rebuilt(entries), expected);
});

test('a snapshot stops when aborted, and the next one sees every key', async () => {
  const server = offlineServer();
  populate(server);
  const abort = new AbortController();
  const stopped = writeSnapshot(server.keyspace, () => {}, { now: NOW, stepMs: 0, signal: abort.signal });
  abort.abort(new Error('stop'));
  await stopped.then(() => assert.unreachable(), (err: Error) => assert.is(err.message, 'stop'));
  assert.is(server.keyspace.capturing, false);
  for (let i = 0; i < 2000; i++) server.keyspace.databases[0].put(`after${i}`, 'string', Buffer.from('x'));
  const expected = dumpKeyspace(server);
  const entries: Buffer[] = [];
  await writeSnapshot(server.keyspace, collect(entries), { now: NOW });
  assert.equal(rebuilt(entries), expected);
});

test('a write its table did not see first makes the snapshot fail rather than hold the new value', async () => {
  const server = offlineServer();
  populate(server);
  const db = server.keyspace.databases[0];
  // Looked up before the snapshot, changed after it began: the table is not asked again.
  const entry = db.lookup('k0');
  const snapshot = writeSnapshot(server.keyspace, () => {}, { now: NOW });
  if (entry?.type !== 'string') throw new Error('k0 is a string');
  entry.value[0] = 0x2a;
  server.signalModified(db, 'k0');
  await snapshot.then(() => assert.unreachable(), (err: Error) => assert.is(err.message, 'the snapshot missed a write to "k0" in db 0'));
});

test.run();
