// C's strtod (glibc) as Redis uses it: zslParseRange reads a prefix with
// strtod directly (leading spaces, hex floats, "inf"; range errors ignored),
// getDoubleFromObject goes through string2d (the whole string, no leading
// space, no NaN, no overflow or underflow to zero).

export interface Strtod {
  value: number;
  /** Index just past the parsed number; the start when nothing was parsed. */
  end: number;
  /** errno == ERANGE: the value overflowed to an infinity or underflowed to zero. */
  erange: boolean;
}

const DECIMAL = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const HEX = /^0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?/;
const INFINITY = /^inf(?:inity)?/i;
const NAN = /^nan(?:\([0-9A-Za-z_]*\))?/i;

/** C's isspace in the "C" locale. */
export function isCSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

/** The double nearest to m * 2^e (m > 0), ties to even, as strtod rounds hex input. */
function scaleBinary(m: bigint, e: number): number {
  const bits = m.toString(2).length;
  // The result's last significand bit: 53 bits, or fewer for subnormals.
  const lsb = Math.max(bits + e - 53, -1074);
  let q: bigint;
  if (lsb > e) {
    const shift = BigInt(lsb - e);
    q = m >> shift;
    const rest = m & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (q & 1n) === 1n)) q++;
  } else q = m << BigInt(e - lsb);
  // Two steps: 2^lsb alone may overflow or underflow where the product does not.
  const a = Math.trunc(lsb / 2);
  return Number(q) * 2 ** a * 2 ** (lsb - a);
}

/** strtod(s + start): the longest prefix that is a number, after leading spaces. */
export function strtod(s: string, start = 0): Strtod {
  let i = start;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') negative = s[i++] === '-';
  const rest = s.slice(i);
  const sign = (v: number): number => (negative ? -v : v);
  let match = INFINITY.exec(rest);
  if (match) return { value: sign(Infinity), end: i + match[0].length, erange: false };
  match = NAN.exec(rest);
  if (match) return { value: NaN, end: i + match[0].length, erange: false };
  match = HEX.exec(rest);
  if (match) {
    const [text, int = '', frac = '', onlyFrac, exp] = match;
    const digits = onlyFrac ?? int + frac;
    const m = BigInt(`0x${digits}`);
    const e = Math.max(-1e6, Math.min(1e6, Number(exp ?? 0))) - 4 * (onlyFrac ?? frac).length;
    const value = m === 0n ? 0 : scaleBinary(m, e);
    return { value: sign(value), end: i + text.length, erange: m !== 0n && (value === 0 || value === Infinity) };
  }
  match = DECIMAL.exec(rest);
  if (!match) return { value: 0, end: start, erange: false };
  const text = match[0];
  const value = Number(text);
  const erange = value === Infinity || (value === 0 && /[1-9]/.test(text.replace(/[eE].*/, '')));
  return { value: sign(value), end: i + text.length, erange };
}

/** Redis's string2d: the whole string as a double, or null (empty, leading space, NaN, range error). */
export function string2d(s: string): number | null {
  if (s.length === 0 || isCSpace(s.charCodeAt(0))) return null;
  const { value, end, erange } = strtod(s);
  if (end !== s.length || Number.isNaN(value)) return null;
  if (erange && (value === 0 || !Number.isFinite(value))) return null;
  return value;
}
