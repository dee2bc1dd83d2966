import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  growToBit, getBit, setBit, bitcount, bitpos, bitop, parseBitfieldType, parseBitOffset, bitfieldGet, bitfieldWrite,
  type BitUnit, type BitfieldType,
} from '../../src/store/bits.js';

const MAX_BULK = 512 * 1024 * 1024;
const hex = (s: string) => Buffer.from(s, 'hex');
const type = (s: string) => parseBitfieldType(Buffer.from(s, 'latin1')) as BitfieldType;

test('getBit, setBit and growth with zero bytes', () => {
  let v = growToBit(null, 0);
  assert.equal(v, hex('00'));
  assert.is(setBit(v, 0, 1), 0);
  assert.equal(v, hex('80'));
  v = growToBit(v, 17);
  assert.equal(v, hex('800000'));
  assert.is(growToBit(v, 23), v);
  assert.is(setBit(v, 17, 1), 0);
  assert.is(setBit(v, 17, 1), 1);
  assert.is(setBit(v, 0, 0), 1);
  assert.equal(v, hex('000040'));
  assert.is(getBit(v, 17), 1);
  assert.is(getBit(v, 1000), 0);
  assert.is(getBit(null, 3), 0);
});

// Recorded from redis-server 7.0.15 on the value ff f0 00 0f 81.
const value = hex('fff0000f81');

test('BITCOUNT as real Redis', () => {
  const cases: [number, number, BitUnit, number][] = [
    [0, -1, 'byte', 18],
    [1, 2, 'byte', 4],
    [-2, -1, 'byte', 6],
    [-1, -2, 'byte', 0],
    [5, 100, 'bit', 13],
    [3, 12, 'bit', 9],
    [-7, -2, 'bit', 0],
    [4, 2, 'byte', 0],
    [-100, -50, 'bit', 1],
    [36, 36, 'bit', 0],
  ];
  assert.is(bitcount(value), 18);
  assert.is(bitcount(Buffer.alloc(0), 0, 0), 0);
  for (const [s, e, u, expected] of cases) assert.is(bitcount(value, s, e, u), expected, `${s} ${e} ${u}`);
});

test('BITPOS as real Redis, including the no-end zero padding rule', () => {
  const ones = hex('ffffff');
  const cases: [Buffer, 0 | 1, (number | BitUnit)[], number][] = [
    [value, 0, [], 12],
    [value, 1, [], 0],
    [value, 0, [2], 16],
    [value, 1, [2], 28],
    [value, 0, [2, 3], 16],
    [value, 1, [9, 15, 'bit'], 9],
    [value, 0, [0, 11, 'bit'], -1],
    [value, 0, [3, 5, 'bit'], -1],
    [value, 1, [33, -1, 'bit'], 39],
    [value, 0, [-3, -1, 'bit'], 37],
    [ones, 0, [], 24],
    [ones, 0, [1], 24],
    [ones, 0, [0, -1], -1],
    [ones, 0, [3, 12, 'bit'], -1],
    [ones, 0, [3], -1],
    [ones, 1, [5, 2], -1],
    [ones, 0, [9, 0, 'bit'], -1],
  ];
  for (const [v, bit, args, expected] of cases) {
    const [s, e, u] = args as [number?, number?, BitUnit?];
    assert.is(bitpos(v, bit, s, e, u), expected, `${v.toString('hex')} ${bit} ${args.join(' ')}`);
  }
  assert.is(bitpos(null, 0), 0);
  assert.is(bitpos(null, 1), -1);
  assert.is(bitpos(Buffer.alloc(0), 0), -1);
});

test('BITOP pads shorter sources with zeros', () => {
  const a = hex('ff0f');
  const b = hex('0ff0aa');
  assert.equal(bitop('and', [a, b]), hex('0f0000'));
  assert.equal(bitop('or', [a, b]), hex('ffffaa'));
  assert.equal(bitop('xor', [a, b, null]), hex('f0ffaa'));
  assert.equal(bitop('not', [a]), hex('00f0'));
  assert.equal(bitop('and', [null, b]), hex('000000'));
  assert.is(bitop('or', [null, null]).length, 0);
});

