// Redis 7.0's HyperLogLog (hyperloglog.c), byte for byte: the value of a
// string key is a 16-byte header ("HYLL", encoding, 3 unused bytes, the cached
// cardinality as 64-bit little endian whose top bit marks it stale) followed by
// either the dense registers (16384 x 6 bits, LSB first) or the sparse opcodes
// ZERO 00xxxxxx, XZERO 01xxxxxx yyyyyyyy and VAL 1vvvvvxx. Registers are found
// with MurmurHash64A (seed 0xadc83b19) and the count is Ertl's estimator.
// Every function returns new Buffers; inputs are never modified.

const P = 14;
const Q = 64 - P;
const REGISTERS = 1 << P;
const REGISTER_MAX = 63;
const HDR_SIZE = 16;
const DENSE_SIZE = HDR_SIZE + (REGISTERS * 6) / 8;
const DENSE = 0;
const SPARSE = 1;
const CARD_MSB = 15; // header byte holding the stale-cache bit
const VAL_MAX_VALUE = 32;
const VAL_MAX_LEN = 4;
const ZERO_MAX_LEN = 64;
const XZERO_MAX_LEN = 16384;
const ALPHA_INF = 0.72134752044448170368; // 0.5 / ln(2)

/** Redis's isHLLObjectOrReply: false means "WRONGTYPE Key is not a valid HyperLogLog string value." */
export function isValidHll(value: Buffer): boolean {
  if (value.length < HDR_SIZE) return false;
  if (value[0] !== 72 || value[1] !== 89 || value[2] !== 76 || value[3] !== 76) return false; // HYLL
  if (value[4] > SPARSE) return false;
  return value[4] !== DENSE || value.length === DENSE_SIZE;
}

// ---------------------------------------------------------------- hashing

/** Low 64 bits of (ah:al) * (bh:bl), all 32-bit unsigned halves. */
function mul64(ah: number, al: number, bh: number, bl: number): [number, number] {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const mid = a0 * b1 + a1 * b0;
  const low = a0 * b0 + (mid % 0x10000) * 0x10000;
  const carry = Math.floor(low / 0x100000000);
  const hi = a1 * b1 + Math.floor(mid / 0x10000) + carry + Math.imul(ah, bl) + Math.imul(al, bh);
  return [hi >>> 0, low >>> 0];
}

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;

/** MurmurHash64A as Redis has it (little-endian words), as [high, low] 32-bit halves. */
export function murmurHash64A(key: Uint8Array, seed: number): [number, number] {
  const len = key.length;
  let [hh, hl] = mul64(0, len, M_HI, M_LO);
  hl = (hl ^ seed) >>> 0;
  const words = len - (len & 7);
  for (let i = 0; i < words; i += 8) {
    let kl = (key[i] | (key[i + 1] << 8) | (key[i + 2] << 16) | (key[i + 3] << 24)) >>> 0;
    let kh = (key[i + 4] | (key[i + 5] << 8) | (key[i + 6] << 16) | (key[i + 7] << 24)) >>> 0;
    [kh, kl] = mul64(kh, kl, M_HI, M_LO);
    kl = (kl ^ (kh >>> 15)) >>> 0; // k ^= k >> 47
    [kh, kl] = mul64(kh, kl, M_HI, M_LO);
    [hh, hl] = mul64((hh ^ kh) >>> 0, (hl ^ kl) >>> 0, M_HI, M_LO);
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) {
      if (j >= 4) hh = (hh ^ (key[words + j] << (8 * (j - 4)))) >>> 0;
      else hl = (hl ^ (key[words + j] << (8 * j))) >>> 0;
    }
    [hh, hl] = mul64(hh, hl, M_HI, M_LO);
  }
  hl = (hl ^ (hh >>> 15)) >>> 0;
  [hh, hl] = mul64(hh, hl, M_HI, M_LO);
  hl = (hl ^ (hh >>> 15)) >>> 0;
  return [hh, hl];
}

