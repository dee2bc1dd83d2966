// The reply encoder: exact RESP2 and RESP3 bytes, and release by offset.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReplyWriter } from '../../src/resp/reply-writer.js';

function written(resp: 2 | 3, write: (w: ReplyWriter) => void): string {
  const w = new ReplyWriter();
  w.resp = resp;
  write(w);
  return Buffer.concat(w.release()).toString('latin1');
}

const INTEGERS = ':0\r\n:1\r\n:-7\r\n:9\r\n:42\r\n:1000\r\n:123456789\r\n:9007199254740991\r\n:9007199254740993\r\n';

const cases: [string, (w: ReplyWriter) => void, string, string][] = [
  ['ok', (w) => w.ok(), '+OK\r\n', '+OK\r\n'],
  ['simple', (w) => w.simple('PONG'), '+PONG\r\n', '+PONG\r\n'],
  ['error', (w) => w.error('ERR bad'), '-ERR bad\r\n', '-ERR bad\r\n'],
  ['integers', (w) => [0, 1, -7, 9, 42, 1000, 123456789, 9007199254740991, 9007199254740993n].forEach((n) => w.integer(n)), INTEGERS, INTEGERS],
  ['bulk', (w) => w.bulk(Buffer.from('a\r\nb')), '$4\r\na\r\nb\r\n', '$4\r\na\r\nb\r\n'],
  ['latin1 bulk', (w) => w.bulk('\xff\x00'), '$2\r\n\xff\x00\r\n', '$2\r\n\xff\x00\r\n'],
  ['null bulk', (w) => w.nullBulk(), '$-1\r\n', '_\r\n'],
  ['null array', (w) => w.nullArray(), '*-1\r\n', '_\r\n'],
  ['empty array', (w) => w.array(0), '*0\r\n', '*0\r\n'],
  ['array lengths of every digit count', (w) => [7, 10, 99, 100, 999, 1000, 123456789].forEach((n) => w.array(n)), '*7\r\n*10\r\n*99\r\n*100\r\n*999\r\n*1000\r\n*123456789\r\n', '*7\r\n*10\r\n*99\r\n*100\r\n*999\r\n*1000\r\n*123456789\r\n'],
  ['bulk lengths past one digit', (w) => [10, 100, 40000].forEach((n) => w.bulk(Buffer.alloc(n, 120))), `$10\r\n${'x'.repeat(10)}\r\n$100\r\n${'x'.repeat(100)}\r\n$40000\r\n${'x'.repeat(40000)}\r\n`, `$10\r\n${'x'.repeat(10)}\r\n$100\r\n${'x'.repeat(100)}\r\n$40000\r\n${'x'.repeat(40000)}\r\n`],
  ['map', (w) => (w.map(1), w.bulk('k'), w.integer(2)), '*2\r\n$1\r\nk\r\n:2\r\n', '%1\r\n$1\r\nk\r\n:2\r\n'],
  ['set', (w) => (w.set(1), w.bulk('m')), '*1\r\n$1\r\nm\r\n', '~1\r\n$1\r\nm\r\n'],
  ['push', (w) => w.push(3), '*3\r\n', '>3\r\n'],
  ['doubles', (w) => [1.5, 0.1, Infinity, -Infinity].forEach((d) => w.double(d)), '$3\r\n1.5\r\n$19\r\n0.10000000000000001\r\n$3\r\ninf\r\n$4\r\n-inf\r\n', ',1.5\r\n,0.10000000000000001\r\n,inf\r\n,-inf\r\n'],
  ['boolean', (w) => (w.boolean(true), w.boolean(false)), ':1\r\n:0\r\n', '#t\r\n#f\r\n'],
  ['verbatim', (w) => w.verbatim('a:1\r\n'), '$5\r\na:1\r\n\r\n', '=9\r\ntxt:a:1\r\n\r\n'],
];

for (const [name, write, resp2, resp3] of cases) {
  test(name, () => {
    assert.is(written(2, write), resp2, 'RESP2');
    assert.is(written(3, write), resp3, 'RESP3');
  });
}

test('big values are queued by reference and order is kept', () => {
  const w = new ReplyWriter();
  const big = Buffer.alloc(100_000, 'x');
  w.ok();
  w.bulk(big);
  w.ok();
  const out = w.release();
  assert.ok(out.includes(big), 'the value itself is queued, not copied');
  assert.is(Buffer.concat(out).toString(), `+OK\r\n$100000\r\n${big}\r\n+OK\r\n`);
});

test('release up to an offset holds the rest', () => {
  const w = new ReplyWriter();
  w.ok();
  const held = w.offset;
  w.integer(5);
  assert.is(Buffer.concat(w.release(held)).toString(), '+OK\r\n');
  assert.is(w.pendingBytes, 4);
  assert.is(Buffer.concat(w.release()).toString(), ':5\r\n');
});

test('many replies span several buffers', () => {
  const w = new ReplyWriter();
  for (let i = 0; i < 10_000; i++) w.bulk(`value-${i}`);
  const text = Buffer.concat(w.release()).toString();
  assert.ok(text.startsWith('$7\r\nvalue-0\r\n'));
  assert.ok(text.endsWith('$10\r\nvalue-9999\r\n'));
  assert.is(w.pendingBytes, 0);
});

test('truncate drops what a command wrote', () => {
  const w = new ReplyWriter();
  w.ok();
  const start = w.offset;
  w.bulk(Buffer.alloc(20_000, 'y'));
  w.truncate(start);
  w.simple('NEXT');
  assert.is(Buffer.concat(w.release()).toString(), '+OK\r\n+NEXT\r\n');
});

test('errors are counted and reported', () => {
  const w = new ReplyWriter();
  const seen: string[] = [];
  w.onError = (m) => seen.push(m);
  w.error('WRONGTYPE x');
  assert.is(w.errors, 1);
  assert.equal(seen, ['WRONGTYPE x']);
});

test.run();
