// INCRBYFLOAT and HINCRBYFLOAT compute in C `long double`, which on x86-64 is
// the x87 80-bit extended format (64-bit significand, exponents down to
// 2^-16445 with denormals). Redis parses both operands with strtold (string2ld),
// adds, and prints "%.17Lf" with trailing zeros and dot removed (ld2string,
// LD_STR_HUMAN). This emulates all three exactly with BigInt: correctly rounded
// parsing (nearest, ties to even), correctly rounded addition, and the exact
// decimal expansion rounded half-even as glibc's printf does.

/** m * 2^e with |m| < 2^64, or an infinity or NaN. */
export type LongDouble = { readonly m: bigint; readonly e: number } | { readonly special: 'inf' | '-inf' | 'nan' };

const SIGNIFICAND_BITS = 64;
const MIN_EXP = -16445; // weight of the last significand bit of denormals and the smallest normals
const MAX_EXP = 16383 - 63; // largest exponent of a finite m * 2^e with m < 2^64
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

const ZERO: LongDouble = { m: 0n, e: 0 };

function bitLength(n: bigint): number {
  return n.toString(2).length;
}

/**
 * The extended value nearest to (num / den) * 2^exp2, num > 0, or null when
 * that rounds to zero (strtold's ERANGE underflow), or an infinity.
 */
function round(negative: boolean, num: bigint, den: bigint, exp2: number): LongDouble | null {
  let e = bitLength(num) - bitLength(den) + exp2 - SIGNIFICAND_BITS;
  const quotient = (e: number): [bigint, bigint, bigint] => {
    const shift = exp2 - e;
    const n = shift >= 0 ? num << BigInt(shift) : num;
    const d = shift >= 0 ? den : den << BigInt(-shift);
    return [n / d, n % d, d];
  };
  let [q, r, d] = quotient(e);
  if (q >= 1n << 64n) [q, r, d] = quotient(++e);
  if (e < MIN_EXP) [q, r, d] = quotient((e = MIN_EXP));
  if (2n * r > d || (2n * r === d && (q & 1n) === 1n)) q++;
  if (q === 1n << 64n) {
    q = 1n << 63n;
    e++;
  }
  if (q === 0n) return null;
  if (e > MAX_EXP) return { special: negative ? '-inf' : 'inf' };
  return { m: negative ? -q : q, e };
}

const DECIMAL = /^([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const HEX = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;

/** An exponent as a number, saturated far beyond any value's reach. */
function exponent(digits: string | undefined): number {
  if (!digits) return 0;
  const n = Number(digits);
  return Math.max(-1e7, Math.min(1e7, n));
}

/**
 * Redis's string2ld: strtold over the whole string, refusing empty or
 * over-long input, leading space, trailing bytes (NUL included), NaN, and
 * results that overflow or underflow to zero. "inf" is accepted. null means
 * "ERR value is not a valid float".
 */
export function parseLongDouble(input: Uint8Array | string): LongDouble | null {
  const s = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.length).toString('latin1');
  if (s.length === 0 || s.length >= MAX_LONG_DOUBLE_CHARS) return null;
  const inf = INFINITY.exec(s);
  if (inf) return { special: inf[1] === '-' ? '-inf' : 'inf' };
  const hex = HEX.exec(s);
  if (hex) {
    const [, sign, int = '', frac = '', onlyFrac, exp] = hex;
    const digits = int + (onlyFrac ?? frac);
    const mantissa = BigInt('0x' + digits);
    if (mantissa === 0n) return ZERO;
    const exp2 = exponent(exp) - 4 * (onlyFrac ?? frac).length;
    // Decide overflow and underflow before building astronomically large numbers.
    const magnitude = bitLength(mantissa) + exp2;
    if (magnitude > MAX_EXP + SIGNIFICAND_BITS + 1) return null;
    if (magnitude < MIN_EXP - 1) return null;
    return finiteOrNull(round(sign === '-', mantissa, 1n, exp2));
  }
  const dec = DECIMAL.exec(s);
  if (!dec) return null;
  const [, sign, int = '', frac = '', onlyFrac, exp] = dec;
  const fraction = onlyFrac ?? frac;
  const digits = (int + fraction).replace(/^0+/, '');
  if (digits === '') return ZERO;
  const exp10 = exponent(exp) - fraction.length;
  // The value lies in [10^(len-1+exp10), 10^(len+exp10)): 1e4933 overflows, below 1e-4952 rounds to 0.
  if (digits.length - 1 + exp10 > 4933) return null;
  if (digits.length + exp10 < -4952) return null;
  const mantissa = BigInt(digits);
  const scaled =
    exp10 >= 0 ? round(sign === '-', mantissa * 10n ** BigInt(exp10), 1n, 0) : round(sign === '-', mantissa, 10n ** BigInt(-exp10), 0);
  return finiteOrNull(scaled);
}

function finiteOrNull(x: LongDouble | null): LongDouble | null {
  return x && 'm' in x ? x : null;
}

export function isFiniteLongDouble(x: LongDouble): boolean {
  return 'm' in x;
}

/** x87 addition, rounded to nearest even; overflow gives an infinity, inf - inf NaN. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if ('special' in a || 'special' in b) {
    const sa = 'special' in a ? a.special : null;
    const sb = 'special' in b ? b.special : null;
    if (sa === 'nan' || sb === 'nan' || (sa && sb && sa !== sb)) return { special: 'nan' };
    return { special: (sa ?? sb) as 'inf' | '-inf' };
  }
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const sum = (a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e));
  if (sum === 0n) return ZERO;
  // A non-zero exact sum of two extended values never rounds to zero.
  return round(sum < 0n, sum < 0n ? -sum : sum, 1n, e) as LongDouble;
}

/**
 * ld2string(LD_STR_HUMAN): "%.17Lf" (exact expansion, ties to even), then
 * trailing zeros and a trailing dot removed; "-0" becomes "0".
 */
export function formatLongDouble(x: LongDouble): string {
  if ('special' in x) return x.special;
  const negative = x.m < 0n;
  const m = negative ? -x.m : x.m;
  let q: bigint;
  if (x.e >= 0) {
    q = (m << BigInt(x.e)) * 10n ** 17n;
  } else {
    const n = m * 10n ** 17n;
    const shift = BigInt(-x.e);
    q = n >> shift;
    const r = n - (q << shift);
    const half = 1n << (shift - 1n);
    if (r > half || (r === half && (q & 1n) === 1n)) q++;
  }
  const digits = q.toString().padStart(18, '0');
  const int = digits.slice(0, -17);
  const frac = digits.slice(-17).replace(/0+$/, '');
  const text = (negative ? '-' : '') + int + (frac ? '.' + frac : '');
  return text === '-0' ? '0' : text;
}

export type IncrByFloatResult = { value: string } | { error: 'not-a-float' | 'nan-or-infinity' };

/**
 * INCRBYFLOAT: the stored value (null: missing key, 0) plus the increment.
 * 'not-a-float' is "ERR value is not a valid float", 'nan-or-infinity' is
 * "ERR increment would produce NaN or Infinity".
 */
export function incrByFloat(current: Uint8Array | null, increment: Uint8Array): IncrByFloatResult {
  const value = current ? parseLongDouble(current) : ZERO;
  const incr = parseLongDouble(increment);
  if (!value || !incr) return { error: 'not-a-float' };
  const sum = addLongDouble(value, incr);
  if (!isFiniteLongDouble(sum)) return { error: 'nan-or-infinity' };
  return { value: formatLongDouble(sum) };
}
