// Bitmap operations on string values with Redis's semantics (bitops.c): bit 0
// is the most significant bit of the first byte. Writers grow the string with
// zero bytes first (growToBit), then modify it in place, so the caller must own
// the Buffer it passes to setBit and bitfieldWrite.

import { parseInt64, INT64_MAX } from '../resp/integers.js';

export type BitUnit = 'byte' | 'bit';

/** lookupStringForBitCommand: `value` zero-extended so that bit `offset` exists. */
export function growToBit(value: Buffer | null, offset: number): Buffer {
  const needed = Math.floor(offset / 8) + 1;
  if (value && value.length >= needed) return value;
  const grown = Buffer.alloc(needed);
  value?.copy(grown);
  return grown;
}

export function getBit(value: Buffer | null, offset: number): 0 | 1 {
  const byte = Math.floor(offset / 8);
  if (!value || byte >= value.length) return 0;
  return ((value[byte] >> (7 - (offset & 7))) & 1) as 0 | 1;
}

/** Sets one bit of a value already grown to hold it; returns the old bit. */
export function setBit(value: Buffer, offset: number, bit: 0 | 1): 0 | 1 {
  const old = getBit(value, offset);
  const byte = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset & 7));
  value[byte] = bit ? value[byte] | mask : value[byte] & ~mask;
  return old;
}

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

function popcount(p: Uint8Array, from: number, to: number): number {
  let bits = 0;
  for (let i = from; i < to; i++) bits += POPCOUNT[p[i]];
  return bits;
}

/**
 * A start/end range as BITCOUNT and BITPOS normalize it: negative indexes
 * count from the end, then clamp; in BIT units the edge bytes get masks of the
 * bits outside the range.
 */
interface ByteRange {
  start: number;
  end: number;
  firstMask: number;
  lastMask: number;
}

function normalizeRange(length: number, start: number, end: number, unit: BitUnit): ByteRange {
  const total = unit === 'bit' ? length * 8 : length;
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (unit === 'bit' && start <= end) {
    return {
      start: Math.floor(start / 8),
      end: Math.floor(end / 8),
      firstMask: ~((1 << (8 - (start & 7))) - 1) & 0xff,
      lastMask: (1 << (7 - (end & 7))) - 1,
    };
  }
  return { start, end, firstMask: 0, lastMask: 0 };
}

/** BITCOUNT: set bits in the whole value, or in [start, end] of the given unit. */
export function bitcount(value: Buffer, start?: number, end?: number, unit: BitUnit = 'byte'): number {
  if (start === undefined || end === undefined) return popcount(value, 0, value.length);
  if (start < 0 && end < 0 && start > end) return 0;
  const r = normalizeRange(value.length, start, end, unit);
  if (r.start > r.end) return 0;
  let count = popcount(value, r.start, r.end + 1);
  count -= POPCOUNT[value[r.start] & r.firstMask] + POPCOUNT[value[r.end] & r.lastMask];
  return count;
}

/**
 * redisBitpos: first bit equal to `bit` in bytes [from, from+count), counted
 * from `from`; when looking for 0 and finding none, count*8 (the string is
 * taken as zero-padded), when looking for 1 and finding none, -1.
 */
function firstBit(p: Uint8Array, from: number, count: number, bit: 0 | 1): number {
  const skip = bit ? 0 : 0xff;
  for (let i = 0; i < count; i++) {
    const b = p[from + i];
    if (b === skip) continue;
    const bits = bit ? b : ~b & 0xff;
    return i * 8 + Math.clz32(bits) - 24;
  }
  return bit ? -1 : count * 8;
}

/**
 * BITPOS. A missing key (null) is all zeros. Without `end`, a search for 0
 * that finds none answers the bit just past the range (the string is taken as
 * zero-padded); with `end` it answers -1.
 */
