// The keyspace as RESP commands that rebuild it (the base of a log
// compaction, and of a switch from durability none to a file mode). Each
// entry is a self-contained record as replay expects: it starts in db 0, so
// entries of another database open with SELECT. Expiry times are absolute
// (PEXPIREAT); keys whose time has passed are left out.
import { CommandWriter } from '../resp/encode-command.js';
import { formatDouble } from '../resp/double.js';
import type { KeyEntry, Keyspace } from '../store/keyspace.js';
import type { Payload } from '../wal/frame.js';

/** Elements (or field-value pairs) per rebuilding command, so no single command gets huge. */
const ELEMENTS_PER_COMMAND = 128;
/** Bytes gathered into one snapshot entry before it is handed over. */
const ENTRY_BYTES = 64 * 1024;

type Emit = (argv: (Buffer | string)[]) => void;

/** Appends the snapshot of keyspace as of `now`; returns its size in bytes. */
export function writeSnapshot(keyspace: Keyspace, append: (payload: Payload) => void, now = Date.now()): number {
  let total = 0;
  const writer = new CommandWriter(2 * ENTRY_BYTES);
  const emit: Emit = (argv) => writer.command(argv);
  const flush = (): void => {
    if (writer.length === 0) return;
    // append copies the entry: the writer's buffer is reused.
    append(writer.bytes());
    total += writer.length;
    writer.reset();
  };
  for (const db of keyspace.databases) {
    for (const [key, entry] of db.keys) {
      const when = db.expires.size > 0 ? db.expireAt(key) : undefined;
      if (when !== undefined && when <= now) continue;
      if (writer.length === 0 && db.index !== 0) emit(['SELECT', String(db.index)]);
      rebuild(key, entry, emit);
      if (when !== undefined) emit(['PEXPIREAT', key, String(when)]);
      if (writer.length >= ENTRY_BYTES) flush();
    }
    flush();
  }
  return total;
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
