// Restart recovery on a real directory: every acknowledged write is back,
// expiry times are absolute (an expired key stays gone), a MULTI/EXEC is all
// or nothing; also after SIGKILL of a server process under load from several
// clients, and across compactions (also one whose snapshot walks the keyspace
// while clients change it) and CONFIG SET switches of the mode.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis5';
import { dumpKeyspace } from '../helpers/replay.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { infoField, isSegment, settle, spawnServer, waitFor } from './helpers.js';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'velocitydb-durability-'));
  dirs.push(dir);
  return dir;
}
test.after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function withServer<T>(dir: string, run: (client: Redis, server: TestServer) => Promise<T>): Promise<T> {
  const server = await startServer({ durability: 'adaptive', dir });
  const client = new Redis({ port: server.port });
  try {
    return await run(client, server);
  } finally {
    client.disconnect();
    await server.stop();
  }
}

test('restart: acknowledged writes, absolute TTLs, expired keys stay gone, transactions whole', async () => {
  const dir = freshDir();
  const ttlBefore = await withServer(dir, async (client) => {
    await client.set('s', 'v');
    await client.incrby('n', 41);
    await client.incr('n');
    await client.rpush('l', 'a', 'b', 'c');
    await client.lpop('l');
    await client.set('short', 'x', 'PX', 100);
    await client.set('long', 'y', 'EX', 100);
    await client.expire('s', 1000);
    await client.multi().set('m1', '1').set('m2', '2').incr('n').exec();
    const ttl = await client.pttl('long');
    await client.select(3);
    await client.set('in3', 'z');
    return ttl;
  });
  await settle(150); // 'short' expires while the server is down
  await withServer(dir, async (client) => {
    assert.equal(await client.mget('s', 'n', 'm1', 'm2', 'short'), ['v', '43', '1', '2', null]);
    assert.equal(await client.lrange('l', 0, -1), ['b', 'c']);
    const ttl = await client.pttl('long');
    assert.ok(ttl > 0 && ttl <= ttlBefore - 150, `the TTL kept running while down: ${ttl} after ${ttlBefore}`);
    assert.ok((await client.ttl('s')) > 990);
    assert.is(await client.exists('short'), 0);
    await client.select(3);
    assert.is(await client.get('in3'), 'z');
  });
  // The expired key was deleted (and that logged) at the second run, not resurrected at the third.
  await withServer(dir, async (client) => assert.is(await client.exists('short'), 0));
});

test('BGREWRITEAOF compacts into a snapshot; a restart replays base plus later writes', async () => {
  const dir = freshDir();
  await withServer(dir, async (client, server) => {
    for (let i = 0; i < 50; i++) await client.set(`k${i}`, `v${i}`);
    await client.rpush('list', ...Array.from({ length: 300 }, (_, i) => `e${i}`));
    await client.set('ttl', 'x', 'EX', 500);
    await client.select(5);
    await client.set('db5', 'five');
    await client.bgrewriteaof();
    await waitFor(() => infoField(server.server.durableLog?.infoLines().join('\n') ?? '', 'aof_base_size') !== '0', 'the compaction');
    await client.set('db5', 'after');
  });
  await withServer(dir, async (client) => {
    assert.is(await client.get('k49'), 'v49');
    assert.is(await client.llen('list'), 300);
    assert.is(await client.lindex('list', 299), 'e299');
    assert.ok((await client.ttl('ttl')) > 490);
    await client.select(5);
    assert.is(await client.get('db5'), 'after');
  });
});

