// The keyspace as RESP commands that rebuild it (the base of a log
// compaction, and of a switch from durability none to a file mode), as it was
// when writeSnapshot was called. Each entry is a self-contained record as
// replay expects: it starts in db 0, and a key of another database comes
// after a SELECT. Expiry times are absolute (PEXPIREAT); keys whose time has
// passed are left out.
//
// The walk is spread over event-loop turns, a millisecond at a time, so
// that a big keyspace does not stall the clients. Every table is captured at
// the start (KeyTable.beginCapture): a key the clients touch before the walk
// reaches it is written out first, as it was. FLUSHDB and SWAPDB replace or
// swap the databases' tables rather than changing them, so the walk goes on
// over the tables it began with, under the numbers they had.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { exactExpireTime } from '../commands/expire.js';
import { CommandWriter } from '../resp/encode-command.js';
import { formatDouble } from '../resp/double.js';
import { readValuesAhead, type KeyEntry, type Keyspace } from '../store/keyspace.js';
import type { Payload } from '../wal/frame.js';

/** Elements (or field-value pairs) per rebuilding command, so no single command gets huge. */
const ELEMENTS_PER_COMMAND = 128;
/** Bytes gathered into one snapshot entry before it is handed over. */
const ENTRY_BYTES = 64 * 1024;
/** How long the walk runs before the event loop gets a turn. */
const STEP_MS = 1;
/** Buckets walked between looks at the clock. */
const STEP_BUCKETS = 64;

export interface SnapshotOptions {
  /** The time expiries are compared with (default: now). */
  now?: number;
  /** Walk time per event-loop turn in ms (0: one step of buckets per turn). */
  stepMs?: number;
  /** Stops the walk at its next turn; the promise rejects with the reason. */
  signal?: AbortSignal;
  /** How the walk waits for its next turn (default: setImmediate, after the I/O of this one). */
  turn?: () => Promise<unknown>;
}

type Emit = (argv: (Buffer | string)[]) => void;

/**
 * Appends the snapshot of keyspace as it is now; resolves with its size in
 * bytes once all of it is appended.
 */
export async function writeSnapshot(keyspace: Keyspace, append: (payload: Payload) => void, options: SnapshotOptions = {}): Promise<number> {
  const out = new SnapshotOutput(append, options.now ?? Date.now());
  const stepMs = options.stepMs ?? STEP_MS;
  const turn = options.turn ?? nextTurn;
  const tables = keyspace.databases.map(({ index, keys, expires }) => {
    keys.beginCapture((entry) => out.key(index, entry, expires), readValuesAhead);
    return keys;
  });
  keyspace.capturing = true;
  keyspace.missedByCapture = null;
  try {
    // The walk starts at the next turn: this one's caller goes on first.
    let stepStarted = -Infinity;
    for (const table of tables) {
      do {
        if (performance.now() - stepStarted < stepMs) continue;
        await turn();
        options.signal?.throwIfAborted();
        if (out.failure) throw out.failure;
        stepStarted = performance.now();
      } while (!table.captureStep(STEP_BUCKETS));
    }
  } finally {
    for (const table of tables) table.endCapture();
    keyspace.capturing = false;
  }
  if (out.failure) throw out.failure;
  // A write that changed a key without the table seeing it first: the old value is not in the snapshot.
  if (keyspace.missedByCapture !== null) throw new Error(`the snapshot missed a write to ${keyspace.missedByCapture}`);
  out.flush();
  return out.total;
}

/** The snapshot's entries as they fill: keys in any order, a SELECT wherever the database changes. */
class SnapshotOutput {
  total = 0;
  /** Why writing failed (the walk stops at its next turn): keys are written out inside clients' commands, which must not see it. */
  failure: Error | null = null;
  private readonly writer = new CommandWriter(2 * ENTRY_BYTES);
  private readonly emit: Emit = (argv) => this.writer.command(argv);
  /** The database the entry being gathered is in: entries start in db 0. */
  private db = 0;

  constructor(
    private readonly append: (payload: Payload) => void,
    private readonly now: number,
  ) {}

  key(db: number, entry: KeyEntry, expires: Map<string, number>): void {
    if (this.failure) return;
    try {
      const when = expires.size > 0 ? expires.get(entry.key) : undefined;
      if (when !== undefined && when <= this.now) return;
      if (db !== this.db) {
        this.emit(['SELECT', String(db)]);
        this.db = db;
      }
      rebuild(entry.key, entry, this.emit);
      // A double's decimal beyond 2^53 may not be the time, nor even an int64.
      if (when !== undefined) this.emit(['PEXPIREAT', entry.key, String(exactExpireTime(expires, entry.key, when))]);
      if (this.writer.length >= ENTRY_BYTES) this.flush();
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
    }
  }

  flush(): void {
    if (this.writer.length === 0) return;
    // append copies the entry: the writer's buffer is reused.
    this.append(this.writer.bytes());
    this.total += this.writer.length;
    this.writer.reset();
    this.db = 0;
  }
}

/** The commands that recreate one key with its type and contents. */
function rebuild(key: string, entry: KeyEntry, emit: Emit): void {
  switch (entry.type) {
    case 'string':
      emit(['SET', key, entry.value]);
      return;
    case 'list':
      chunked('RPUSH', key, entry.value, (value) => [value], emit);
      return;
    case 'hash':
      chunked('HSET', key, entry.value, ([field, value]) => [field, value], emit);
      return;
    case 'set':
      chunked('SADD', key, entry.value.keys(), (member) => [member], emit);
      return;
    case 'zset':
      // %.17g round-trips every double, inf and -0 included.
      chunked('ZADD', key, entry.value.entries(), ({ member, score }) => [formatDouble(score), member], emit);
      return;
  }
}

function chunked<T>(name: string, key: string, items: Iterable<T>, args: (item: T) => (Buffer | string)[], emit: Emit): void {
  let argv: (Buffer | string)[] = [name, key];
  let count = 0;
  for (const item of items) {
    for (const arg of args(item)) argv.push(arg);
    if (++count === ELEMENTS_PER_COMMAND) {
      emit(argv);
      argv = [name, key];
      count = 0;
    }
  }
  if (count > 0) emit(argv);
}
