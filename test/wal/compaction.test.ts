// Compaction: snapshot then later entries, old files removed, and a crash at
// any step recovers the old chain or the new one, never a mix.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WriteAheadLog } from '../../src/wal/write-ahead-log.js';
import { FaultFileLayer } from './fault-file-layer.js';
import { DIR, appendAll, applyKv, durable, numbered, openLog, tick } from './helpers.js';

/** A workload with overwrites, so a snapshot is smaller than the log. */
const kvEntries = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `k${i % 4}=${prefix}${i}`);

/** Appends to the log and to the model the snapshot is taken from. */
function writer(wal: WriteAheadLog, log: string[]): (entries: string[]) => void {
  return (entries) => {
    appendAll(wal, entries);
    log.push(...entries);
  };
}

const snapshotOf = (log: string[]) => (append: (payload: Buffer) => void) => {
  for (const [k, v] of applyKv(numbered(log))) append(Buffer.from(`${k}=${v}`));
};

/** Writes 9 entries a turn for `turns` turns. */
async function writeTurns(write: (entries: string[]) => void, prefix: string, turns: number): Promise<void> {
  for (let t = 0; t < turns; t++) {
    write(kvEntries(`${prefix}${t}-`, 9));
    await tick();
  }
}

/** A log of 512-byte segments holding 90 durable entries over several segments. */
async function segmentedLog(): Promise<{ files: FaultFileLayer; wal: WriteAheadLog; log: string[]; write: (entries: string[]) => void }> {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files, { segmentSize: 512 });
  const log: string[] = [];
  const write = writer(wal, log);
  await writeTurns(write, 't', 10);
  await durable(wal, 90);
  return { files, wal, log, write };
}

test('compaction: snapshot then later entries, old segments removed', async () => {
  const { files, wal, log, write } = await segmentedLog();
  assert.ok(files.list(DIR).length > 2);
  let snapshotTaken = (): void => {};
  const taken = new Promise<void>((resolve) => (snapshotTaken = resolve));
  const compaction = wal.compact((append) => {
    snapshotOf(log)(append);
    snapshotTaken();
  });
  await taken;
  write(['k9=during']); // seq 91
  await compaction;
  write(['k8=after']); // seq 92
  await durable(wal, 92);
  await wal.close();
  assert.equal(files.list(DIR).filter((n) => n.startsWith('base')), ['base-000004.log']);
  assert.ok(files.list(DIR).every((n) => n === 'base-000004.log' || n >= 'wal-000004.log'), files.list(DIR).join());

  files.powerCut();
  const { wal: reopened, replayed } = await openLog(files, { segmentSize: 512 });
  assert.equal(replayed, ['90:k0=t9-8', '90:k1=t9-5', '90:k2=t9-6', '90:k3=t9-7', '91:k9=during', '92:k8=after']);
  assert.is(reopened.lastSeq, 92);
  // The new chain goes on like any other.
  appendAll(reopened, ['k7=later']);
  await durable(reopened, 93);
  await reopened.close();
  const again = await openLog(files, { segmentSize: 512 });
  assert.equal(again.replayed.slice(-2), ['92:k8=after', '93:k7=later']);
  await again.wal.close();
});

test('a segment the log rolled past is kept through a compaction and made the next segment', async () => {
  const { files, wal, log, write } = await segmentedLog();
  await wal.compact(snapshotOf(log));
  const spares = files.list(DIR).filter((n) => n.endsWith('.spare.tmp'));
  assert.is(spares.length, 1, files.list(DIR).join());
  // Enough to roll to the next segment, which the spare becomes: zero-filled and synced under its own name first.
  await writeTurns(write, 'u', 4);
  await durable(wal, 126);
  assert.ok(files.fsyncPaths.includes(`${DIR}/${spares[0]}`), 'the spare was zero-filled and synced');
  assert.ok(!files.list(DIR).includes(spares[0]), files.list(DIR).join());
  // A spare left at close is removed.
  await wal.compact(snapshotOf(log));
  assert.is(files.list(DIR).filter((n) => n.endsWith('.spare.tmp')).length, 1, files.list(DIR).join());
  await wal.close();
  assert.is(files.list(DIR).filter((n) => n.endsWith('.spare.tmp')).length, 0, files.list(DIR).join());
  files.powerCut();
  const { wal: reopened, replayed } = await openLog(files, { segmentSize: 512 });
  // Nothing of what the spare held before comes back: the state is the log's.
  const state = new Map(replayed.map((r) => r.split(':')[1].split('=') as [string, string]));
  assert.equal([...state].sort(), [...applyKv(numbered(log))].sort());
  assert.is(reopened.lastSeq, 126);
  await reopened.close();
});

