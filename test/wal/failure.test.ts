// Write and fdatasync failures are never ignored: the affected range is
// reported, durableSeq stops, appends fail until a compaction succeeds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FaultFileLayer } from './fault-file-layer.js';
import { DIR, appendAll, durable, numbered, openLog, texts, tick } from './helpers.js';

const isSegment = (path: string): boolean => path.endsWith('.log');
const kv = (prefix: string, n: number, from = 1): string[] => texts(prefix, n, from).map((k) => `${k}=${k}`);

test('fdatasync failure: pending range reported, durableSeq frozen, later appends fail, compact heals', async () => {
  const files = new FaultFileLayer();
  const opened = await openLog(files);
  const { wal, failures } = opened;
  appendAll(wal, kv('a', 3));
  await durable(wal, 3);
  files.failNextFsync('EIO');
  appendAll(wal, kv('b', 4)); // seqs 4-7
  await tick(3);
  assert.equal(failures, [[4, 7]]);
  assert.is(wal.durableSeq, 3);
  assert.is(wal.healthy, false);
  assert.match(String(wal.error?.message), /EIO/);
  assert.is(wal.stats().healthy, false);

  // Still numbered, but failed at the end of their turn, without any I/O.
  const ops = files.ops;
  assert.equal(appendAll(wal, kv('c', 2)), [8, 9]);
  await tick();
  assert.equal(failures, [[4, 7], [8, 9]]);
  assert.is(files.ops, ops);
  assert.is(wal.durableSeq, 3);

  // The snapshot is the in-memory state: it holds the failed writes' effects too.
  const state = [...kv('a', 3), ...kv('b', 4), ...kv('c', 2)];
  await wal.compact((append) => state.forEach((e) => append(Buffer.from(e))));
  assert.is(wal.healthy, true);
  assert.is(wal.durableSeq, 9);
  appendAll(wal, kv('d', 2));
  await durable(wal, 11);
  assert.equal(failures.length, 2);
  await wal.close();

  files.powerCut();
  const { replayed } = await openLog(files);
  assert.equal(replayed, [...state.map((e) => `9:${e}`), ...numbered(kv('d', 2), 10)]);
});

test('an fdatasync failing after a later one succeeded acknowledges neither', async () => {
  const files = new FaultFileLayer();
  const { wal, failures, durables } = await openLog(files, { fsyncConcurrency: 3 });
  files.holdFsyncs(isSegment);
  appendAll(wal, kv('a', 2));
  await tick();
  files.failNextFsync();
  appendAll(wal, kv('b', 2));
  await tick();
  appendAll(wal, kv('c', 2));
  await tick();
  assert.is(files.heldFsyncs.length, 3);
  files.release(2); // seq 6: succeeds, waits for its predecessors
  files.release(0); // seq 2: succeeds
  await tick();
  assert.is(wal.durableSeq, 2);
  files.release(0); // seq 4: fails
  await tick();
  assert.equal(failures, [[3, 6]]);
  assert.is(wal.durableSeq, 2);
  assert.equal(durables, [2]);
  files.stopHolding();
  await wal.close();
});

test('write failure (ENOSPC, partly written): range reported, the partial frame is dropped at recovery', async () => {
  const files = new FaultFileLayer();
  const { wal, failures } = await openLog(files);
  appendAll(wal, kv('a', 3));
  await durable(wal, 3);
  files.failNextWrite('ENOSPC', 17);
  appendAll(wal, kv('b', 3));
  await tick();
  assert.equal(failures, [[4, 6]]);
  assert.is(wal.healthy, false);
  assert.match(String(wal.error?.message), /ENOSPC/);
  assert.is(wal.durableSeq, 3);
  await wal.close();
  files.powerCut();
  const reopened = await openLog(files);
  assert.equal(reopened.replayed, numbered(kv('a', 3)));
  assert.is(reopened.wal.healthy, true);
  await reopened.wal.close();
});

test('entries appended while a healing compaction runs are held, then committed after the snapshot', async () => {
  const files = new FaultFileLayer();
  const { wal, failures } = await openLog(files);
  appendAll(wal, kv('a', 2));
  await durable(wal, 2);
  files.failNextWrite();
  appendAll(wal, kv('b', 1));
  await tick();
  assert.equal(failures, [[3, 3]]);
  const state = [...kv('a', 2), ...kv('b', 1)];
  files.holdFsyncs((path) => path.endsWith('base-next.log.tmp'));
  const compaction = wal.compact((append) => state.forEach((e) => append(Buffer.from(e))));
  await tick(3);
  appendAll(wal, kv('c', 2)); // seqs 4, 5
  await tick(3);
  assert.is(wal.durableSeq, 2);
  assert.equal(failures, [[3, 3]]);
  files.stopHolding();
  await compaction;
  await durable(wal, 5);
  assert.equal(failures, [[3, 3]]);
  await wal.close();
  files.powerCut();
  const { replayed } = await openLog(files);
  assert.equal(replayed, [...state.map((e) => `3:${e}`), ...numbered(kv('c', 2), 4)]);
  assert.equal(files.list(DIR), ['base-000002.log', 'wal-000002.log']);
});

test('a failed healing compaction fails the entries held meanwhile; a later one still heals', async () => {
  const files = new FaultFileLayer();
  const { wal, failures } = await openLog(files);
  appendAll(wal, kv('a', 2));
  await durable(wal, 2);
  files.failNextFsync();
  appendAll(wal, kv('b', 1));
  await tick(3);
  assert.equal(failures, [[3, 3]]);
  files.holdFsyncs((path) => path.endsWith('base-next.log.tmp'));
  files.failNextFsync(); // the fdatasync of the compaction's base
  const failing = wal.compact((append) => append(Buffer.from('snapshot=1')));
  await tick(3);
  assert.equal(appendAll(wal, kv('c', 2)), [4, 5]);
  await tick(3);
  assert.equal(failures, [[3, 3]]);
  files.stopHolding();
  await failing.then(
    () => assert.unreachable('compaction should fail'),
    (err: Error) => assert.match(err.message, /EIO/),
  );
  assert.is(wal.healthy, false);
  assert.equal(failures, [[3, 3], [4, 5]]);
  assert.not.ok(files.list(DIR).some((name) => name.startsWith('base')));

  await wal.compact((append) => append(Buffer.from('snapshot=2')));
  assert.is(wal.healthy, true);
  appendAll(wal, kv('d', 1));
  await durable(wal, 6);
  await wal.close();
  files.powerCut();
  const { replayed } = await openLog(files);
  assert.equal(replayed, ['5:snapshot=2', '6:d1=d1']);
});

test('after healing, nothing of the abandoned segment is fdatasynced', async () => {
  const files = new FaultFileLayer();
  const { wal, failures } = await openLog(files, { fsyncConcurrency: 1 });
  files.holdFsyncs(isSegment);
  files.failNextFsync();
  appendAll(wal, kv('a', 2));
  await tick();
  // Written while the failing fdatasync is in flight, never covered by one.
  appendAll(wal, kv('b', 2));
  await tick();
  files.stopHolding();
  await tick(2);
  assert.equal(failures, [[1, 4]]);
  const before = files.fsyncPaths.length;
  await wal.compact((append) => [...kv('a', 2), ...kv('b', 2)].forEach((e) => append(Buffer.from(e))));
  appendAll(wal, kv('c', 1));
  await durable(wal, 5);
  await wal.close();
  assert.not.ok(files.fsyncPaths.slice(before).includes(`${DIR}/wal-000001.log`), files.fsyncPaths.slice(before).join());
});

test.run();