function trailingZeros(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** hllPatLen: the register an element maps to and its run of zeros plus one (1..Q+1). */
function patLen(element: Uint8Array): [index: number, count: number] {
  const [hi, lo] = murmurHash64A(element, 0xadc83b19);
  const index = lo & (REGISTERS - 1);
  const low = lo >>> P; // the 18 hash bits above the index
  if (low !== 0) return [index, trailingZeros(low) + 1];
  if (hi !== 0) return [index, 32 - P + trailingZeros(hi) + 1];
  return [index, Q + 1];
}

// ---------------------------------------------------------------- registers

function denseGet(buf: Uint8Array, index: number): number {
  const byte = HDR_SIZE + ((index * 6) >> 3);
  const fb = (index * 6) & 7;
  const next = byte + 1 < DENSE_SIZE ? buf[byte + 1] : 0;
  return ((buf[byte] >> fb) | (next << (8 - fb))) & REGISTER_MAX;
}

function denseSet(buf: Uint8Array, index: number, value: number): void {
  const byte = HDR_SIZE + ((index * 6) >> 3);
  const fb = (index * 6) & 7;
  buf[byte] = (buf[byte] & ~(REGISTER_MAX << fb)) | (value << fb);
  if (byte + 1 < DENSE_SIZE) buf[byte + 1] = (buf[byte + 1] & ~(REGISTER_MAX >> (8 - fb))) | (value >> (8 - fb));
}

/** hllDenseSet: raises the register to count; true when it changed. */
function denseRaise(buf: Uint8Array, index: number, count: number): boolean {
  if (count <= denseGet(buf, index)) return false;
  denseSet(buf, index, count);
  return true;
}

const isZero = (op: number) => (op & 0xc0) === 0;
const isXzero = (op: number) => (op & 0xc0) === 0x40;
const isVal = (op: number) => (op & 0x80) !== 0;
const valValue = (op: number) => ((op >> 2) & 0x1f) + 1;
const valLen = (op: number) => (op & 3) + 1;
const valOp = (value: number, len: number) => 0x80 | ((value - 1) << 2) | (len - 1);

/** A value being edited: a buffer with room to grow and its used length. */
interface Work {
  buf: Buffer;
  len: number;
}

/** A byte of the value; past the end reads the 0 that ends an sds string. */
function byteAt(w: Work, i: number): number {
  return i < w.len ? w.buf[i] : 0;
}

function xzeroLen(w: Work, p: number): number {
  return (((w.buf[p] & 0x3f) << 8) | byteAt(w, p + 1)) + 1;
}

function zeroRun(len: number): number[] {
  if (len > ZERO_MAX_LEN) return [0x40 | ((len - 1) >> 8), (len - 1) & 0xff];
  return [len - 1];
}

function invalidateCache(buf: Uint8Array): void {
  buf[CARD_MSB] |= 0x80;
}

/** createHLLObject: an empty sparse HLL, cached cardinality 0. */
function emptyHll(): Buffer {
  const buf = Buffer.alloc(HDR_SIZE + 2 * (REGISTERS / XZERO_MAX_LEN));
  buf.write('HYLL', 0, 'latin1');
  buf[4] = SPARSE;
  for (let p = HDR_SIZE, left = REGISTERS; left > 0; p += 2) {
    const run = Math.min(left, XZERO_MAX_LEN);
    buf[p] = 0x40 | ((run - 1) >> 8);
    buf[p + 1] = (run - 1) & 0xff;
    left -= run;
  }
  return buf;
}

/** hllSparseToDense; false when the sparse opcodes do not cover exactly 16384 registers. */
function sparseToDense(w: Work): boolean {
  if (w.buf[4] === DENSE) return true;
  const dense = Buffer.alloc(DENSE_SIZE);
  w.buf.copy(dense, 0, 0, HDR_SIZE);
  dense[4] = DENSE;
  let idx = 0;
  for (let p = HDR_SIZE; p < w.len; ) {
    const op = w.buf[p];
    if (isZero(op)) {
      idx += (op & 0x3f) + 1;
      p++;
    } else if (isXzero(op)) {
      idx += xzeroLen(w, p);
      p += 2;
    } else {
      let run = valLen(op);
      if (run + idx > REGISTERS) break;
      while (run--) denseSet(dense, idx++, valValue(op));
      p++;
    }
  }
  if (idx !== REGISTERS) return false;
  w.buf = dense;
  w.len = DENSE_SIZE;
  return true;
}

/**
 * hllSparseSet: raises register `index` to `count` in a sparse value, splitting
 * and re-merging opcodes in place, promoting to dense when the count does not
 * fit a VAL opcode or the value would outgrow sparseMaxBytes.
 * Returns 1 when changed, 0 when not, -1 when the encoding is corrupt.
 */
function sparseSet(w: Work, index: number, count: number, sparseMaxBytes: number): -1 | 0 | 1 {
  if (count > VAL_MAX_VALUE) return promote(w, index, count);
  if (w.buf.length < w.len + 3) {
    const bigger = Buffer.alloc(Math.max(w.len * 2, w.len + 3));
    w.buf.copy(bigger, 0, 0, w.len);
    w.buf = bigger;
  }
  const b = w.buf;
  // Step 1: find the opcode covering `index`.
  let p = HDR_SIZE;
  let end = w.len;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const op = b[p];
    let oplen = 1;
    if (isZero(op)) span = (op & 0x3f) + 1;
    else if (isVal(op)) span = valLen(op);
    else {
      span = xzeroLen(w, p);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;

  const op = b[p];
  let next: number | null = isXzero(op) ? p + 2 : p + 1;
  if (next >= end) next = null;
  const zero = isZero(op);
  const xzero = isXzero(op);
  const runlen = zero ? (op & 0x3f) + 1 : xzero ? xzeroLen(w, p) : valLen(op);

  // Step 2: the trivial in-place cases, else split the opcode in up to three.
  let inPlace = false;
  if (!zero && !xzero) {
    if (valValue(op) >= count) return 0;
    inPlace = runlen === 1;
  } else {
    inPlace = zero && runlen === 1;
  }
  if (inPlace) {
    b[p] = valOp(count, 1);
  } else {
    const last = first + span - 1;
    const seq: number[] = [];
    if (zero || xzero) {
      if (index !== first) seq.push(...zeroRun(index - first));
      seq.push(valOp(count, 1));
      if (index !== last) seq.push(...zeroRun(last - index));
    } else {
      const current = valValue(op);
      if (index !== first) seq.push(valOp(current, index - first));
      seq.push(valOp(count, 1));
      if (index !== last) seq.push(valOp(current, last - index));
    }
    // Step 3: put the new sequence in place of the old opcode.
    const delta = seq.length - (xzero ? 2 : 1);
    if (delta > 0 && w.len + delta > sparseMaxBytes) return promote(w, index, count);
    if (delta !== 0 && next !== null) b.copyWithin(next + delta, next, end);
    w.len += delta;
    for (let i = 0; i < seq.length && p + i < w.len; i++) b[p + i] = seq[i];
    end += delta;
  }

  // Step 4: merge adjacent equal VAL opcodes, scanning 5 opcodes from prev.
  p = prev >= 0 ? prev : HDR_SIZE;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const o = b[p];
    if (isXzero(o)) {
      p += 2;
      continue;
    }
    if (isZero(o)) {
      p++;
      continue;
    }
    if (p + 1 < end && isVal(b[p + 1]) && valValue(o) === valValue(b[p + 1])) {
      const len = valLen(o) + valLen(b[p + 1]);
      if (len <= VAL_MAX_LEN) {
        b[p + 1] = valOp(valValue(o), len);
        b.copyWithin(p, p + 1, end);
        w.len--;
        end--;
        continue;
      }
    }
    p++;
  }
  invalidateCache(b);
  return 1;
}

function promote(w: Work, index: number, count: number): -1 | 1 {
  if (!sparseToDense(w)) return -1;
  denseRaise(w.buf, index, count); // always raises: the sparse form could not hold it
  return 1;
}

function raise(w: Work, index: number, count: number, sparseMaxBytes: number): -1 | 0 | 1 {
  if (w.buf[4] === DENSE) return denseRaise(w.buf, index, count) ? 1 : 0;
  return sparseSet(w, index, count, sparseMaxBytes);
}

function finish(w: Work): Buffer {
  return Buffer.from(w.buf.subarray(0, w.len));
}

export interface PfaddResult {
  /** The new value; the input itself when nothing changed. */
  value: Buffer;
  /** PFADD's reply: 1 when the key was created or a register changed. */
  updated: boolean;
  /**
   * The sparse encoding is corrupt: reply "INVALIDOBJ Corrupted HLL object
   * detected". As in Redis, elements before the failing one stay applied in
   * `value` (the key is modified in place there) and the cache is not touched.
   */
  corrupt: boolean;
}

/** PFADD on an existing value (already checked with isValidHll) or a missing key (null). */
export function pfadd(value: Buffer | null, elements: Uint8Array[], sparseMaxBytes: number): PfaddResult {
  const w: Work = { buf: Buffer.from(value ?? emptyHll()), len: 0 };
  w.len = w.buf.length;
  let updated = value === null;
  for (const element of elements) {
    const [index, count] = patLen(element);
    const r = raise(w, index, count, sparseMaxBytes);
    if (r === -1) return { value: updated ? finish(w) : (value as Buffer), updated: false, corrupt: true };
    if (r === 1) updated = true;
  }
  if (!updated) return { value: value as Buffer, updated: false, corrupt: false };
  invalidateCache(w.buf);
  return { value: finish(w), updated: true, corrupt: false };
}

// ---------------------------------------------------------------- counting

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let zPrime: number;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zPrime: number;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (zPrime !== z);
  return z / 3;
}

