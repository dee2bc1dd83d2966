// Frame encoding round trips, and the scanner's three verdicts: clean end,
// torn tail (a bad last frame before zeros), corruption (a bad frame before data).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crc32 } from 'node:zlib';
import { FrameBuilder, HEADER_SIZE, encodeFrame, scanSegment, type Payload } from '../../src/wal/frame.js';

const b = (s: string): Buffer => Buffer.from(s);

/** Frames written back to back into a zero-filled "preallocated" buffer. */
function segment(frames: Buffer[], size = 4096): Buffer {
  const buf = Buffer.alloc(size);
  let pos = 0;
  for (const f of frames) pos += f.copy(buf, pos);
  return buf;
}

const strings = (entries: Buffer[]): string[] => entries.map((e) => e.toString());

test('a frame round-trips its entries, multi-part payloads and empty ones', () => {
  const entries: Payload[] = [b('SET k v'), [b('MULTI '), b(''), b('EXEC')], b(''), Buffer.alloc(300, 7)];
  const frame = encodeFrame(42, entries);
  assert.is(frame.length, HEADER_SIZE + 4 * 4 + 7 + 10 + 0 + 300);
  const scan = scanSegment(segment([frame]));
  assert.is(scan.frames.length, 1);
  assert.is(scan.frames[0].firstSeq, 42);
  assert.equal(strings(scan.frames[0].entries).slice(0, 3), ['SET k v', 'MULTI EXEC', '']);
  assert.ok(scan.frames[0].entries[3].equals(Buffer.alloc(300, 7)));
  assert.is(scan.end, frame.length);
  assert.is(scan.frames[0].end, frame.length);
  assert.equal(scan.tail, { kind: 'clean' });
});

test('sequence numbers above 2^32 survive', () => {
  const seq = 2 ** 40 + 12345;
  const scan = scanSegment(segment([encodeFrame(seq, [b('a')])]));
  assert.is(scan.frames[0].firstSeq, seq);
});

test('an empty frame (a snapshot of nothing) is valid', () => {
  const scan = scanSegment(segment([encodeFrame(7, [])]));
  assert.is(scan.frames.length, 1);
  assert.equal(scan.frames[0].entries, []);
});

test('a frame built entry by entry, through growing, is the encoded frame, and owns its bytes', () => {
  const payloads: Payload[] = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? [b('a'), b(String(i))] : b(`entry ${i}`)));
  const expected = encodeFrame(7, payloads);
  const builder = new FrameBuilder(HEADER_SIZE + 10);
  const views = payloads.map((p) => (Buffer.isBuffer(p) ? p : Buffer.concat(p as Buffer[])));
  for (let i = 0; i < payloads.length; i++) {
    builder.add(views[i]);
    views[i].fill(0); // what the payload viewed is reused afterwards
  }
  assert.is(builder.count, 300);
  const built = builder.finish(7);
  assert.equal(built, expected);
  const [frame] = scanSegment(segment([built], built.length + 64)).frames;
  assert.is(frame.entries[299].toString(), 'entry 299');
  assert.is(frame.entries[3].toString(), 'a3');
});

test('addRange adds a range of a buffer as add adds it as a view, short and long', () => {
  const input = Buffer.concat([b('xx'), b('SET k v'), Buffer.alloc(200, 9), b('yy')]);
  const expected = encodeFrame(3, [input.subarray(2, 9), input.subarray(9, 209), input.subarray(0, 0)]);
  const builder = new FrameBuilder(HEADER_SIZE);
  builder.addRange(input, 2, 9);
  builder.addRange(input, 9, 209);
  builder.addRange(input, 5, 5);
  input.fill(0);
  assert.equal(builder.finish(3), expected);
});

test('addRange follows its source from buffer to buffer', () => {
  const first = Buffer.concat([b('SET a 1'), Buffer.alloc(1000, 5)]);
  const second = b('-INCR b-');
  const expected = encodeFrame(9, [first.subarray(0, 7), second.subarray(1, 7), first.subarray(7), second.subarray(0, 8)]);
  const builder = new FrameBuilder(HEADER_SIZE);
  builder.addRange(first, 0, 7);
  builder.addRange(second, 1, 7);
  builder.addRange(first, 7, first.length);
  builder.addRange(second, 0, 8);
  assert.equal(builder.finish(9), expected);
});

