// HyperLogLog commands (hyperloglog.c): PFADD, PFCOUNT, PFMERGE. An HLL is a
// string value in Redis's exact layout (store/hyperloglog.ts returns new
// Buffers, so stored values never change in place).
//
// PFCOUNT of one key whose cached cardinality is stale writes the fresh count
// into the value; Redis counts that as a change (signalModifiedKey, dirty++)
// and propagates PFCOUNT itself, so it is logged here too, although PFCOUNT
// is not flagged as a write.
import { ERR } from '../errors.js';
import type { Client } from '../server/client.js';
import { notify, NOTIFY } from '../server/notify.js';
import type { Config } from '../config.js';
import { HllUnion, isValidHll, pfadd as hllAdd, pfcount as hllCount } from '../store/hyperloglog.js';
import { lookupRead, str } from './args.js';
import { ReplyError } from './reply-error.js';
import type { HandlerTable } from './table.js';

const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const INVALID_HLL = 'INVALIDOBJ Corrupted HLL object detected';

/** hll-sparse-max-bytes (CONFIG SET keeps it in Config.settings; Redis's default 3000). */
function sparseMaxBytes(config: Config): number {
  const value = (config as { settings?: Map<string, unknown> }).settings?.get('hll-sparse-max-bytes');
  return typeof value === 'bigint' || typeof value === 'number' ? Number(value) : 3000;
}

/** isHLLObjectOrReply: the value, WRONGTYPE for other types and for strings that are not HLLs. */
function checkedHll(value: { type: string; value: unknown }): Buffer {
  if (value.type !== 'string') throw new ReplyError(ERR.wrongType);
  const buf = value.value as Buffer;
  if (!isValidHll(buf)) throw new ReplyError(NOT_HLL);
  return buf;
}

function pfadd(c: Client, argv: Buffer[]): void {
  const key = str(argv[1]);
  const db = c.db;
  const entry = db.lookup(key);
  const old = entry === undefined ? null : checkedHll(entry);
  const result = hllAdd(old, argv.slice(2), sparseMaxBytes(c.server.config));
  if (result.value !== old) {
    // Also after INVALIDOBJ: Redis keeps the registers set before the failing
    // element. The change is logged (replaying PFADD fails the same way).
    db.put(key, 'string', result.value, true);
    c.modified(key);
  }
  if (result.corrupt) throw new ReplyError(INVALID_HLL);
  if (result.updated) notify(c.server, NOTIFY.string, 'pfadd', key, db.index);
  c.reply.integer(result.updated ? 1 : 0);
}

function pfcount(c: Client, argv: Buffer[]): void {
  if (argv.length > 2) {
    const union = new HllUnion();
    for (let j = 1; j < argv.length; j++) {
      const entry = lookupRead(c, str(argv[j]));
      if (entry === undefined) continue;
      if (!union.add(checkedHll(entry))) throw new ReplyError(INVALID_HLL);
    }
    c.reply.integer(union.count());
    return;
  }
  const key = str(argv[1]);
  const entry = lookupRead(c, key);
  if (entry === undefined) {
    c.reply.integer(0);
    return;
  }
  const value = checkedHll(entry);
  const result = hllCount(value);
  if (result === null) throw new ReplyError(INVALID_HLL);
  if (result.value !== value) {
    c.db.put(key, 'string', result.value, true);
    c.modified(key);
    c.log(argv);
  }
  c.reply.integer(result.count);
}

function pfmerge(c: Client, argv: Buffer[]): void {
  const union = new HllUnion();
  for (let j = 1; j < argv.length; j++) {
    const entry = lookupRead(c, str(argv[j]));
    if (entry === undefined) continue;
    if (!union.add(checkedHll(entry))) throw new ReplyError(INVALID_HLL);
  }
  const key = str(argv[1]);
  const db = c.db;
  const dest = db.lookup(key);
  const value = union.store(dest === undefined ? null : (dest.value as Buffer), sparseMaxBytes(c.server.config));
  db.put(key, 'string', value, true);
  c.modified(key);
  notify(c.server, NOTIFY.string, 'pfadd', key, db.index);
  c.reply.ok();
}

export const hyperloglogCommands: HandlerTable = { pfadd, pfcount, pfmerge };