export function bitpos(value: Buffer | null, bit: 0 | 1, start?: number, end?: number, unit: BitUnit = 'byte'): number {
  if (!value) return bit ? -1 : 0;
  let r: ByteRange;
  if (start === undefined) {
    r = { start: 0, end: value.length - 1, firstMask: 0, lastMask: 0 };
  } else {
    const defaultEnd = unit === 'bit' ? value.length * 8 + 7 : value.length - 1;
    r = normalizeRange(value.length, start, end ?? defaultEnd, unit);
  }
  if (r.start > r.end) return -1;
  // The ported walk of bitposCommand: masked first byte, whole middle, masked last byte.
  let from = r.start;
  let bytes = r.end - r.start + 1;
  let pos = 0;
  found: {
    if (r.firstMask) {
      let tmp = bit ? value[from] & ~r.firstMask : value[from] | r.firstMask;
      if (r.lastMask && bytes === 1) tmp = bit ? tmp & ~r.lastMask : tmp | r.lastMask;
      pos = firstBit(Uint8Array.of(tmp & 0xff), 0, 1, bit);
      if (bytes === 1 || (pos !== -1 && pos !== 8)) break found;
      from++;
      bytes--;
    }
    const whole = bytes - (r.lastMask ? 1 : 0);
    if (whole > 0) {
      pos = firstBit(value, from, whole, bit);
      if (bytes === whole || (pos !== -1 && pos !== whole * 8)) break found;
      from += whole;
      bytes -= whole;
    }
    const tmp = bit ? value[r.end] & ~r.lastMask : value[r.end] | r.lastMask;
    pos = firstBit(Uint8Array.of(tmp & 0xff), 0, 1, bit);
  }
  if (end !== undefined && bit === 0 && pos === bytes * 8) return -1;
  return pos === -1 ? -1 : pos + from * 8;
}

export type BitOp = 'and' | 'or' | 'xor' | 'not';

/**
 * BITOP over the source values (null: missing key, an empty string); shorter
 * ones are zero-padded. An empty result means Redis deletes the destination.
 */
export function bitop(op: BitOp, sources: (Buffer | null)[]): Buffer {
  let maxlen = 0;
  for (const s of sources) if (s && s.length > maxlen) maxlen = s.length;
  const out = Buffer.alloc(maxlen);
  const first = sources[0];
  if (first) first.copy(out);
  if (op === 'not') {
    for (let j = 0; j < maxlen; j++) out[j] = ~out[j] & 0xff;
    return out;
  }
  for (let i = 1; i < sources.length; i++) {
    const s = sources[i];
    const len = s ? s.length : 0;
    if (op === 'and') {
      for (let j = 0; j < len; j++) out[j] &= (s as Buffer)[j];
      out.fill(0, len);
    } else if (op === 'or') {
      for (let j = 0; j < len; j++) out[j] |= (s as Buffer)[j];
    } else {
      for (let j = 0; j < len; j++) out[j] ^= (s as Buffer)[j];
    }
  }
  return out;
}

// ---------------------------------------------------------------- BITFIELD

export interface BitfieldType {
  signed: boolean;
  bits: number;
}

export type BitfieldOverflow = 'wrap' | 'sat' | 'fail';

/**
 * "i1".."i64" or "u1".."u63"; null means "ERR Invalid bitfield type. Use
 * something like i16 u8. Note that u64 is not supported but i64 is."
 */
export function parseBitfieldType(arg: Buffer): BitfieldType | null {
  const sign = arg[0];
  if (sign !== 105 /* i */ && sign !== 117 /* u */) return null;
  const nul = arg.indexOf(0, 1); // Redis reads the width with strlen()
  const bits = parseInt64(arg.subarray(1, nul < 0 ? arg.length : nul));
  const signed = sign === 105;
  if (bits === null || bits < 1n || bits > (signed ? 64n : 63n)) return null;
  return { signed, bits: Number(bits) };
}

function wrapInt64(n: bigint): bigint {
  return BigInt.asIntN(64, n);
}

/**
 * A bit offset argument (GETBIT, SETBIT, BITFIELD): a non-negative integer,
 * or for BITFIELD (`bits` > 0) "#N" meaning N * bits. null means "ERR bit
 * offset is not an integer or out of range"; like Redis, offsets at or past
 * maxBulkLen bytes are refused.
 */
