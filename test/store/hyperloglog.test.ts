import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { pfadd, pfcount, HllUnion, isValidHll, murmurHash64A } from '../../src/store/hyperloglog.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const elements = (n: number, tag = 'elem:') => Array.from({ length: n }, (_, i) => Buffer.from(`${tag}${i}`));

function addAll(value: Buffer | null, es: Buffer[], sparseMaxBytes = 3000): Buffer {
  for (let i = 0; i < es.length; i += 100) value = pfadd(value, es.slice(i, i + 100), sparseMaxBytes).value;
  return value as Buffer;
}

// Recorded from redis-server 7.0.15: PFADD of `elem:0..n-1` in batches of 100,
// then GET (sha), PFCOUNT, and GET again (the value with its cache written).
const recorded = [
  { n: 10, sparseMaxBytes: 3000, length: 47, count: 10, sha: '12e8d3ff1c5355bfcd90fa5420d37f0cd168900be1fa2e0e3b95f001bef8ee8b', cached: '870167ec7abc5614654e84862756cf6f7a664cff5091f7fb97607d23238280d4' },
  { n: 100, sparseMaxBytes: 3000, length: 277, count: 100, sha: 'ba8037d338810b508350c8c83fec9cefcd4810af1ca8db363cce643da01b9472', cached: 'a7e459c774a3f1d189f9f71356f651aa4044a72af409b327c97b633320cc5ce8' },
  { n: 1000, sparseMaxBytes: 3000, length: 1913, count: 1005, sha: '7b3b159d576a4be00740eaf8ea3f408f1ee3e7de65f9e4ff0dac9d4a0024efd8', cached: '0f3347868880eb36395c73c8cc3695c5933d58f77c60215f5249794f800c4f88' },
  { n: 20000, sparseMaxBytes: 3000, length: 12304, count: 19603, sha: 'c764ec7c4dcec499bb8596e43ce77b86564f9cc907edf2c2cd4b730ff007ef28', cached: 'b5ae45352d3d1eabd6c4de7bdba863cd990d06cc3c147d514f797184d873f3ac' },
  { n: 1000, sparseMaxBytes: 500, length: 12304, count: 1005, sha: '084d671e830cd2da5cf1d91e905777ad5a1c15f09055a70781e096e227f5dd50', cached: '563a640f3f431f9b7ca9ce99385518715203f7677747a6e175277f1ae9eb6c62' },
];

test('PFADD and PFCOUNT produce the bytes and counts of real Redis', () => {
  for (const r of recorded) {
    const value = addAll(null, elements(r.n), r.sparseMaxBytes);
    assert.is(value.length, r.length, `length for ${r.n}`);
    assert.is(sha(value), r.sha, `bytes for ${r.n}`);
    assert.ok(isValidHll(value));
    const counted = pfcount(value)!;
    assert.is(counted.count, r.count);
    assert.is(sha(counted.value), r.cached);
    // A valid cache is read back, not recomputed.
    const again = pfcount(counted.value)!;
    assert.is(again.count, r.count);
    assert.is(again.value, counted.value);
  }
});

test('small values byte for byte', () => {
  const empty = pfadd(null, [], 3000);
  assert.ok(empty.updated);
  assert.is(empty.value.toString('hex'), '48594c4c0100000000000000000000807fff');
  const counted = pfcount(empty.value)!;
  assert.is(counted.count, 0);
  assert.is(counted.value.toString('hex'), '48594c4c0100000000000000000000007fff');
  const one = pfadd(null, [Buffer.from('a')], 3000);
  assert.is(one.value.toString('hex'), '48594c4c01000000000000000000008071a6844e57');
  const same = pfadd(one.value, [Buffer.from('a')], 3000);
  assert.not.ok(same.updated);
  assert.is(same.value, one.value);
});