/** A log in the default segment size holding 5 durable entries. */
async function healthyLog(): Promise<{ files: FaultFileLayer; wal: WriteAheadLog; log: string[]; write: (entries: string[]) => void }> {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files);
  const log: string[] = [];
  const write = writer(wal, log);
  write(kvEntries('a', 5));
  await durable(wal, 5);
  return { files, wal, log, write };
}

test('a compaction of a healthy log does not hold acknowledgements back', async () => {
  const { files, wal, log, write } = await healthyLog();
  files.holdFsyncs((path) => path.endsWith('base-next.log.tmp'));
  const compaction = wal.compact(snapshotOf(log));
  await tick(2);
  write(['k5=b']);
  await durable(wal, 6);
  assert.equal(files.heldFsyncs, [`${DIR}/base-next.log.tmp`]);
  files.stopHolding();
  await compaction;
  await wal.close();
});

test('a compaction makes the next segment before its snapshot: writes meanwhile do not wait for it', async () => {
  const { files, wal, log, write } = await healthyLog();
  // Making a segment ends with its fdatasync: held, the segment is not ready.
  files.holdFsyncs((path) => /wal-\d+\.log\.tmp$/.test(path));
  let snapshotTaken = false;
  const compaction = wal.compact((append) => {
    snapshotTaken = true;
    snapshotOf(log)(append);
  });
  await tick(2);
  write(['k5=b']);
  for (let i = 0; i < 100 && wal.durableSeq < 6; i++) await tick();
  assert.is(wal.durableSeq, 6, 'the write is acknowledged while the segment is being made');
  assert.is(snapshotTaken, false, 'the snapshot waits for the segment');
  assert.equal(files.heldFsyncs, [`${DIR}/wal-000002.log.tmp`]);
  files.stopHolding();
  await compaction;
  assert.ok(snapshotTaken);
  write(['k6=c']);
  await durable(wal, 7);
  await wal.close();
  const { wal: reopened, replayed } = await openLog(files);
  assert.equal(replayed.slice(-2), ['6:k5=b', '7:k6=c']);
  await reopened.close();
});

/** snapshotOf(log) as of the call, appended an entry per turn, calling between() after each: writes interleave. */
const spreadSnapshotOf = (log: string[], between: () => void) => async (append: (payload: Buffer) => void) => {
  const entries: string[] = [];
  snapshotOf(log)((payload) => entries.push(payload.toString()));
  for (const entry of entries) {
    append(Buffer.from(entry));
    between();
    await tick();
  }
};

