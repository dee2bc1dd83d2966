// The seed's scenario table (seed-adaptive-batch-flushing.md) through the
// server: a pipeline of depth d that arrives in one read on an idle server is
// committed as floor(d/128) batches of 128 and one of the rest; the input of
// one event-loop turn, from any number of connections, is committed in chunks
// of at most 128; a lone request/response client gets one batch per command.
// Every reply arrives, and none before a completed fdatasync made its entry
// durable (fdatasyncs are held and released one at a time; what "durable"
// means is read from the fault layer: what a power cut would keep).
//
// The kernel may split one socket write into several reads, and so split a
// turn. The server's reads are watched: the batches must always be what the
// turns that actually happened give, and a table case is retried until its
// pipeline arrived in one read (it fits one 64 KiB read: 1000 SETs are 35 KB).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { infoText } from '../../src/commands/info.js';
import type { Server } from '../../src/server/server.js';
import { scanSegment } from '../../src/wal/frame.js';
import type { FaultFileLayer } from '../wal/fault-file-layer.js';
import { SEED_SCENARIOS } from '../wal/helpers.js';
import { connect, count, DIR, faultServer, infoField, isSegment, onServerRead, waitFor, type RawConnection } from './helpers.js';
import type { TestServer } from '../helpers/server.js';

const BATCH_MAX = 128;
const OK = '+OK\r\n';
/** SET k0001 v0001: every command of the load is this many bytes. */
const COMMAND_BYTES = 35;

function setCommand(tag: string, i: number): string[] {
  const n = String(i).padStart(4, '0');
  return ['SET', `${tag}${n}`, `v${n}`];
}

/** The seed's rule for n entries sealed together: chunks of batch-max, then the rest. */
function chunks(n: number, max = BATCH_MAX): number[] {
  const sizes: number[] = Array.from({ length: Math.floor(n / max) }, () => max);
  if (n % max > 0) sizes.push(n % max);
  return sizes;
}

/**
 * Watches the server's reads of some sockets and groups the commands they
 * completed by event-loop turn: the batches the log must show are the chunks
 * of each turn's commands.
 */
class TurnRecorder {
  /** Commands completed per turn, in order. */
  readonly turns: number[] = [];
  reads = 0;
  /** Reads after stop() are not the load's. */
  stopped = false;
  private turnOpen = false;

  watch(server: Server, conn: RawConnection): void {
    let bytes = 0;
    onServerRead(server, conn, (chunk) => {
      if (this.stopped) return;
      this.reads++;
      const before = Math.floor(bytes / COMMAND_BYTES);
      bytes += chunk.length;
      const completed = Math.floor(bytes / COMMAND_BYTES) - before;
      if (!this.turnOpen) {
        // Runs in the check phase of this loop iteration, with the log's own
        // turn end (scheduled after this, by the server's handler).
        this.turnOpen = true;
        this.turns.push(0);
        setImmediate(() => (this.turnOpen = false));
      }
      this.turns[this.turns.length - 1] += completed;
    });
  }

  get expectedBatches(): number[] {
    return this.turns.flatMap((n) => chunks(n));
  }
}

/** Entries a power cut would keep now: those in frames of the segments' durable contents. */
function durableEntries(files: FaultFileLayer): number {
  let n = 0;
  for (const name of files.list(DIR)) {
    if (!isSegment(name)) continue;
    for (const frame of scanSegment(files.readDurable(`${DIR}/${name}`)).frames) n += frame.entries.length;
  }
  return n;
}

/** Fails the test later if a connection ever holds more acknowledgments than durable entries (over all watched connections). */
class AckWatcher {
  readonly violations: string[] = [];
  private readonly conns: RawConnection[] = [];
  constructor(private readonly files: FaultFileLayer) {}

  watch(conn: RawConnection): void {
    this.conns.push(conn);
    conn.socket.on('data', () => {
      const acked = this.acked;
      const durable = durableEntries(this.files);
      if (acked > durable) this.violations.push(`${acked} replies received while only ${durable} entries were durable`);
    });
  }

  get acked(): number {
    return this.conns.reduce((n, c) => n + count(c.received(), OK), 0);
  }
}

function persistence(server: TestServer): string {
  return infoText(server.server, ['persistence']);
}

/**
 * Sends each connection's SETs in one socket write (all in this turn), with
 * fdatasyncs held; checks the batches against the turns the server saw, then
 * releases the fdatasyncs one by one and checks that replies follow exactly
 * what became durable. Returns the turns and the batches seen.
 */
