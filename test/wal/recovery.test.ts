// Recovery: torn tails are truncated, corruption before the tail stops the
// start (or is cut off with --wal-repair), segments replay in order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scanSegment } from '../../src/wal/frame.js';
import { WalCorruptionError, WriteAheadLog } from '../../src/wal/write-ahead-log.js';
import { FaultFileLayer } from './fault-file-layer.js';
import { DIR, appendAll, durable, frameSizes, numbered, openLog, texts, tick } from './helpers.js';

const SEG1 = `${DIR}/wal-000001.log`;

/** Three committed batches, then a fourth whose write is torn after keep bytes, then a power cut. */
async function tornScenario(keep: number): Promise<{ files: FaultFileLayer; committed: string[]; frameLength: number }> {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files, { segmentSize: 4096 });
  const committed: string[] = [];
  for (const n of [3, 1, 5]) {
    const batch = texts(`c${committed.length}-`, n);
    appendAll(wal, batch);
    committed.push(...batch);
    await durable(wal, committed.length);
  }
  const bytesBefore = wal.stats().bytes;
  files.holdFsyncs();
  files.tearNextWrite(keep);
  appendAll(wal, ['torn-a', 'torn-b', 'torn-c']);
  await tick();
  const frameLength = wal.stats().bytes - bytesBefore;
  files.powerCut();
  files.stopHolding();
  return { files, committed, frameLength };
}

test('a torn last batch, cut at every byte, is truncated and earlier batches are kept', async () => {
  const { frameLength } = await tornScenario(0);
  assert.ok(frameLength > 24);
  for (let keep = 0; keep <= frameLength; keep++) {
    const { files, committed } = await tornScenario(keep);
    const { wal, replayed, logs } = await openLog(files, { segmentSize: 4096 });
    if (keep < frameLength) {
      assert.equal(replayed, numbered(committed), `torn at ${keep}`);
      assert.is(logs.length, keep === 0 ? 0 : 1, `torn at ${keep}: ${logs}`);
      if (keep > 0) assert.match(logs[0], /torn write at offset \d+/);
    } else {
      // The whole write reached the disk: keeping it is fine too.
      assert.equal(replayed, numbered([...committed, 'torn-a', 'torn-b', 'torn-c']));
    }
    // The torn bytes are gone: a shorter batch written there recovers cleanly.
    appendAll(wal, ['next']);
    await durable(wal, wal.lastSeq);
    await wal.close();
    files.powerCut();
    const again = await openLog(files, { segmentSize: 4096 });
    assert.equal(again.replayed.slice(-1), [`${again.wal.lastSeq}:next`], `torn at ${keep}`);
    assert.equal(again.logs, []);
    await again.wal.close();
  }
});

async function threeBatches(files: FaultFileLayer, opts = {}): Promise<void> {
  const { wal } = await openLog(files, { segmentSize: 4096, ...opts });
  for (const name of ['a', 'b', 'c']) {
    appendAll(wal, texts(name, 4));
    await tick();
  }
  await wal.close();
}

test('corruption before the tail refuses to start, naming file, offset and --wal-repair', async () => {
  const files = new FaultFileLayer();
  await threeBatches(files);
  const frames = scanSegment(files.read(SEG1)).frames;
  files.corrupt(SEG1, frames[1].offset + 30);
  try {
    await openLog(files, { segmentSize: 4096 });
    assert.unreachable('open should have failed');
  } catch (err) {
    assert.instance(err, WalCorruptionError);
    const e = err as WalCorruptionError;
    assert.is(e.file, SEG1);
    assert.is(e.offset, frames[1].offset);
    assert.ok(e.message.includes(SEG1), e.message);
    assert.ok(e.message.includes(`offset ${frames[1].offset}`), e.message);
    assert.ok(e.message.includes('--wal-repair'), e.message);
  }
  // Refusing changed nothing.
  assert.equal(files.list(DIR), ['wal-000001.log']);
});

test('--wal-repair truncates at the corruption and keeps a copy of the segment', async () => {
  const files = new FaultFileLayer();
  await threeBatches(files);
  const original = files.read(SEG1);
  const frames = scanSegment(original).frames;
  files.corrupt(SEG1, frames[1].offset + 30);
  const damaged = files.read(SEG1);
  const { wal, replayed, logs } = await openLog(files, { segmentSize: 4096, repair: true });
  assert.equal(replayed, numbered(texts('a', 4)));
  const names = files.list(DIR);
  assert.is(names.length, 2);
  assert.is(names[0], 'wal-000001.log');
  assert.match(names[1], /^wal-000001\.log\.corrupt-\d+$/);
  assert.ok(files.read(`${DIR}/${names[1]}`).equals(damaged));
  assert.match(logs.join('\n'), /corrupt at offset \d+.*truncated there/);
  // The log continues after the cut; the repair survives a power cut.
  appendAll(wal, ['d1']);
  await durable(wal, 5);
  await wal.close();
  files.powerCut();
  const again = await openLog(files, { segmentSize: 4096 });
  assert.equal(again.replayed, numbered([...texts('a', 4), 'd1']));
  await again.wal.close();
});