test('multi-key PFCOUNT and PFMERGE as real Redis', () => {
  const x = addAll(null, elements(500, 'x'));
  const y = addAll(null, Array.from({ length: 500 }, (_, i) => Buffer.from(`x${i + 250}`)));
  const u = new HllUnion();
  assert.ok(u.add(x));
  assert.ok(u.add(y));
  assert.is(u.count(), 750);
  const merged = u.store(null, 3000);
  assert.is(merged.length, 1455);
  assert.is(sha(merged), 'd225dd781808db9fd26fe394e96ab3ad658fb14fee406764259a8ac6fb37095e');
  // PFMERGE x <dense>: the destination is read first and turns dense.
  const dense = addAll(null, elements(20000));
  const into = new HllUnion();
  into.add(x);
  into.add(dense);
  const stored = into.store(x, 3000);
  assert.is(stored.length, 12304);
  assert.is(sha(stored), '0f7c32a0cc602341213c9526a159f24197deb0a680191f6a9210267bb3c7fb5e');
  assert.is(pfcount(stored)!.count, 20139);
});

test('validation: header, magic, encoding and dense length', () => {
  const ok = pfadd(null, [], 3000).value;
  assert.ok(isValidHll(ok));
  assert.not.ok(isValidHll(Buffer.from('HYLL')));
  assert.not.ok(isValidHll(Buffer.from('hello world, this is long enough')));
  const badEncoding = Buffer.from(ok);
  badEncoding[4] = 2;
  assert.not.ok(isValidHll(badEncoding));
  const shortDense = Buffer.from(ok);
  shortDense[4] = 0;
  assert.not.ok(isValidHll(shortDense));
});

test('corrupt sparse opcodes: INVALIDOBJ where Redis finds them', () => {
  const value = pfadd(null, elements(20), 3000).value;
  const truncated = value.subarray(0, value.length - 1); // registers no longer add up to 16384
  assert.ok(isValidHll(truncated));
  assert.is(pfcount(truncated), null);
  assert.not.ok(new HllUnion().add(truncated));
  // Too many registers: PFADD only looks as far as the register it sets.
  const extra = Buffer.concat([value, Buffer.from([0x7f, 0xff])]);
  assert.is(pfcount(extra), null);
  assert.not.ok(pfadd(extra, [Buffer.from('more')], 3000).corrupt);
  // No opcodes at all: PFADD finds no register, keeps the elements added before.
  const bare = Buffer.from(value.subarray(0, 16));
  const r = pfadd(bare, [Buffer.from('a')], 3000);
  assert.ok(r.corrupt);
  assert.not.ok(r.updated);
  assert.is(r.value, bare);
});

// A straight BigInt MurmurHash64A to cross-check the 32-bit-halves version.
function murmurReference(key: Uint8Array, seed: bigint): bigint {
  const mask = (1n << 64n) - 1n;
  const m = 0xc6a4a7935bd1e995n;
  let h = (seed ^ (BigInt(key.length) * m)) & mask;
  const words = key.length - (key.length & 7);
  for (let i = 0; i < words; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(key[i + j]);
    k = (k * m) & mask;
    k ^= k >> 47n;
    k = (k * m) & mask;
    h ^= k;
    h = (h * m) & mask;
  }
  const rest = key.length & 7;
  if (rest) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(key[words + j]) << BigInt(8 * j);
    h = (h * m) & mask;
  }
  h ^= h >> 47n;
  h = (h * m) & mask;
  h ^= h >> 47n;
  return h;
}

test('MurmurHash64A matches a BigInt reference on all tail lengths', () => {
  let seed = 1;
  for (let len = 0; len < 48; len++) {
    for (let t = 0; t < 20; t++) {
      const key = new Uint8Array(len);
      for (let i = 0; i < len; i++) key[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
      const [hi, lo] = murmurHash64A(key, 0xadc83b19);
      assert.is((BigInt(hi) << 32n) | BigInt(lo), murmurReference(key, 0xadc83b19n));
    }
  }
});

test.run();
