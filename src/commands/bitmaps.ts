// Bitmap commands (bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
// BITFIELD, BITFIELD_RO. The bit arithmetic is store/bits.ts; this module
// parses arguments in Redis's order and stores new values. A stored Buffer
// never changes in place, so writers work on a copy (or a freshly grown
// Buffer) and store it. Every write is deterministic: logged as itself.
import { ERR } from '../errors.js';
import type { Client } from '../server/client.js';
import { notify, NOTIFY } from '../server/notify.js';
import {
  bitcount,
  bitfieldGet,
  bitfieldWrite,
  bitop as computeBitop,
  bitpos as computeBitpos,
  getBit,
  growToBit,
  parseBitfieldType,
  parseBitOffset,
  setBit,
  type BitfieldOverflow,
  type BitfieldType,
  type BitOp,
  type BitUnit,
} from '../store/bits.js';
import { intArg, int64Arg, isOption, lookupReadTyped, storeOrDelete, str } from './args.js';
import { ReplyError } from './reply-error.js';
import type { HandlerTable } from './table.js';

const BITFIELD_TYPE_ERROR = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

function offsetArg(c: Client, arg: Buffer, bits = 0): number {
  const offset = parseBitOffset(arg, c.server.config.protoMaxBulkLen, bits);
  if (offset === null) throw new ReplyError(ERR.bitOffset);
  return offset;
}

/**
 * lookupStringForBitCommand: the key's string (WRONGTYPE otherwise) as a
 * private copy grown to hold bit `offset`, and whether the key is new or grew.
 */
function writableString(c: Client, key: string, offset: number): { value: Buffer; grew: boolean; existed: boolean } {
  const entry = c.db.lookup(key);
  if (entry === undefined) return { value: growToBit(null, offset), grew: true, existed: false };
  if (entry.type !== 'string') throw new ReplyError(ERR.wrongType);
  const old = entry.value;
  const grown = growToBit(old, offset);
  return { value: grown === old ? Buffer.from(old) : grown, grew: grown !== old, existed: true };
}

/** Stores a bit command's result, keeping the key's TTL as Redis's in-place edit does. */
function storeEdited(c: Client, key: string, value: Buffer, existed: boolean): void {
  c.db.put(key, 'string', value, existed);
  c.modified(key);
}

// ---- SETBIT, GETBIT ----

function setbit(c: Client, argv: Buffer[]): void {
  const offset = offsetArg(c, argv[2]);
  const on = intArg(argv[3], ERR.bitValue);
  if (on !== 0 && on !== 1) throw new ReplyError(ERR.bitValue);
  const key = str(argv[1]);
  const { value, grew, existed } = writableString(c, key, offset);
  const old = getBit(value, offset);
  if (grew || old !== on) {
    setBit(value, offset, on);
    storeEdited(c, key, value, existed);
    notify(c.server, NOTIFY.string, 'setbit', key, c.db.index);
  }
  c.reply.integer(old);
}

function getbit(c: Client, argv: Buffer[]): void {
  const offset = offsetArg(c, argv[2]);
  const value = lookupReadTyped(c, str(argv[1]), 'string');
  c.reply.integer(getBit(value, offset));
}

// ---- BITCOUNT, BITPOS ----

function unitArg(arg: Buffer): BitUnit {
  if (isOption(arg, 'bit')) return 'bit';
  if (isOption(arg, 'byte')) return 'byte';
  throw new ReplyError(ERR.syntax);
}

function bitcountCommand(c: Client, argv: Buffer[]): void {
  const value = lookupReadTyped(c, str(argv[1]), 'string');
  if (value === null) {
    c.reply.integer(0);
    return;
  }
  if (argv.length === 4 || argv.length === 5) {
    const start = intArg(argv[2]);
    const end = intArg(argv[3]);
    const unit = argv.length === 5 ? unitArg(argv[4]) : 'byte';
    c.reply.integer(bitcount(value, start, end, unit));
  } else if (argv.length === 2) {
    c.reply.integer(bitcount(value));
  } else {
    throw new ReplyError(ERR.syntax);
  }
}