async function crashDuringCompaction(cutAt: number, unhealthy: boolean, spread: boolean): Promise<{ completed: boolean; outcome: 'old' | 'new' }> {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files, { segmentSize: 512 });
  const log: string[] = [];
  const write = writer(wal, log);
  for (let t = 0; t < 6; t++) {
    write(kvEntries(`t${t}-`, 7));
    await tick();
  }
  await durable(wal, log.length);
  if (unhealthy) {
    files.failNextFsync();
    write(['k0=failed']);
    await tick(3);
    assert.is(wal.healthy, false);
  }
  files.cutPowerAtOp(cutAt);
  let completed = false;
  // Written while the compaction runs: during its snapshot, when that is spread over turns.
  const later = ['k5=c1', 'k6=c2', 'k5=c3'];
  const writeNext = (): void => {
    const e = later.shift();
    if (e !== undefined) write([e]);
  };
  wal.compact(spread ? spreadSnapshotOf(log, writeNext) : snapshotOf(log)).then(
    () => (completed = true),
    () => {},
  );
  await tick();
  while (later.length > 0 && !spread) {
    writeNext();
    await tick();
  }
  for (let i = 0; i < 100 && !files.poweredOff && !(completed && wal.durableSeq === wal.lastSeq); i++) await tick();
  const acknowledged = wal.durableSeq;
  if (!files.poweredOff) files.powerCut();
  files.revive();

  const { wal: reopened, replayed } = await openLog(files, { segmentSize: 512 });
  const recovered = reopened.lastSeq;
  const where = `cut at op ${cutAt}${unhealthy ? ' (unhealthy)' : ''}${spread ? ' (snapshot over turns)' : ''}`;
  assert.ok(recovered >= acknowledged, `${where}: recovered ${recovered} < acknowledged ${acknowledged}`);
  // Old or new chain, the state is that of the first `recovered` entries.
  assert.equal(applyKv(replayed), applyKv(numbered(log.slice(0, recovered))), where);
  const outcome = replayed[0].startsWith('1:') ? 'old' : 'new';
  if (outcome === 'old') assert.equal(replayed, numbered(log.slice(0, recovered)), where);
  await reopened.close();
  return { completed, outcome };
}

for (const [unhealthy, spread] of [[false, false], [true, false], [false, true], [true, true]]) {
  const kind = `${unhealthy ? ' that heals the log' : ''}${spread ? ', its snapshot written over turns,' : ''}`;
  test(`a crash at every step of a compaction${kind} recovers the old or the new chain`, async () => {
    const outcomes = new Set<string>();
    let cutAt = 1;
    for (; cutAt < 200; cutAt++) {
      const { completed, outcome } = await crashDuringCompaction(cutAt, unhealthy, spread);
      outcomes.add(outcome);
      if (completed) break;
    }
    assert.ok(cutAt > 10 && cutAt < 200, `compaction took ${cutAt} operations`);
    assert.equal([...outcomes].sort(), ['new', 'old']);
  });
}

test('compact() needs a file mode; none -> a file mode needs a snapshot', async () => {
  const files = new FaultFileLayer();
  const { wal } = await openLog(files, { durability: 'none' });
  await wal.compact(() => {}).then(
    () => assert.unreachable(),
    (err: Error) => assert.match(err.message, /file/),
  );
  await wal.setDurability('adaptive').then(
    () => assert.unreachable(),
    (err: Error) => assert.match(err.message, /snapshot/),
  );
  assert.is(wal.durability, 'none');
  assert.is(files.ops, 0);
});

test('switching none -> adaptive starts a log from a snapshot; adaptive -> none stops writing', async () => {
  const files = new FaultFileLayer();
  // A stale log from an earlier run: the snapshot must supersede it.
  const stale = await openLog(files);
  appendAll(stale.wal, ['k0=stale']);
  await stale.wal.close();

  const { wal } = await openLog(files, { durability: 'none' });
  const log: string[] = [];
  const write = writer(wal, log);
  write(kvEntries('mem', 6));
  const switching = wal.setDurability('adaptive', snapshotOf(log));
  await tick();
  write(['k7=during']);
  await switching;
  assert.is(wal.durability, 'adaptive');
  write(['k8=after']);
  await durable(wal, 8);
  // The stale chain's segment is kept as the spare.
  assert.equal(files.list(DIR), ['base-000002.log', 'wal-000001.spare.tmp', 'wal-000002.log']);

  await wal.setDurability('none');
  const ops = files.ops;
  write(['k9=memory-only']);
  assert.is(wal.durableSeq, 9);
  await tick(3);
  assert.is(files.ops, ops);
  await wal.close();

  files.powerCut();
  const { replayed } = await openLog(files);
  assert.equal(replayed, ['6:k0=mem4', '6:k1=mem5', '6:k2=mem2', '6:k3=mem3', '7:k7=during', '8:k8=after']);
});

test.run();
