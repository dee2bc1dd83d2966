// INFO persistence while the log is being replayed at start: loading:1 and
// Redis 7.0's loading_* fields (start time, total and loaded bytes, percent,
// ETA), which disappear once recovery is done, read in process with the
// replay held at a segment's read; and over the wire: the server listens
// before recovery, as Redis does, and answers -LOADING meanwhile.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis5';
import { infoText } from '../../src/commands/info.js';
import { Config } from '../../src/config.js';
import { DurableLog } from '../../src/server/durability.js';
import { Logger } from '../../src/server/logger.js';
import { Server } from '../../src/server/server.js';
import { FaultFileLayer } from '../wal/fault-file-layer.js';
import { freePort } from '../../compat/servers.js';
import { openServer } from '../../src/start.js';
import { startServer } from '../helpers/server.js';
import { connect, DIR, infoField, isSegment, waitFor } from './helpers.js';

const SEGMENT = 4096;

/** Holds the read of the n-th segment (from 1) until release(). */
class HeldReadLayer extends FaultFileLayer {
  reads = 0;
  holdAt = 0;
  waiting = false;
  releaseRead: () => void = () => {};

  override async readFile(path: string): Promise<Buffer> {
    if (isSegment(path) && ++this.reads === this.holdAt) {
      this.waiting = true;
      await new Promise<void>((resolve) => (this.releaseRead = resolve));
      this.waiting = false;
    }
    return super.readFile(path);
  }
}

test('during recovery INFO shows loading:1 and the loading_* fields; afterwards loading:0 and none of them', async () => {
  const files = new HeldReadLayer();
  const writer = await startServer({ durability: 'adaptive', dir: DIR }, { files, segmentSize: SEGMENT });
  const client = new Redis({ port: writer.port });
  for (let i = 0; i < 60; i++) await client.set(`key:${i}`, 'x'.repeat(200));
  client.disconnect();
  await writer.stop();
  assert.ok(files.list(DIR).filter(isSegment).length >= 3, `several segments: ${files.list(DIR)}`);
  for (const holdAt of [1, 3]) {
    // What this recovery will read (the first one removes an empty prepared segment at the end).
    const sizes = files.list(DIR).filter(isSegment).map((name) => files.read(`${DIR}/${name}`).length);
    const total = sizes.reduce((a, b) => a + b, 0);
    files.holdAt = holdAt;
    files.reads = 0;
    const server = new Server(new Config({ port: 0, bind: '127.0.0.1', durability: 'adaptive', dir: DIR }), new Logger({ logLevel: 'warning' }));
    const before = Math.floor(Date.now() / 1000);
    const opening = DurableLog.open(server, { files, segmentSize: SEGMENT });
    try {
      await waitFor(() => files.waiting, `the read of segment ${holdAt}`);
      const info = infoText(server, ['persistence']);
      assert.is(infoField(info, 'loading'), '1');
      const start = Number(infoField(info, 'loading_start_time'));
      assert.ok(start >= before && start <= Math.floor(Date.now() / 1000), `loading_start_time ${start}`);
      const loaded = sizes.slice(0, holdAt - 1).reduce((a, b) => a + b, 0);
      assert.is(Number(infoField(info, 'loading_total_bytes')), total, 'the total is known before the first byte is read');
      assert.is(Number(infoField(info, 'loading_loaded_bytes')), loaded);
      assert.is(infoField(info, 'loading_loaded_perc'), ((loaded * 100) / total).toFixed(2));
      assert.match(infoField(info, 'loading_eta_seconds'), /^\d+$/);
      assert.is(infoField(info, 'loading_rdb_used_mem'), '0');
      // Redis's order: the loading block follows the persistence section's own fields.
      const names = info.split('\r\n').map((line) => line.split(':')[0]);
      assert.ok(names.indexOf('loading_start_time') > names.indexOf('module_fork_last_cow_size'));
    } finally {
      files.releaseRead();
      await opening;
    }
    const after = infoText(server, ['persistence']);
    assert.is(infoField(after, 'loading'), '0');
    assert.not.match(after, /loading_/);
    await server.shutdown();
  }
});

test('clients connected during recovery get -LOADING, INFO loading:1, and the data once it is loaded', async () => {
  const files = new HeldReadLayer();
  const writer = await startServer({ durability: 'adaptive', dir: DIR }, { files, segmentSize: SEGMENT });
  const client = new Redis({ port: writer.port });
  for (let i = 0; i < 20; i++) await client.set(`key:${i}`, 'x'.repeat(200));
  client.disconnect();
  await writer.stop();
  files.holdAt = 1;
  files.reads = 0;
  const port = await freePort();
  const opening = openServer(new Config({ port, bind: '127.0.0.1', durability: 'adaptive', dir: DIR }), new Logger({ logLevel: 'warning' }), { files, segmentSize: SEGMENT });
  let released = false;
  try {
    await waitFor(() => files.waiting, 'the read of the first segment');
    const conn = await connect(port);
    conn.send(['GET', 'key:1'], ['INFO', 'persistence'], ['DBSIZE']);
    await waitFor(() => conn.received().split('-LOADING').length === 3, 'two LOADING errors');
    const reply = conn.received();
    assert.ok(reply.startsWith('-LOADING Redis is loading the dataset in memory\r\n'), reply.slice(0, 80));
    assert.match(reply, /\r\nloading:1\r\n/);
    assert.ok(reply.endsWith('-LOADING Redis is loading the dataset in memory\r\n'), 'DBSIZE waits for nothing: it is refused');
    files.releaseRead();
    released = true;
    const server = await opening;
    conn.send(['DBSIZE'], ['GET', 'key:1']);
    await waitFor(() => conn.received().endsWith(`$200\r\n${'x'.repeat(200)}\r\n`), 'the data after loading');
    assert.ok(conn.received().includes(':20\r\n'));
    conn.close();
    await server.shutdown();
  } finally {
    if (!released) files.releaseRead();
  }
});

test.run();