test('encodeFrame refuses a wrong body size', () => {
  assert.throws(() => encodeFrame(1, [b('abc')], 10), /does not match/);
  assert.throws(() => encodeFrame(1, [b('abc')], 3), RangeError);
});

test('clean end: zeros, exact end of file, or nothing at all', () => {
  const f1 = encodeFrame(1, [b('one'), b('two')]);
  const f2 = encodeFrame(3, [b('three')]);
  const scan = scanSegment(segment([f1, f2]));
  assert.equal(scan.frames.map((f) => f.firstSeq), [1, 3]);
  assert.is(scan.end, f1.length + f2.length);
  assert.equal(scan.tail, { kind: 'clean' });
  assert.equal(scanSegment(Buffer.concat([f1, f2])).tail, { kind: 'clean' });
  assert.equal(scanSegment(Buffer.alloc(0)), { frames: [], end: 0, tail: { kind: 'clean' } });
  assert.equal(scanSegment(Buffer.alloc(100)), { frames: [], end: 0, tail: { kind: 'clean' } });
});

test('torn tail: the last frame cut at every length, before zeros or the end of file', () => {
  const f1 = encodeFrame(1, [b('kept')]);
  const f2 = encodeFrame(2, [b('torn entry one'), b('torn entry two')]);
  for (let n = 1; n < f2.length; n++) {
    for (const buf of [segment([f1, f2.subarray(0, n)]), Buffer.concat([f1, f2.subarray(0, n)])]) {
      const scan = scanSegment(buf);
      assert.equal(scan.frames.map((f) => f.firstSeq), [1], `cut at ${n}`);
      assert.is(scan.end, f1.length);
      assert.is(scan.tail.kind, 'torn', `cut at ${n}`);
      assert.is(scan.tail.kind !== 'clean' && scan.tail.offset, f1.length);
    }
  }
});

test('every damaged byte of a frame with data after it is corruption at its offset', () => {
  const f1 = encodeFrame(1, [b('alpha'), b('beta')]);
  const f2 = encodeFrame(3, [b('gamma')]);
  for (let i = 0; i < f1.length; i++) {
    const buf = segment([f1, f2]);
    buf[i] ^= 0x5a;
    const scan = scanSegment(buf);
    assert.equal(scan.frames, [], `byte ${i}`);
    assert.equal(scan.end, 0);
    assert.is(scan.tail.kind, 'corrupt', `byte ${i}`);
    assert.is(scan.tail.kind !== 'clean' && scan.tail.offset, 0);
  }
});

test('every damaged byte of the last frame is detected (torn or corrupt, never accepted)', () => {
  const f1 = encodeFrame(1, [b('alpha')]);
  const f2 = encodeFrame(2, [b('beta'), b('gamma')]);
  for (let i = 0; i < f2.length; i++) {
    const buf = segment([f1, f2]);
    buf[f1.length + i] ^= 0x01;
    const scan = scanSegment(buf);
    assert.equal(scan.frames.map((f) => f.firstSeq), [1], `byte ${i}`);
    assert.is(scan.end, f1.length);
    assert.is.not(scan.tail.kind, 'clean');
  }
});

test('a zeroed frame with data after it is corruption, not a clean end', () => {
  const f1 = encodeFrame(1, [b('alpha')]);
  const f2 = encodeFrame(2, [b('beta')]);
  const buf = segment([f1, f2]);
  buf.fill(0, 0, f1.length);
  const scan = scanSegment(buf);
  assert.equal(scan.tail, { kind: 'corrupt', offset: 0, reason: 'bad frame magic' });
});

test('a checksummed frame whose entries do not fill its body is corruption even at the tail', () => {
  // Claims two entries but its body holds one: a writer bug, not a torn write.
  const frame = encodeFrame(1, [b('abc')]);
  frame.writeUInt32LE(2, 12);
  frame.writeUInt32LE(crc32(frame.subarray(8)), 4);
  const scan = scanSegment(segment([frame]));
  assert.is(scan.tail.kind, 'corrupt');
});

test.run();
