// Redis's string2ll: the one integer grammar Redis accepts everywhere (protocol
// lengths, command arguments). No '+', no leading zeros, no spaces, "-0" is
// rejected, at most 20 characters, and the value must fit a signed 64-bit int.

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * Parses bytes [start, end) of buf as a signed 64-bit integer. Returns null when
 * Redis would reject it. Values beyond 2^53 come back as the nearest double,
 * which is exact enough for counts, indexes and lengths; use parseInt64 where
 * arithmetic must be exact.
 */
export function parseInteger(buf: Uint8Array, start = 0, end = buf.length): number | null {
  const len = end - start;
  if (len === 0 || len > 20) return null;
  let i = start;
  let negative = false;
  if (buf[i] === 45 /* - */) {
    negative = true;
    if (++i === end) return null;
  }
  const first = buf[i];
  if (first === 48 /* 0 */) return len === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  let value = 0;
  for (; i < end; i++) {
    const c = buf[i];
    if (c < 48 || c > 57) return null;
    value = value * 10 + (c - 48);
  }
  // Beyond 15 digits a double may hide an int64 overflow: decide exactly.
  if (end - start > 15) {
    const exact = BigInt(Buffer.from(buf.buffer, buf.byteOffset + start, len).toString('latin1'));
    if (exact > INT64_MAX || exact < INT64_MIN) return null;
  }
  return negative ? -value : value;
}

/** Like parseInteger, but exact over the whole int64 range. */
export function parseInt64(buf: Uint8Array): bigint | null {
  const n = parseInteger(buf);
  if (n === null) return null;
  return Number.isSafeInteger(n) ? BigInt(n) : BigInt(Buffer.from(buf).toString('latin1'));
}

/** How many decimal digits n, a non-negative safe integer, has (String(n).length without the string). */
export function decimalDigits(n: number): number {
  let digits = 1;
  for (let power = 10; n >= power && digits < 16; power *= 10) digits++;
  return digits;
}

/** Writes n, a safe integer, in decimal at buf[pos...]; returns where it ends. */
export function writeDecimal(buf: Uint8Array, pos: number, n: number): number {
  if (n < 0) {
    buf[pos++] = 45; // -
    n = -n;
  }
  const end = pos + decimalDigits(n);
  for (let i = end - 1; i >= pos; i--, n = Math.floor(n / 10)) buf[i] = 48 + (n % 10);
  return end;
}

export function fitsInt64(n: bigint): boolean {
  return n >= INT64_MIN && n <= INT64_MAX;
}

export { INT64_MAX, INT64_MIN };