test('bitfield types and offsets parse as Redis does', () => {
  assert.equal(type('i64'), { signed: true, bits: 64 });
  assert.equal(type('u63'), { signed: false, bits: 63 });
  assert.equal(type('i8\x00zz'), { signed: true, bits: 8 });
  for (const bad of ['u64', 'i65', 'i0', 'I8', 'i08', 'i', 'x8', '']) assert.is(parseBitfieldType(Buffer.from(bad)), null, bad);
  const off = (s: string, bits = 0) => parseBitOffset(Buffer.from(s), MAX_BULK, bits);
  assert.is(off('#1', 8), 8);
  assert.is(off('#3', 4), 12);
  assert.is(off('#-1', 8), null);
  assert.is(off('#1'), null);
  assert.is(off('##1', 8), null);
  assert.is(off('4294967295'), 4294967295);
  assert.is(off('4294967296'), null);
  assert.is(off('-1'), null);
  assert.is(off('01'), null);
  assert.is(off('#9223372036854775807', 64), null);
});

test('bitfield get, set and incrby with WRAP, SAT and FAIL', () => {
  const v = hex('ff0faa55');
  assert.is(bitfieldGet(v, 0, type('i8')), -1n);
  assert.is(bitfieldGet(v, 8, type('i8')), 15n);
  assert.is(bitfieldGet(v, 12, type('u8')), 0xfan);
  assert.is(bitfieldGet(v, 28, type('u8')), 0x50n);
  assert.is(bitfieldGet(v, 30, type('u63')), bitfieldGet(hex('ff0faa55' + '00'.repeat(8)), 30, type('u63')));
  assert.is(bitfieldGet(null, 0, type('i64')), 0n);

  const w = Buffer.alloc(2);
  assert.equal(bitfieldWrite(w, 0, type('u8'), 'set', 200n, 'wrap'), { reply: 0n, changed: true });
  assert.equal(bitfieldWrite(w, 0, type('u8'), 'incrby', 100n, 'wrap'), { reply: 44n, changed: true });
  assert.equal(bitfieldWrite(w, 0, type('u8'), 'incrby', 300n, 'sat'), { reply: 255n, changed: true });
  assert.equal(bitfieldWrite(w, 0, type('u8'), 'incrby', 1n, 'fail'), { reply: null, changed: false });
  assert.equal(bitfieldWrite(w, 0, type('u8'), 'incrby', -256n, 'sat'), { reply: 0n, changed: true });
  // Replies and bytes below were recorded from real Redis. An unsigned SET sees
  // -1 as 2^64-1, so SAT stores the maximum, not zero.
  assert.equal(bitfieldWrite(w, 0, type('u8'), 'set', -1n, 'sat'), { reply: 0n, changed: true });
  assert.is(w[0], 255);
  assert.equal(bitfieldWrite(w, 4, type('i8'), 'set', 127n, 'wrap'), { reply: -16n, changed: true });
  assert.equal(w, hex('f7f0'));
  assert.equal(bitfieldWrite(w, 4, type('i8'), 'incrby', 1n, 'wrap'), { reply: -128n, changed: true });
  assert.equal(bitfieldWrite(w, 4, type('i8'), 'incrby', -1n, 'sat'), { reply: -128n, changed: false });
  // C's wrapping arithmetic makes INT64_MIN saturate to the maximum.
  assert.equal(bitfieldWrite(w, 4, type('i8'), 'set', -9223372036854775808n, 'sat'), { reply: -128n, changed: true });
  assert.is(bitfieldGet(w, 4, type('i8')), 127n);

  const big = Buffer.alloc(9);
  const max = 9223372036854775807n;
  assert.equal(bitfieldWrite(big, 3, type('i64'), 'set', max, 'fail'), { reply: 0n, changed: true });
  assert.equal(bitfieldWrite(big, 3, type('i64'), 'incrby', 1n, 'wrap'), { reply: -max - 1n, changed: true });
  assert.equal(bitfieldWrite(big, 3, type('i64'), 'incrby', -1n, 'fail'), { reply: null, changed: false });
  assert.equal(bitfieldWrite(big, 3, type('i64'), 'incrby', -1n, 'sat'), { reply: -max - 1n, changed: false });
});

test.run();
