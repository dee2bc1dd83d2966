// The hot path's Buffers: views share memory, copies do not, and both are
// Buffers in every way the commands and clients rely on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyBytes, copyWords, view } from '../../src/resp/bytes.js';

test('a view is a Buffer over the same bytes', () => {
  const chunk = Buffer.from('*1\r\n$4\r\nPING\r\n');
  const arg = view(chunk, 8, 4);
  assert.ok(Buffer.isBuffer(arg));
  assert.is(arg.constructor, Buffer);
  assert.is(arg.toString(), 'PING');
  assert.equal(arg, Buffer.from('PING'));
  assert.is(arg.subarray(1, 3).toString(), 'IN');
  chunk[8] = 0x70; // 'p'
  assert.is(arg.toString(), 'pING');
});

test('a copy outlives changes to its source, small or large', () => {
  for (const size of [0, 1, 31, 33, 1024, 1025, 100_000]) {
    const source = Buffer.alloc(size, 0x61);
    const copy = copyBytes(source);
    assert.ok(Buffer.isBuffer(copy));
    source.fill(0x62);
    assert.equal(copy, Buffer.alloc(size, 0x61), `size ${size}`);
  }
});

test('copies sharing a slab never overlap', () => {
  const copies = Array.from({ length: 3000 }, (_, i) => copyBytes(Buffer.from(`value-${i}`)));
  copies.forEach((copy, i) => assert.is(copy.toString(), `value-${i}`));
});

test('copyWords copies exactly the range, at any length and alignment', () => {
  const source = Buffer.from(Array.from({ length: 700 }, (_, i) => (i * 7 + 3) & 0xff));
  const sourceView = new DataView(source.buffer, source.byteOffset, source.length);
  for (let length = 0; length <= 600; length += length < 40 ? 1 : 37) {
    for (let start = 0; start < 9; start++) {
      for (const pos of [0, 3]) {
        const target = Buffer.alloc(length + 8, 0xee);
        const end = copyWords(new DataView(target.buffer, target.byteOffset, target.length), pos, sourceView, start, start + length);
        assert.is(end, pos + length);
        const expected = Buffer.alloc(length + 8, 0xee);
        source.copy(expected, pos, start, start + length);
        assert.equal(target, expected, `length ${length} from ${start} to ${pos}`);
      }
    }
  }
});

test.run();
