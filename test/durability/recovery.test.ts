// Restart recovery on a real directory: every acknowledged write is back,
// expiry times are absolute (an expired key stays gone), a MULTI/EXEC is all
// or nothing; also after SIGKILL of a server process under load from several
// clients, and across compactions and CONFIG SET switches of the mode.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis5';
import { startServer, type TestServer } from '../helpers/server.js';
import { infoField, settle, spawnServer, waitFor } from './helpers.js';

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