function bitposCommand(c: Client, argv: Buffer[]): void {
  const bit = intArg(argv[2]);
  if (bit !== 0 && bit !== 1) throw new ReplyError('ERR The bit argument must be 1 or 0.');
  const value = lookupReadTyped(c, str(argv[1]), 'string');
  if (value === null) {
    c.reply.integer(bit ? -1 : 0);
    return;
  }
  if (argv.length >= 4 && argv.length <= 6) {
    const start = intArg(argv[3]);
    const unit = argv.length === 6 ? unitArg(argv[5]) : 'byte';
    const end = argv.length >= 5 ? intArg(argv[4]) : undefined;
    c.reply.integer(computeBitpos(value, bit, start, end, unit));
  } else if (argv.length === 3) {
    c.reply.integer(computeBitpos(value, bit));
  } else {
    throw new ReplyError(ERR.syntax);
  }
}

// ---- BITOP ----

function bitopCommand(c: Client, argv: Buffer[]): void {
  let op: BitOp;
  if (isOption(argv[1], 'and')) op = 'and';
  else if (isOption(argv[1], 'or')) op = 'or';
  else if (isOption(argv[1], 'xor')) op = 'xor';
  else if (isOption(argv[1], 'not')) op = 'not';
  else throw new ReplyError(ERR.syntax);
  if (op === 'not' && argv.length !== 4) throw new ReplyError('ERR BITOP NOT must be called with a single source key.');
  const sources: (Buffer | null)[] = [];
  for (let j = 3; j < argv.length; j++) sources.push(lookupReadTyped(c, str(argv[j]), 'string'));
  const result = computeBitop(op, sources);
  storeOrDelete(c, str(argv[2]), 'string', result.length > 0 ? result : null, NOTIFY.string, 'set');
  c.reply.integer(result.length);
}

// ---- BITFIELD, BITFIELD_RO ----

interface FieldOp {
  op: 'get' | 'set' | 'incrby';
  type: BitfieldType;
  offset: number;
  arg: bigint;
  overflow: BitfieldOverflow;
}

function bitfieldGeneric(c: Client, argv: Buffer[], readonlyCommand: boolean): void {
  const ops: FieldOp[] = [];
  let overflow: BitfieldOverflow = 'wrap';
  let writes = false;
  let highestWriteBit = 0;
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const sub = argv[j];
    let op: FieldOp['op'];
    if (isOption(sub, 'get') && remaining >= 2) op = 'get';
    else if (isOption(sub, 'set') && remaining >= 3) op = 'set';
    else if (isOption(sub, 'incrby') && remaining >= 3) op = 'incrby';
    else if (isOption(sub, 'overflow') && remaining >= 1) {
      const name = argv[++j];
      if (isOption(name, 'wrap')) overflow = 'wrap';
      else if (isOption(name, 'sat')) overflow = 'sat';
      else if (isOption(name, 'fail')) overflow = 'fail';
      else throw new ReplyError('ERR Invalid OVERFLOW type specified');
      continue;
    } else throw new ReplyError(ERR.syntax);

    const type = parseBitfieldType(argv[j + 1]);
    if (type === null) throw new ReplyError(BITFIELD_TYPE_ERROR);
    const offset = offsetArg(c, argv[j + 2], type.bits);
    let arg = 0n;
    if (op !== 'get') {
      writes = true;
      highestWriteBit = Math.max(highestWriteBit, offset + type.bits - 1);
      arg = int64Arg(argv[j + 3]);
    }
    ops.push({ op, type, offset, arg, overflow });
    j += op === 'get' ? 2 : 3;
  }

  const key = str(argv[1]);
  let value: Buffer | null;
  let existed = false;
  if (!writes) {
    value = lookupReadTyped(c, key, 'string');
  } else {
    if (readonlyCommand) throw new ReplyError('ERR BITFIELD_RO only supports the GET subcommand');
    const target = writableString(c, key, highestWriteBit);
    value = target.value;
    existed = target.existed;
  }

  const r = c.reply;
  r.array(ops.length);
  let changes = 0;
  for (const op of ops) {
    if (op.op === 'get') {
      r.integer(bitfieldGet(value, op.offset, op.type));
      continue;
    }
    const result = bitfieldWrite(value as Buffer, op.offset, op.type, op.op, op.arg, op.overflow);
    if (result.reply === null) r.nullBulk();
    else r.integer(result.reply);
    changes++;
  }
  if (changes > 0) {
    storeEdited(c, key, value as Buffer, existed);
    notify(c.server, NOTIFY.string, 'setbit', key, c.db.index);
  }
}

export const bitmapCommands: HandlerTable = {
  setbit,
  getbit,
  bitcount: bitcountCommand,
  bitpos: bitposCommand,
  bitop: bitopCommand,
  bitfield: (c, argv) => bitfieldGeneric(c, argv, false),
  bitfield_ro: (c, argv) => bitfieldGeneric(c, argv, true),
};
