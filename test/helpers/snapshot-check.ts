// Snapshots taken one after another while a test's commands run, each
// checked against the keyspace as it was when the snapshot began. A
// snapshot's walk starts only after a few writes (or a pause in them), and
// sleeps between steps, so the commands of the test change keys the walk has
// not reached yet: if any path changed a key without its table seeing it
// first, the snapshot would hold the new value (or miss the key), and the
// check fails. Every in-process server without a log runs it
// (test/helpers/server.ts), so every command the suites exercise is checked.
import { Config } from '../../src/config.js';
import { Logger } from '../../src/server/logger.js';
import { Server } from '../../src/server/server.js';
import { writeSnapshot } from '../../src/server/snapshot.js';
import type { Payload } from '../../src/wal/frame.js';
import { copyPayload } from './log-capture.js';
import { dumpKeyspace, type KeyspaceDump } from './replay.js';

export interface SnapshotCheck {
  /** Waits for the snapshot under way; returns what the checks found wrong since the last call. */
  settle(): Promise<string[]>;
  /** Stops taking snapshots (after the one under way). */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Writes a snapshot's walk waits for before it starts, */
const WAIT_WRITES = 5;
/** or how long without a write. */
const WAIT_MS = 20;

/**
 * The dump as a snapshot rebuilds it: without keys expired at `now` and
 * expiry times of missing keys, and with -0 scores as 0. A sorted set that
 * became a skiplist keeps -0, but rebuilt small it is a listpack, which reads
 * -0 back as 0: as after Redis's AOF rewrite, which does not keep encodings either.
 */
function rebuildable(dump: KeyspaceDump, now: number): KeyspaceDump {
  const out: KeyspaceDump = {};
  for (const [db, keys] of Object.entries(dump)) {
    const kept = Object.entries(keys).filter(([, k]) => k.type !== 'none' && !(k.expireAt !== null && k.expireAt <= now));
    if (kept.length > 0) out[db] = Object.fromEntries(kept);
  }
  return normalizeZeros(out);
}

function normalizeZeros(dump: KeyspaceDump): KeyspaceDump {
  for (const keys of Object.values(dump)) {
    for (const k of Object.values(keys)) {
      if (k.type === 'zset') k.value = (k.value as [string, string][]).map(([member, score]): [string, string] => [member, score === '-0' ? '0' : score]);
    }
  }
  return dump;
}

export function checkSnapshots(server: Server): SnapshotCheck {
  const mirror = new Server(new Config({ databases: server.config.databases }), new Logger({ logLevel: 'warning' }));
  const problems: string[] = [];
  let running = true;
  let current: Promise<void> = Promise.resolve();

  const once = async (): Promise<void> => {
    const now = server.keyspace.now;
    // Taken in the same turn as the snapshot begins: nothing runs in between.
    const expected = rebuildable(dumpKeyspace(server), now);
    const entries: Buffer[] = [];
    const append = (payload: Payload): void => void entries.push(copyPayload(payload));
    const dirty = server.dirty;
    let turns = 0;
    const turn = async (): Promise<void> => {
      if (turns++ > 0) {
        await sleep(1);
        return;
      }
      for (let seen = server.dirty, idle = 0; server.dirty - dirty < WAIT_WRITES && idle < WAIT_MS; idle++) {
        await sleep(1);
        if (server.dirty !== seen) [seen, idle] = [server.dirty, 0];
      }
    };
    try {
      await writeSnapshot(server.keyspace, append, { now, stepMs: 0, turn });
    } catch (err) {
      problems.push(`the snapshot failed: ${(err as Error).message}`);
      return;
    }
    for (const db of mirror.keyspace.databases) db.clear();
    for (const entry of entries) mirror.replay(entry);
    const rebuilt = normalizeZeros(dumpKeyspace(mirror));
    if (JSON.stringify(rebuilt) !== JSON.stringify(expected)) {
      const clip = (dump: KeyspaceDump): string => JSON.stringify(dump).slice(0, 2000);
      problems.push(`the snapshot rebuilds ${clip(rebuilt)}, the keyspace was ${clip(expected)}`);
    }
  };

  const loop = async (): Promise<void> => {
    while (running) {
      current = once();
      await current;
      await sleep(1);
    }
  };
  const looping = loop();

  return {
    async settle() {
      await current;
      return problems.splice(0);
    },
    async stop() {
      running = false;
      await looping;
    },
  };
}