test('segments roll over with a small segmentSize and replay in order', async () => {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files, { segmentSize: 512 });
  const written: string[] = [];
  for (let t = 0; t < 12; t++) {
    const batch = texts(`t${t}-`, 7);
    appendAll(wal, batch);
    written.push(...batch);
    await tick();
  }
  // A batch larger than a whole segment gets a segment of its own size.
  const big = 'x'.repeat(2000);
  wal.append(Buffer.from(big));
  written.push(big);
  await durable(wal, written.length);
  await wal.close();
  const names = files.list(DIR);
  assert.ok(names.length >= 4, names.join());
  assert.equal(names, names.map((_, i) => `wal-${String(i + 1).padStart(6, '0')}.log`));
  const perSegment = names.map((n) => frameSizes(files, n));
  assert.is(perSegment.flat().reduce((a, b) => a + b, 0), written.length);
  // The big batch sits alone in a segment sized for it; the next one was prepared ahead.
  assert.equal(perSegment.slice(-2), [[1], []]);
  assert.is(files.read(`${DIR}/${names[names.length - 2]}`).length, 24 + 4 + 2000);
  const progress: [number, number][] = [];
  const replayed: string[] = [];
  const reopened = await WriteAheadLog.open(
    { dir: DIR, durability: 'adaptive', batchMax: 128, segmentSize: 512, files },
    (payload, seq) => replayed.push(`${seq}:${payload.toString()}`),
    (loaded, total) => progress.push([loaded, total]),
  );
  assert.equal(replayed, numbered(written));
  const total = progress[0][1];
  assert.equal(progress[0], [0, total], 'the total is reported before anything is read');
  assert.ok(total > 2000);
  assert.equal(progress[progress.length - 1], [total, total]);
  assert.ok(progress.every(([loaded], i) => i === 0 || loaded >= progress[i - 1][0]));
  await reopened.close();
});

test('a segment gets no write before the previous one is fully synced', async () => {
  const files = new FaultFileLayer();
  // Slots enough that no batch waits for one.
  const { wal } = await openLog(files, { segmentSize: 512, fsyncConcurrency: 64 });
  files.holdFsyncs((path) => path.endsWith('wal-000001.log'));
  // Batches are written ahead of their fdatasyncs until one does not fit.
  let frames = -1;
  for (let n = 0; frameSizes(files, 'wal-000001.log').length > frames; n++) {
    frames = frameSizes(files, 'wal-000001.log').length;
    appendAll(wal, texts(`e${n}-`, 5));
    await tick(3);
  }
  assert.is(wal.durableSeq, 0);
  assert.equal(frameSizes(files, 'wal-000002.log'), []);
  files.stopHolding();
  await durable(wal, wal.lastSeq);
  assert.equal(frameSizes(files, 'wal-000002.log'), [5]);
  await wal.close();
});

test('a torn frame with data in a later segment is corruption, not a tail', async () => {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files, { segmentSize: 512 });
  for (let t = 0; t < 10; t++) {
    appendAll(wal, texts(`t${t}-`, 7));
    await tick();
  }
  await durable(wal, 70);
  await wal.close();
  // Damage the last frame of segment 1: only zeros follow it there.
  const frames = scanSegment(files.read(SEG1)).frames;
  const lastFrame = frames[frames.length - 1];
  files.corrupt(SEG1, lastFrame.end - 1);
  try {
    await openLog(files, { segmentSize: 512 });
    assert.unreachable('open should have failed');
  } catch (err) {
    assert.instance(err, WalCorruptionError);
    assert.is((err as WalCorruptionError).offset, lastFrame.offset);
    assert.match((err as Error).message, /later segments/);
  }
  // Repair keeps segment 1 up to there and sets the later segments aside.
  const { replayed } = await openLog(files, { segmentSize: 512, repair: true });
  const kept = frames.slice(0, -1).reduce((a, f) => a + f.entries.length, 0);
  assert.is(replayed.length, kept);
  assert.ok(files.list(DIR).some((n) => /^wal-000002\.log\.corrupt-\d+$/.test(n)));
});

test('a missing segment in the middle is corruption', async () => {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files, { segmentSize: 512 });
  for (let t = 0; t < 12; t++) {
    appendAll(wal, texts(`t${t}-`, 7));
    await tick();
  }
  await wal.close();
  assert.ok(files.list(DIR).length >= 3);
  await files.unlink(`${DIR}/wal-000002.log`);
  try {
    await openLog(files, { segmentSize: 512 });
    assert.unreachable('open should have failed');
  } catch (err) {
    assert.instance(err, WalCorruptionError);
    assert.is((err as WalCorruptionError).file, `${DIR}/wal-000003.log`);
    assert.match((err as Error).message, /wal-000002\.log is missing/);
  }
});

test('leftover .tmp files and empty prepared segments are removed', async () => {
  const files = new FaultFileLayer();
  await threeBatches(files);
  await files.mkdir(DIR);
  const fd = await files.open(`${DIR}/wal-000002.log.tmp`, true);
  files.close(fd);
  const empty = await files.open(`${DIR}/wal-000002.log`, true);
  await files.zeroFill(empty, 0, 4096);
  files.close(empty);
  const { wal, replayed } = await openLog(files, { segmentSize: 4096 });
  assert.is(replayed.length, 12);
  assert.equal(files.list(DIR), ['wal-000001.log']);
  await wal.close();
});

test.run();
