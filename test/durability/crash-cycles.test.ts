// 20 SIGKILL cycles under load on one directory: a server process, clients of
// both libraries (ioredis 5, node-redis 6) writing SET, INCR, RPUSH, HSET,
// ZADD and MULTI/EXEC with several commands in flight each, killed at a random
// moment; after each restart every acknowledged write of every cycle so far is
// there (a counter at least its acknowledged value, at most the INCRs sent;
// lists a prefix of the pushes sent, holding all acknowledged ones, in order),
// every transaction whole or absent, and what an earlier restart recovered is
// unchanged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prng, settle, spawnServer, Workload, type ChildServer } from './helpers.js';

const CYCLES = 20;

test(`${CYCLES} SIGKILL cycles under load: nothing acknowledged is lost, transactions whole or absent`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'velocitydb-crash-cycles-'));
  const random = prng(Number(process.env.CRASH_SEED ?? 20_240_601));
  const load = new Workload();
  let server: ChildServer | null = null;
  const perCycle: number[] = [];
  try {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const t0 = Date.now();
      server = await spawnServer(dir);
      const t1 = Date.now();
      // Everything acknowledged before the earlier kills is back.
      await load.verify(server.port);
      if (process.env.DEBUG_CYCLES) console.log(`cycle ${cycle}: start ${t1 - t0} ms, verify ${Date.now() - t1} ms, acked before ${load.totalAcked}`);
      await load.start(server.port, ['ioredis5', 'node-redis6', 'ioredis5', 'node-redis6'], `c${cycle}`, 1 + Math.floor(random() * 16));
      await settle(100 + Math.floor(random() * 400));
      await server.kill('SIGKILL');
      server = null;
      await load.stop();
      perCycle.push(load.acked);
    }
    server = await spawnServer(dir);
    await load.verify(server.port);
  } finally {
    await server?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(
    perCycle.every((n) => n > 0),
    `every cycle had acknowledged writes before its kill: ${perCycle.join(' ')}`,
  );
  assert.ok(load.totalAcked > 1000, `a real load: ${load.totalAcked} acknowledged commands`);
});

test.run();