async function run(depths: number[]): Promise<{ turns: number[]; reads: number; batches: number[] }> {
  const { server, files } = await faultServer({ batchMax: BATCH_MAX });
  const conns: RawConnection[] = [];
  try {
    const recorder = new TurnRecorder();
    const acks = new AckWatcher(files);
    for (let c = 0; c < depths.length; c++) {
      const conn = await connect(server.port);
      conns.push(conn);
      recorder.watch(server.server, conn);
      acks.watch(conn);
    }
    files.holdFsyncs(isSegment);
    const total = depths.reduce((a, b) => a + b, 0);
    depths.forEach((d, c) => conns[c].send(...Array.from({ length: d }, (_, i) => setCommand(String.fromCharCode(97 + c), i))));
    await waitFor(() => server.server.lastSeq === total, `all ${total} SETs logged`);
    await waitFor(() => files.heldFsyncs.length > 0, 'an fdatasync');
    // The turn end that seals the last batch has run (the fdatasync follows its write).
    await new Promise((resolve) => setImmediate(resolve));

    const info = persistence(server);
    const batches = infoField(info, 'wal_recent_batch_sizes').split(',').map(Number);
    assert.is(Number(infoField(info, 'wal_entries')), total, 'every SET is in a batch');
    assert.is(Number(infoField(info, 'wal_batches')), recorder.expectedBatches.length, `batches for turns ${recorder.turns}`);
    assert.equal(batches, recorder.expectedBatches.slice(-16), `batches are the chunks of each turn's commands (turns: ${recorder.turns})`);
    assert.ok(batches.every((n) => n > 0 && n <= BATCH_MAX), `no batch over ${BATCH_MAX}: ${batches}`);
    assert.is(acks.acked, 0, 'nothing is acknowledged before an fdatasync completes');

    // Release the fdatasyncs one at a time: after each, exactly what became durable is acknowledged.
    for (let step = 0; acks.acked < total; step++) {
      if (step > 2 * total) assert.unreachable('the replies never all arrived');
      await waitFor(() => files.heldFsyncs.length > 0 || acks.acked === total, 'the next fdatasync');
      if (files.heldFsyncs.length === 0) break;
      files.release(0);
      const durable = durableEntries(files);
      await waitFor(() => acks.acked === durable, `the replies of the ${durable} durable entries (have ${acks.acked})`);
      assert.equal(acks.violations, []);
    }
    assert.is(acks.acked, total, 'every reply arrived');
    assert.equal(acks.violations, []);
    conns.forEach((conn, c) => assert.is(conn.received(), OK.repeat(depths[c]), `connection ${c}: ${depths[c]} replies, nothing else`));

    // The same numbers over the wire.
    recorder.stopped = true;
    files.stopHolding();
    const before = conns[0].received().length;
    conns[0].send(['INFO', 'persistence']);
    await waitFor(() => conns[0].received().includes('wal_last_seq'), 'INFO');
    const wire = conns[0].received().slice(before);
    assert.is(infoField(wire, 'wal_recent_batch_sizes'), batches.join(','));
    assert.is(Number(infoField(wire, 'wal_durable_seq')), total);
    return { turns: recorder.turns, reads: recorder.reads, batches: recorder.expectedBatches };
  } finally {
    files.stopHolding();
    for (const conn of conns) conn.close();
    await server.stop();
  }
}

for (const [depth, table] of SEED_SCENARIOS) {
  test(`depth ${depth} in one read on an idle server: batches ${table.join(',')}, each reply after its fdatasync`, async () => {
    assert.equal(chunks(depth), table, 'the project reading of the seed');
    for (let attempt = 1; ; attempt++) {
      const { reads, batches } = await run([depth]);
      if (reads === 1) {
        assert.equal(batches, table);
        return;
      }
      // The kernel split the write: the batches matched the turns; try for one read again.
      if (attempt === 3) assert.unreachable(`the ${depth * COMMAND_BYTES}-byte pipeline never arrived in one read (3 attempts)`);
    }
  });
}

test('three connections writing in the same turn: one turn, committed in chunks of at most 128', async () => {
  for (let attempt = 1; ; attempt++) {
    const { turns, batches } = await run([100, 150, 70]);
    if (turns.length === 1) {
      assert.equal(turns, [320]);
      assert.equal(batches, [128, 128, 64], 'the entries of one turn, across connections, in chunks of 128');
      return;
    }
    if (attempt === 3) assert.unreachable(`the three pipelines never arrived in one turn (3 attempts; turns ${turns})`);
  }
});

test('a lone request/response client: one batch per command, no waiting for a second packet', async () => {
  const { server } = await faultServer({ batchMax: BATCH_MAX });
  const conn = await connect(server.port);
  try {
    for (let i = 1; i <= 20; i++) {
      conn.send(setCommand('r', i));
      // No timer and no second packet: the turn's end commits it.
      await waitFor(() => count(conn.received(), OK) === i, `reply ${i}`);
      assert.is(Number(infoField(persistence(server), 'wal_batches')), i);
    }
    const info = persistence(server);
    assert.is(infoField(info, 'wal_recent_batch_sizes'), Array(16).fill(1).join(','));
    assert.is(infoField(info, 'wal_entries'), '20');
    assert.is(infoField(info, 'wal_fsyncs'), '20');
  } finally {
    conn.close();
    await server.stop();
  }
});

test.run();