test('a compaction walks the keyspace while clients change it: base plus later writes rebuild it exactly', async () => {
  const dir = freshDir();
  let interleaved = 0;
  const before = await withServer(dir, async (client, server) => {
    const fill = client.pipeline();
    for (let i = 0; i < 30000; i++) {
      const key = `k${i}`;
      if (i % 5 === 0) fill.set(key, `v${i}`.padEnd(8, '.'));
      else if (i % 5 === 1) fill.rpush(key, 'a', `${i}`);
      else if (i % 5 === 2) fill.hset(key, 'f', `${i}`);
      else if (i % 5 === 3) fill.sadd(key, 'm', `${i}`);
      else fill.zadd(key, i, 'm');
      if (i % 7 === 0) fill.expire(key, 1000);
    }
    fill.select(2).set('in2', 'two').select(3).set('in3', 'three').select(0);
    await fill.exec();
    const inProgress = async (): Promise<boolean> => infoField(await client.info('persistence'), 'aof_rewrite_in_progress') === '1';
    await client.bgrewriteaof();
    // Each round changes keys ahead of the walk and behind it, in every way a key changes.
    for (let round = 0; await inProgress(); round++) {
      const k = (n: number): string => `k${(round * 613 + n * 4099) % 30000}`;
      const results = await client
        .pipeline()
        .set(k(0), 'samesize')
        .append(k(1), '+')
        .rpush(k(2), 'x')
        .lpop(k(3))
        .hset(k(4), 'g', `${round}`)
        .sadd(k(5), 'n')
        .srem(k(6), 'm')
        .zincrby(k(7), 1, 'm')
        .del(k(8))
        .rename(k(9), `renamed${round}`)
        .copy(k(10), `copy${round}`)
        .expire(k(11), 500)
        .persist(k(12))
        .set(`new${round}`, 'x')
        .call('COPY', k(13), 'copied', 'DB', '3', 'REPLACE')
        .move(k(14), 2)
        .call('SWAPDB', '2', '3')
        .exec();
      // Keys change type and go away: only those errors are expected.
      const errors = results?.flatMap(([error]) => (error === null ? [] : [error.message]));
      assert.equal(errors?.filter((message) => !/^WRONGTYPE|^ERR no such key/.test(message)), []);
      interleaved++;
      if (round === 5) await client.select(3).then(() => client.flushdb()).then(() => client.select(0));
    }
    assert.ok(server.server.durableLog?.rewriteInfo.lastStatus === 'ok', 'the compaction succeeded');
    assert.ok(readdirSync(dir).some((name) => name.startsWith('base-')), 'the log has a base now');
    return dumpKeyspace(server.server);
  });
  assert.ok(interleaved >= 3, `writes ran while the snapshot was taken (${interleaved} rounds)`);
  await withServer(dir, async (_client, server) => assert.equal(dumpKeyspace(server.server), before));
});

test('a shutdown gives a compaction under way up: the log as it was and the writes after it are replayed', async () => {
  const dir = freshDir();
  const keys = Array.from({ length: 30000 }, (_, i) => `k${i}`);
  await withServer(dir, async (client) => {
    const fill = client.pipeline();
    for (const key of keys) fill.set(key, key);
    await fill.exec();
    await client.bgrewriteaof();
    await client.set('after', 'yes');
  });
  assert.equal(readdirSync(dir).filter((name) => !isSegment(name)), [], 'no base was installed, no temporary file left');
  await withServer(dir, async (client) => {
    assert.equal(await client.mget(...keys), keys);
    assert.is(await client.get('after'), 'yes');
  });
});

test('the log is compacted automatically past auto-aof-rewrite-min-size and -percentage, and stays bounded', async () => {
  const dir = freshDir();
  await withServer(dir, async (client) => {
    await client.config('SET', 'auto-aof-rewrite-min-size', '4kb', 'auto-aof-rewrite-percentage', '100');
    // The same 10 keys over and over: the log grows, the keyspace does not.
    for (let round = 0; round < 20; round++) {
      const pipeline = client.pipeline();
      for (let i = 0; i < 10; i++) pipeline.set(`key${i}`, `${round}`.padEnd(40, '.'));
      await pipeline.exec();
    }
    const persistence = async (field: string): Promise<number> => Number(infoField(await client.info('persistence'), field));
    await waitFor(async () => (await persistence('aof_rewrites')) >= 1, 'an automatic compaction');
    assert.ok((await persistence('aof_current_size')) < 8192, 'the log stays bounded');
    assert.ok((await persistence('wal_bytes')) > 8192, 'more than that was written');
  });
  await withServer(dir, async (client) => assert.is(await client.get('key9'), '19'.padEnd(40, '.')));
});

test('CONFIG SET durability none -> adaptive starts the log from a snapshot of memory', async () => {
  const dir = freshDir();
  await withServer(dir, async (client) => {
    await client.config('SET', 'durability', 'none');
    await client.set('unlogged', '1');
    assert.is(infoField(await client.info('persistence'), 'aof_enabled'), '0');
    await client.config('SET', 'appendonly', 'yes', 'appendfsync', 'always');
    await client.set('logged', '2');
    await client.config('SET', 'wal-batch-max', '16');
    const info = await client.info('persistence');
    assert.is(infoField(info, 'wal_durability'), 'adaptive');
    assert.is(infoField(info, 'wal_batch_max'), '16');
    assert.equal(await client.config('GET', 'appendfsync'), ['appendfsync', 'always']);
  });
  await withServer(dir, async (client) => assert.equal(await client.mget('unlogged', 'logged'), ['1', '2']));
});

