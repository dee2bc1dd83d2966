// durableSeq follows completed fdatasyncs, in order, and a power cut never
// takes back an entry that durableSeq covered.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FaultFileLayer } from './fault-file-layer.js';
import { DIR, appendAll, durable, numbered, openLog, texts, tick } from './helpers.js';

const isSegment = (path: string): boolean => path.endsWith('.log');

test('durableSeq advances only when the covering fdatasync completes', async () => {
  const files = new FaultFileLayer();
  const { wal, durables } = await openLog(files);
  files.holdFsyncs(isSegment);
  appendAll(wal, texts('e', 3));
  await tick(3);
  assert.is(wal.lastSeq, 3);
  assert.is(wal.durableSeq, 0);
  assert.equal(files.heldFsyncs, [`${DIR}/wal-000001.log`]);
  files.release(0);
  await tick();
  assert.is(wal.durableSeq, 3);
  assert.equal(durables, [3]);
  files.stopHolding();
  await wal.close();
});

test('fdatasyncs completing out of order advance durableSeq in order', async () => {
  const files = new FaultFileLayer();
  const { wal, durables } = await openLog(files, { fsyncConcurrency: 3 });
  files.holdFsyncs(isSegment);
  for (const n of [2, 3, 1]) {
    appendAll(wal, texts('e', n));
    await tick();
  }
  assert.is(files.heldFsyncs.length, 3);
  files.release(2); // covers seq 6
  await tick();
  files.release(1); // covers seq 5
  await tick();
  assert.is(wal.durableSeq, 0);
  files.release(0); // covers seq 2, and completes the prefix
  await tick();
  assert.is(wal.durableSeq, 6);
  assert.equal(durables, [6]);

  for (const n of [1, 1, 1]) {
    appendAll(wal, texts('f', n));
    await tick();
  }
  files.release(0); // seq 7
  await tick();
  assert.is(wal.durableSeq, 7);
  files.release(1); // seq 9, while 8 is still in flight
  await tick();
  assert.is(wal.durableSeq, 7);
  files.release(0); // seq 8
  await tick();
  assert.is(wal.durableSeq, 9);
  assert.equal(durables, [6, 7, 9]);
  files.stopHolding();
  await wal.close();
});

test('an fdatasync covers what was written before it was called, not after', async () => {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files, { fsyncConcurrency: 1 });
  files.holdFsyncs(isSegment);
  appendAll(wal, texts('a', 2));
  await tick();
  // The slot is busy: these are written but wait for the next fdatasync.
  appendAll(wal, texts('b', 3));
  await tick();
  appendAll(wal, texts('c', 4));
  await tick();
  assert.equal(wal.stats().recentBatchSizes, [2, 3, 4]);
  assert.is(files.heldFsyncs.length, 1);
  files.release(0);
  await tick();
  assert.is(wal.durableSeq, 2);
  assert.is(files.heldFsyncs.length, 1);
  files.release(0);
  await tick();
  assert.is(wal.durableSeq, 9);
  assert.is(wal.stats().fsyncs, 2);
  files.stopHolding();
  await wal.close();
});

/** A small deterministic PRNG for the power-cut schedules. */
function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
}

test('power cut: every acknowledged entry survives, recovery replays a prefix', async () => {
  for (let seed = 1; seed <= 40; seed++) {
    const random = prng(seed);
    const files = new FaultFileLayer();
    const { wal } = await openLog(files, { segmentSize: 2048, fsyncConcurrency: 1 + Math.floor(random() * 4) });
    files.holdFsyncs(isSegment);
    const written: string[] = [];
    const turns = 5 + Math.floor(random() * 20);
    for (let t = 0; t < turns; t++) {
      const batch = texts(`s${seed}t${t}e`, 1 + Math.floor(random() * 40));
      appendAll(wal, batch);
      written.push(...batch);
      // Let some fdatasyncs complete, in random order.
      while (files.heldFsyncs.length > 0 && random() < 0.6) files.release(Math.floor(random() * files.heldFsyncs.length));
      await tick(1 + Math.floor(random() * 2));
    }
    const acknowledged = wal.durableSeq;
    files.powerCut();
    files.stopHolding();
    const reopened = await openLog(files, { segmentSize: 2048 });
    const n = reopened.replayed.length;
    assert.ok(n >= acknowledged, `seed ${seed}: ${n} recovered < ${acknowledged} acknowledged`);
    assert.equal(reopened.replayed, numbered(written.slice(0, n)), `seed ${seed}`);
    assert.is(reopened.wal.lastSeq, n);
    // The log goes on from there.
    appendAll(reopened.wal, ['after']);
    await durable(reopened.wal, n + 1);
    await reopened.wal.close();
    const again = await openLog(files, { segmentSize: 2048 });
    assert.equal(again.replayed, numbered([...written.slice(0, n), 'after']), `seed ${seed} reopened`);
    await again.wal.close();
  }
});

test('a clean close keeps everything', async () => {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files);
  appendAll(wal, texts('e', 300));
  await wal.close();
  assert.throws(() => wal.append(Buffer.from('late')), /closed/);
  files.powerCut();
  const { replayed } = await openLog(files);
  assert.equal(replayed, numbered(texts('e', 300)));
});

test.run();
