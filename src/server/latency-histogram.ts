// A command's latency histogram for INFO latencystats; the dispatcher records
// every call's time in it, in nanoseconds.

/**
 * HdrHistogram with Redis's parameters: values 1 ns to 1 s, 2 significant
 * digits, so percentiles read back as the top of their bucket like Redis's.
 */
export class LatencyHistogram {
  private static readonly SUB_BUCKET_HALF_MAGNITUDE = 7;
  private static readonly SUB_BUCKET_HALF = 128;
  private static readonly SUB_BUCKET_COUNT = 256;
  private static readonly MAX = 1_000_000_000;
  private readonly counts = new Float64Array(24 * LatencyHistogram.SUB_BUCKET_HALF);
  private total = 0;

  private static bucketOf(value: number): [number, number] {
    const bucket = 32 - Math.clz32(value | 255) - 8;
    return [bucket, Math.floor(value / 2 ** bucket)];
  }

  record(value: number): void {
    const v = Math.min(LatencyHistogram.MAX, Math.max(1, Math.round(value)));
    // bucketOf, without the pair: this runs after every command.
    const bucket = 24 - Math.clz32(v | 255);
    const sub = v >>> bucket;
    this.counts[((bucket + 1) << LatencyHistogram.SUB_BUCKET_HALF_MAGNITUDE) + (sub - LatencyHistogram.SUB_BUCKET_HALF)]++;
    this.total++;
  }

  private static valueAt(index: number): number {
    let bucket = (index >> LatencyHistogram.SUB_BUCKET_HALF_MAGNITUDE) - 1;
    let sub = (index & (LatencyHistogram.SUB_BUCKET_HALF - 1)) + LatencyHistogram.SUB_BUCKET_HALF;
    if (bucket < 0) {
      sub -= LatencyHistogram.SUB_BUCKET_HALF;
      bucket = 0;
    }
    return sub * 2 ** bucket;
  }

  private static highestEquivalent(value: number): number {
    const [bucket, sub] = LatencyHistogram.bucketOf(value);
    const lowest = sub * 2 ** bucket;
    const size = 2 ** (sub >= LatencyHistogram.SUB_BUCKET_COUNT ? bucket + 1 : bucket);
    return lowest + size - 1;
  }

  /** hdr_value_at_percentile. */
  percentile(p: number): number {
    const wanted = Math.max(1, Math.floor((Math.min(p, 100) / 100) * this.total + 0.5));
    let seen = 0;
    let value = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= wanted) {
        value = LatencyHistogram.valueAt(i);
        break;
      }
    }
    if (p === 0) return LatencyHistogram.bucketOf(value)[1] * 2 ** LatencyHistogram.bucketOf(value)[0];
    return LatencyHistogram.highestEquivalent(value);
  }
}
