// Double formatting as Redis 7.0 replies it (addReplyDouble: "%.17g"; "inf",
// "-inf"), shared by RESP2 bulk and RESP3 double replies.

/** C's printf("%.17g", d) for finite d. */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  // %g picks exponent notation when the exponent is < -4 or >= the precision.
  const [mantissa, e] = d.toExponential(16).split('e');
  const exponent = Number(e);
  if (exponent < -4 || exponent >= 17) {
    const m = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
    const sign = exponent < 0 ? '-' : '+';
    const abs = Math.abs(exponent);
    return `${m}e${sign}${abs < 10 ? '0' : ''}${abs}`;
  }
  const fixed = d.toFixed(Math.max(0, 16 - exponent));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}
