// Decimal integers: counting and writing their digits without a string.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decimalDigits, writeDecimal } from '../../src/resp/integers.js';

const samples = [0, 1, 9, 10, 11, 99, 100, 999, 1000, 123456789, 999999999999999, 1e15, 2 ** 53 - 1];

test('decimalDigits is the length of the decimal string', () => {
  for (const n of samples) assert.is(decimalDigits(n), String(n).length, String(n));
  for (let power = 1; power < 1e16; power *= 10) {
    assert.is(decimalDigits(power), String(power).length, String(power));
    assert.is(decimalDigits(power - 1), String(power - 1).length, String(power - 1));
  }
});

test('writeDecimal writes what String() does, negatives included, and returns the end', () => {
  for (const n of [...samples, ...samples.map((x) => -x)]) {
    const buf = Buffer.alloc(24, 0x2e);
    const end = writeDecimal(buf, 2, n);
    assert.is(buf.toString('latin1', 2, end), String(n));
    assert.is(buf.toString('latin1', 0, 2) + buf.toString('latin1', end), '.'.repeat(24 - (end - 2)));
  }
});

test.run();