export function parseBitOffset(arg: Buffer, maxBulkLen: number, bits = 0): number | null {
  const hash = arg[0] === 35 /* # */ && bits > 0;
  let offset = parseInt64(hash ? arg.subarray(1) : arg);
  if (offset === null) return null;
  if (hash) offset = wrapInt64(offset * BigInt(bits)); // C's long long overflow wraps
  if (offset < 0n || offset >> 3n >= BigInt(maxBulkLen)) return null;
  return Number(offset);
}

function readUnsigned(p: Uint8Array, offset: number, bits: number): bigint {
  let value = 0n;
  for (let j = 0; j < bits; j++, offset++) {
    const byte = Math.floor(offset / 8);
    const bit = byte < p.length ? (p[byte] >> (7 - (offset & 7))) & 1 : 0;
    value = (value << 1n) | BigInt(bit);
  }
  return value;
}

function read(p: Uint8Array, offset: number, type: BitfieldType): bigint {
  const u = readUnsigned(p, offset, type.bits);
  return type.signed ? BigInt.asIntN(type.bits, u) : u;
}

function write(p: Uint8Array, offset: number, bits: number, value: bigint): void {
  for (let j = 0; j < bits; j++, offset++) {
    const bit = (value >> BigInt(bits - 1 - j)) & 1n;
    const byte = Math.floor(offset / 8);
    const mask = 1 << (7 - (offset & 7));
    p[byte] = bit ? p[byte] | mask : p[byte] & ~mask;
  }
}

/** BITFIELD GET: missing bytes (and a missing key, null) read as zeros. */
export function bitfieldGet(value: Buffer | null, offset: number, type: BitfieldType): bigint {
  return value ? read(value, offset, type) : 0n;
}

/**
 * checkSignedBitfieldOverflow / checkUnsignedBitfieldOverflow, emulating their
 * C integer arithmetic: null when value + incr fits, else the value to store
 * under WRAP or SAT.
 */
function overflowResult(value: bigint, incr: bigint, type: BitfieldType, overflow: BitfieldOverflow): bigint | null {
  const { bits } = type;
  if (type.signed) {
    const max = bits === 64 ? INT64_MAX : (1n << BigInt(bits - 1)) - 1n;
    const min = -max - 1n;
    const maxincr = wrapInt64(max - value);
    const minincr = wrapInt64(min - value);
    let limit: bigint;
    if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) limit = max;
    else if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) limit = min;
    else return null;
    return overflow === 'wrap' ? BigInt.asIntN(bits, value + incr) : limit;
  }
  // Unsigned: `value` is a uint64, incr an int64.
  const max = (1n << BigInt(bits)) - 1n;
  const maxincr = wrapInt64(max - value);
  const minincr = wrapInt64(-value);
  let limit: bigint;
  if (value > max || (incr > 0n && incr > maxincr)) limit = max;
  else if (incr < 0n && incr < minincr) limit = 0n;
  else return null;
  return overflow === 'wrap' ? BigInt.asUintN(bits, value + incr) : limit;
}

export interface BitfieldWriteResult {
  /** The reply: the old value for SET, the new one for INCRBY, null when FAIL refused it. */
  reply: bigint | null;
  /** Whether the stored bits changed. */
  changed: boolean;
}

/**
 * BITFIELD SET (arg: the int64 to store) or INCRBY (arg: the int64 increment)
 * on a value already grown to hold the field, modified in place.
 */
export function bitfieldWrite(
  value: Buffer,
  offset: number,
  type: BitfieldType,
  op: 'set' | 'incrby',
  arg: bigint,
  overflow: BitfieldOverflow,
): BitfieldWriteResult {
  const old = read(value, offset, type);
  // SET checks the new value itself for fit; an unsigned field sees it as a uint64.
  const base = op === 'set' ? (type.signed ? arg : BigInt.asUintN(64, arg)) : old;
  const incr = op === 'set' ? 0n : arg;
  const limited = overflowResult(base, incr, type, overflow);
  if (limited !== null && overflow === 'fail') return { reply: null, changed: false };
  const next = limited ?? base + incr;
  write(value, offset, type.bits, next);
  return { reply: op === 'set' ? old : next, changed: next !== old };
}

