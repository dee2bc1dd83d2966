// What a replay of the log must rebuild, compared exactly: every database's
// keys dumped to plain data (type, value, absolute expiry time), and a check
// that replays captured log records into a fresh server, as recovery does,
// and finds the same dump there.
import * as assert from 'uvu/assert';
import type { Server } from '../../src/server/server.js';
import type { KeyEntry } from '../../src/store/keyspace.js';
import { startServer } from './server.js';

/**
 * A key's contents: strings as their bytes (latin1, one char per byte),
 * lists in order, hash fields and set members sorted (Redis promises no
 * order), sorted sets in rank order with exact scores (String(score), -0 kept).
 * `expireAt` is the absolute time in ms, null without one; a key that is
 * gone but still has an expiry time (a leak) shows as type 'none'.
 */
export interface DumpedKey {
  type: KeyEntry['type'] | 'none';
  value: string | string[] | [string, string][] | null;
  expireAt: number | null;
}

/** Database index -> key -> contents; empty databases are left out. */
export type KeyspaceDump = Record<string, Record<string, DumpedKey>>;

function score(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

function dumpValue(entry: KeyEntry): DumpedKey['value'] {
  switch (entry.type) {
    case 'string':
      return entry.value.toString('latin1');
    case 'list':
      return [...entry.value].map((item) => item.toString('latin1'));
    case 'hash':
      return [...entry.value].map(([field, value]): [string, string] => [field, value.toString('latin1')]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    case 'set':
      return [...entry.value.keys()].sort();
    case 'zset':
      return [...entry.value.entries()].map((e): [string, string] => [e.member, score(e.score)]);
  }
}

/** The whole keyspace as plain data, read directly (nothing expires, nothing is touched). */
export function dumpKeyspace(server: Server): KeyspaceDump {
  const out: KeyspaceDump = {};
  for (const db of server.keyspace.databases) {
    const names = new Set<string>([...db.keys.keys(), ...db.expires.keys()]);
    if (names.size === 0) continue;
    const keys: Record<string, DumpedKey> = {};
    for (const key of [...names].sort()) {
      const entry = db.keys.get(key);
      keys[key] = {
        type: entry?.type ?? 'none',
        value: entry === undefined ? null : dumpValue(entry),
        expireAt: db.expireAt(key) ?? null,
      };
    }
    out[db.index] = keys;
  }
  return out;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Dumps `server` now, then (after `delayMs` of real time, so that a replay
 * computing times afresh would get other ones) replays `records` in order
 * into a fresh server and asserts its dump is the same. Returns the dump.
 */
export async function assertReplayRebuilds(server: Server, records: readonly Buffer[], options: { delayMs?: number; message?: string } = {}): Promise<KeyspaceDump> {
  // Both taken at once: nothing (a command, the expire cycle) runs in between.
  const expected = dumpKeyspace(server);
  const log = [...records];
  if (options.delayMs) await delay(options.delayMs);
  const fresh = await startServer();
  try {
    for (const record of log) fresh.server.replay(record);
    assert.equal(dumpKeyspace(fresh.server), expected, options.message ?? 'the replayed keyspace differs');
  } finally {
    await fresh.stop();
  }
  return expected;
}
