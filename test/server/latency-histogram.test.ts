// The per-command latency histogram: Redis's HdrHistogram parameters (1 ns to
// 1 s, 2 significant digits), percentiles read back as the top of their bucket.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LatencyHistogram } from '../../src/server/latency-histogram.js';

test('below 256 ns every value has a bucket of its own', () => {
  const h = new LatencyHistogram();
  for (let v = 100; v >= 1; v--) h.record(v);
  assert.is(h.percentile(0), 1);
  assert.is(h.percentile(50), 50);
  assert.is(h.percentile(99), 99);
  assert.is(h.percentile(100), 100);
});

test('larger values keep two significant digits, read back as the highest value of their bucket', () => {
  const h = new LatencyHistogram();
  h.record(1000);
  assert.is(h.percentile(100), 1003);
  const ms = new LatencyHistogram();
  ms.record(1_000_000);
  ms.record(999_500);
  assert.is(ms.percentile(100), 1_003_519);
  assert.is(ms.percentile(0), 999_424);
});

test('a percentile counts from the smallest value, rounding the rank to the nearest', () => {
  const h = new LatencyHistogram();
  for (let i = 0; i < 90; i++) h.record(10);
  for (let i = 0; i < 10; i++) h.record(200);
  assert.is(h.percentile(90), 10);
  assert.is(h.percentile(90.5), 200);
  assert.is(h.percentile(99.9), 200);
});

test('values are clamped to 1 ns .. 1 s and rounded to whole nanoseconds', () => {
  const h = new LatencyHistogram();
  h.record(0);
  h.record(0.4);
  assert.is(h.percentile(100), 1);
  h.record(5e9);
  assert.ok(h.percentile(100) >= 1e9 && h.percentile(100) < 1.01e9);
  const r = new LatencyHistogram();
  r.record(7.6);
  assert.is(r.percentile(50), 8);
});

test.run();
