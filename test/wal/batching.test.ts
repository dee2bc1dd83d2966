// The seed's scenario table as batcher unit tests: what arrives in one
// event-loop turn is committed in chunks of batchMax, the rest as soon as the
// turn's input is drained; plus the always / everysec / none modes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FaultFileLayer } from './fault-file-layer.js';
import { DIR, SEED_SCENARIOS, appendAll, durable, frameSizes, openLog, texts, tick } from './helpers.js';

for (const [depth, batches] of SEED_SCENARIOS) {
  test(`a pipeline of ${depth} in one turn commits as [${batches}]`, async () => {
    const files = new FaultFileLayer();
    const { wal } = await openLog(files, { fsyncConcurrency: 8 });
    const seqs = appendAll(wal, texts('e', depth));
    assert.equal(seqs, texts('', depth).map(Number));
    await durable(wal, depth);
    const stats = wal.stats();
    assert.equal(stats.recentBatchSizes, batches);
    assert.is(stats.batches, batches.length);
    assert.is(stats.entries, depth);
    // One fdatasync per batch while slots are free.
    assert.is(stats.fsyncs, batches.length);
    assert.equal(frameSizes(files, 'wal-000001.log'), batches);
    await wal.close();
  });
}

test('with every fsync slot busy, the batches sealed meanwhile are written at once and share the next fdatasync', async () => {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files, { fsyncConcurrency: 4 });
  appendAll(wal, texts('e', 1000));
  await durable(wal, 1000);
  // Batches 1-4 get their own fdatasync; 5-8 wait for a slot, are written together, in one write, and share the next one.
  assert.equal(wal.stats().recentBatchSizes, [128, 128, 128, 128, 128, 128, 128, 104]);
  assert.is(wal.stats().fsyncs, 5);
  assert.is(files.writePaths.filter((path) => path.endsWith('wal-000001.log')).length, 5);
  assert.equal(frameSizes(files, 'wal-000001.log'), [128, 128, 128, 128, 128, 128, 128, 104]);
  assert.is(files.maxInflightFsyncs, 4);
  await wal.close();
});

test('the replies of a completed fdatasync are released before the next one starts', async () => {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files, { fsyncConcurrency: 1 });
  files.holdFsyncs();
  appendAll(wal, texts('a', 3));
  await tick();
  appendAll(wal, texts('b', 2));
  await tick();
  assert.is(files.heldFsyncs.length, 1, 'one slot: the second batch waits for it');
  const inFlightAtRelease: number[] = [];
  wal.onDurable(() => inFlightAtRelease.push(files.heldFsyncs.length));
  files.release(0);
  await tick();
  assert.equal(inFlightAtRelease, [0], 'when the first batch became durable, the fdatasync of the second had not started');
  assert.is(files.heldFsyncs.length, 1, 'then it started, in the same turn');
  files.stopHolding();
  await durable(wal, 5);
  await wal.close();
});

test('connections whose input arrives in the same turn share batches', async () => {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files);
  // Three sockets' data callbacks in the same loop iteration, before the seal.
  await new Promise<void>((resolve) => {
    setImmediate(() => appendAll(wal, texts('a', 10)));
    setImmediate(() => appendAll(wal, texts('b', 100)));
    setImmediate(() => {
      appendAll(wal, texts('c', 30));
      resolve();
    });
  });
  await durable(wal, 140);
  assert.equal(wal.stats().recentBatchSizes, [128, 12]);
  await wal.close();
});

test('input in separate turns makes separate batches, a lone request commits alone', async () => {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files);
  appendAll(wal, texts('a', 3));
  await tick();
  appendAll(wal, texts('b', 2));
  await tick();
  wal.append(Buffer.from('c'));
  await durable(wal, 6);
  assert.equal(wal.stats().recentBatchSizes, [3, 2, 1]);
  await wal.close();
});

test('batchMax 0 commits a whole turn as one batch', async () => {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files, { batchMax: 0 });
  appendAll(wal, texts('e', 1000));
  await durable(wal, 1000);
  assert.equal(wal.stats().recentBatchSizes, [1000]);
  await wal.close();
});

test('setBatchMax applies at once, sealing an open batch already over it', async () => {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files, { batchMax: 0 });
  appendAll(wal, texts('a', 15));
  wal.setBatchMax(10);
  appendAll(wal, texts('b', 12));
  await durable(wal, 27);
  assert.equal(wal.stats().recentBatchSizes, [15, 10, 2]);
  assert.throws(() => wal.setBatchMax(-1), RangeError);
  await wal.close();
});

test('recentBatchSizes keeps the last 16, oldest first', async () => {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files);
  for (let n = 1; n <= 20; n++) {
    appendAll(wal, texts('x', n));
    await tick();
  }
  await durable(wal, 210);
  assert.equal(wal.stats().recentBatchSizes, texts('', 16, 5).map(Number));
  await wal.close();
});

test('always: one entry per batch, one fdatasync per entry, never two in flight', async () => {
  const files = new FaultFileLayer();
  const { wal, durables } = await openLog(files, { durability: 'always', fsyncConcurrency: 4 });
  appendAll(wal, texts('e', 5));
  await durable(wal, 5);
  assert.equal(wal.stats().recentBatchSizes, [1, 1, 1, 1, 1]);
  assert.is(wal.stats().fsyncs, 5);
  assert.is(files.maxInflightFsyncs, 1);
  assert.equal(durables, [1, 2, 3, 4, 5]);
  await wal.close();
});

test('everysec: acknowledged at write, fdatasync only from the timer or at close', async () => {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files, { durability: 'everysec' });
  const before = files.fsyncCalls;
  appendAll(wal, texts('e', 3));
  assert.is(wal.durableSeq, 0);
  await tick();
  assert.is(wal.durableSeq, 3);
  assert.is(files.fsyncCalls, before);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  assert.is(files.fsyncCalls, before + 1);
  wal.append(Buffer.from('last'));
  await wal.close();
  assert.is(files.fsyncCalls, before + 2);
});

test('none: no files, everything durable at once, onDurable at the end of the turn', async () => {
  const files = new FaultFileLayer();
  const { wal, durables } = await openLog(files, { durability: 'none' });
  assert.is(files.ops, 0);
  assert.is(wal.append(Buffer.from('a')), 1);
  assert.is(wal.append(Buffer.from('b')), 2);
  assert.is(wal.durableSeq, 2);
  await tick();
  assert.equal(durables, [2]);
  await wal.close();
  assert.is(files.ops, 0);
  assert.equal(files.list(DIR), []);
});

test('switching between file modes at run time', async () => {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files);
  appendAll(wal, texts('a', 3));
  await durable(wal, 3);
  await wal.setDurability('always');
  appendAll(wal, texts('b', 2));
  await durable(wal, 5);
  await wal.setDurability('everysec');
  appendAll(wal, texts('c', 2));
  await tick();
  assert.is(wal.durableSeq, 7);
  await wal.setDurability('adaptive');
  appendAll(wal, texts('d', 4));
  await durable(wal, 11);
  assert.equal(wal.stats().recentBatchSizes, [3, 1, 1, 2, 4]);
  await wal.close();
});

test.run();
