// Simulated power cuts through the server: its log lives in the fault layer,
// which keeps only what completed fdatasyncs made durable. Real clients
// (ioredis 5, node-redis 6) write a mixed load with transactions; power is cut
// at a random file operation (several seeds); a new server recovers from the
// surviving files and must hold every acknowledged write, every transaction
// whole or absent. The old server's pending fdatasyncs never complete, as on a
// machine that lost power, so whatever was not acknowledged stays so.
//
// Torn writes at every byte offset of the last batch: test/wal/recovery.test.ts
// tears the last frame at each offset (keep = 0..frame length) and checks the
// recovered prefix and that the log continues cleanly; the server only hands
// the log opaque records, so a server-level copy would add nothing but time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FaultFileLayer } from '../wal/fault-file-layer.js';
import type { TestServer } from '../helpers/server.js';
import { abandon, faultServer, prng, settle, waitFor, Workload } from './helpers.js';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

test('power cut at random points under load: every acknowledged write survives, transactions whole or absent', async () => {
  const cuts: string[] = [];
  for (const seed of SEEDS) {
    const random = prng(seed);
    const files = new FaultFileLayer();
    let server: TestServer | null = (await faultServer({ fsyncConcurrency: 1 + Math.floor(random() * 4) }, files)).server;
    const load = new Workload();
    try {
      // Two rounds per seed: the second cut hits a log that already went through one recovery.
      for (let round = 0; round < 2; round++) {
        await load.start(server.port, ['ioredis5', 'node-redis6', 'ioredis5'], `p${seed}r${round}`, 1 + Math.floor(random() * 12));
        const target = 50 + Math.floor(random() * 400);
        await waitFor(() => load.acked > target, 'some acknowledged load');
        const opsBefore = files.ops;
        files.cutPowerAtOp(1 + Math.floor(random() * 40));
        await waitFor(() => files.poweredOff, 'the power cut');
        // Nothing is acknowledged after the cut: let replies in flight land, then drop the clients.
        await settle(20);
        const acked = load.acked;
        abandon(server.server);
        server = null;
        await load.stop();
        cuts.push(`seed ${seed}.${round}: ${acked} acknowledged, cut after ${files.ops - opsBefore} file operations`);

        files.revive();
        server = (await faultServer({}, files)).server;
        await load.verify(server.port);
      }
    } finally {
      await load.stop();
      if (server) await server.stop();
    }
  }
  assert.is(cuts.length, 2 * SEEDS.length, cuts.join('\n'));
});

test.run();