test('a switch from none while clients write: the snapshot under way and the writes held behind it rebuild the keyspace', async () => {
  const dir = freshDir();
  const before = await withServer(dir, async (client, server) => {
    await client.config('SET', 'durability', 'none');
    const fill = client.pipeline();
    for (let i = 0; i < 30000; i++) {
      if (i % 2 === 0) fill.set(`k${i}`, `v${i}`);
      else fill.hset(`k${i}`, 'f', `${i}`);
    }
    await fill.exec();
    const writer = client.duplicate();
    try {
      const switched = client.config('SET', 'appendonly', 'yes', 'appendfsync', 'always');
      // Their replies wait for the new log: sent a millisecond apart, not
      // awaited, until the switch's snapshot has begun and ended.
      const { keyspace } = server.server;
      const rounds: Promise<unknown>[] = [];
      let sentWhileCapturing = 0;
      for (let round = 0; round < 2000 && (sentWhileCapturing === 0 || keyspace.capturing); round++) {
        if (keyspace.capturing) sentWhileCapturing++;
        const k = (n: number): string => `k${(round * 1499 + n * 7001) % 30000}`;
        rounds.push(writer.pipeline().set(k(0), 'new').hset(k(1), 'g', `${round}`).del(k(2)).rename(k(3), `renamed${round}`).set(`fresh${round}`, 'x').exec());
        await settle(1);
      }
      await switched;
      await Promise.all(rounds);
      assert.ok(sentWhileCapturing > 0, 'writes were sent while the snapshot was taken');
    } finally {
      writer.disconnect();
    }
    assert.is(infoField(await client.info('persistence'), 'wal_durability'), 'adaptive');
    return dumpKeyspace(server.server);
  });
  await withServer(dir, async (_client, server) => assert.equal(dumpKeyspace(server.server), before));
});

test('SIGKILL under load from several clients: every acknowledged write and transaction survives, whole', async () => {
  const dir = freshDir();
  const server = await spawnServer(dir, ['--durability', 'adaptive']);
  const acked = new Map<string, string>();
  const transactions: number[] = [];
  let running = true;
  const worker = async (id: number): Promise<void> => {
    const client = new Redis({ port: server.port, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      for (let i = 0; running; i++) {
        if (i % 5 === 4) {
          await client.multi().set(`tx:${id}:${i}:a`, 'a').set(`tx:${id}:${i}:b`, 'b').exec();
          transactions.push(id * 1e6 + i);
        } else {
          // A pipeline of 20 on each turn: batches of several entries.
          const pipeline = client.pipeline();
          for (let j = 0; j < 20; j++) pipeline.set(`k:${id}:${i}:${j}`, `${i}.${j}`);
          const results = await pipeline.exec();
          results?.forEach(([error], j) => error === null && acked.set(`k:${id}:${i}:${j}`, `${i}.${j}`));
        }
      }
    } catch {
      // The server died: whatever was not acknowledged may be lost.
    } finally {
      client.disconnect();
    }
  };
  const workers = [1, 2, 3, 4].map(worker);
  await settle(400);
  await server.kill();
  running = false;
  await Promise.all(workers);
  assert.ok(acked.size > 100, `some load was acknowledged (${acked.size})`);

  await withServer(dir, async (client) => {
    const keys = [...acked.keys()];
    const values = await client.mget(...keys);
    const missing = keys.filter((key, i) => values[i] !== acked.get(key));
    assert.equal(missing, [], 'every acknowledged write is there');
    for (const tx of transactions) {
      const [id, i] = [Math.floor(tx / 1e6), tx % 1e6];
      assert.equal(await client.mget(`tx:${id}:${i}:a`, `tx:${id}:${i}:b`), ['a', 'b']);
    }
    // Transactions that were not acknowledged are there entirely or not at all.
    const halves = new Map<string, number>();
    for (const key of await client.keys('tx:*')) {
      const whole = key.slice(0, -2);
      halves.set(whole, (halves.get(whole) ?? 0) + 1);
    }
    assert.equal([...halves.values()].filter((n) => n !== 2), []);
  });
});

test.run();