/** Ertl's estimator over the histogram of register values (hllCount). */
function estimate(histogram: Int32Array): number {
  const m = REGISTERS;
  let z = m * tau((m - histogram[Q + 1]) / m);
  for (let j = Q; j >= 1; j--) {
    z += histogram[j];
    z *= 0.5;
  }
  z += m * sigma(histogram[0] / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

/** Histogram of a valid value's registers, or null when its sparse opcodes are corrupt. */
function histogramOf(value: Buffer): Int32Array | null {
  const histogram = new Int32Array(64);
  if (value[4] === DENSE) {
    for (let i = 0; i < REGISTERS; i++) histogram[denseGet(value, i)]++;
    return histogram;
  }
  const w: Work = { buf: value, len: value.length };
  let idx = 0;
  for (let p = HDR_SIZE; p < value.length; ) {
    const op = value[p];
    if (isZero(op)) {
      idx += (op & 0x3f) + 1;
      histogram[0] += (op & 0x3f) + 1;
      p++;
    } else if (isXzero(op)) {
      const run = xzeroLen(w, p);
      idx += run;
      histogram[0] += run;
      p += 2;
    } else {
      idx += valLen(op);
      histogram[valValue(op)] += valLen(op);
      p++;
    }
  }
  return idx === REGISTERS ? histogram : null;
}

export interface PfcountResult {
  count: number;
  /** The value with its cache refreshed; the input itself when the cache was valid. */
  value: Buffer;
}

/**
 * PFCOUNT of one key (checked with isValidHll): the cached cardinality when
 * valid, else the estimate written back into the header. null means
 * "INVALIDOBJ Corrupted HLL object detected".
 */
export function pfcount(value: Buffer): PfcountResult | null {
  if ((value[CARD_MSB] & 0x80) === 0) return { count: Number(value.readBigUInt64LE(8)), value };
  const histogram = histogramOf(value);
  if (!histogram) return null;
  const count = estimate(histogram);
  const updated = Buffer.from(value);
  updated.writeBigUInt64LE(BigInt(count), 8);
  return { count, value: updated };
}

/**
 * The register-wise maximum of several HLLs: PFCOUNT of many keys and PFMERGE.
 * Add the values in key order (for PFMERGE the destination first, since Redis
 * reads it as a source too), checking each with isValidHll before.
 */
export class HllUnion {
  private readonly max = new Uint8Array(REGISTERS);
  private anyDense = false;

  /** hllMerge: false means "INVALIDOBJ Corrupted HLL object detected". */
  add(value: Buffer): boolean {
    const max = this.max;
    if (value[4] === DENSE) {
      this.anyDense = true;
      for (let i = 0; i < REGISTERS; i++) {
        const v = denseGet(value, i);
        if (v > max[i]) max[i] = v;
      }
      return true;
    }
    const w: Work = { buf: value, len: value.length };
    let i = 0;
    for (let p = HDR_SIZE; p < value.length; ) {
      const op = value[p];
      if (isZero(op)) {
        i += (op & 0x3f) + 1;
        p++;
      } else if (isXzero(op)) {
        i += xzeroLen(w, p);
        p += 2;
      } else {
        let run = valLen(op);
        const v = valValue(op);
        if (run + i > REGISTERS) break;
        for (; run > 0; run--, i++) if (v > max[i]) max[i] = v;
        p++;
      }
    }
    return i === REGISTERS;
  }

  /** Multi-key PFCOUNT. */
  count(): number {
    const histogram = new Int32Array(64);
    for (let i = 0; i < REGISTERS; i++) histogram[this.max[i]]++;
    return estimate(histogram);
  }

  /**
   * PFMERGE's new destination value: the destination (null: created sparse),
   * made dense if any source was, with every register raised to the union.
   */
  store(dest: Buffer | null, sparseMaxBytes: number): Buffer {
    const w: Work = { buf: Buffer.from(dest ?? emptyHll()), len: 0 };
    w.len = w.buf.length;
    if (this.anyDense && !sparseToDense(w)) throw new Error('PFMERGE destination was not added to the union');
    for (let i = 0; i < REGISTERS; i++) {
      if (this.max[i] !== 0) raise(w, i, this.max[i], sparseMaxBytes);
    }
    invalidateCache(w.buf);
    return finish(w);
  }
}
