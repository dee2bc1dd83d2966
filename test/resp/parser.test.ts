// The request parser: every case fed as one chunk and byte by byte must give
// the same commands, raw bytes and protocol errors. Byte by byte, each byte is
// lent in one buffer that is zeroed after the call, as the server's shared
// input is reused: what the parser keeps must be its own.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RequestParser, splitInlineArgs } from '../../src/resp/parser.js';

interface Outcome {
  commands: string[][];
  raws: (string | null)[];
  error: string | null;
}

function parse(input: string | Buffer, { byteByByte = false, unauthenticated = false, maxBulk = 512 * 1024 * 1024 } = {}): Outcome {
  const out: Outcome = { commands: [], raws: [], error: null };
  const parser = new RequestParser(
    {
      command(argv, source, start, end) {
        out.commands.push(argv.map((a) => a.toString('latin1')));
        out.raws.push(source ? source.toString('latin1', start, end) : null);
      },
      protocolError(message) {
        out.error = message;
      },
      unauthenticated,
    },
    maxBulk,
  );
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  if (byteByByte) {
    const lent = Buffer.alloc(1);
    for (let i = 0; i < bytes.length; i++) {
      lent[0] = bytes[i];
      parser.feed(lent);
      lent[0] = 0;
    }
  } else parser.feed(bytes);
  return out;
}

/** Asserts commands and error, for both feeding styles. */
function check(name: string, input: string | Buffer, commands: string[][], error: string | null = null, options = {}): void {
  test(name, () => {
    for (const byteByByte of [false, true]) {
      const out = parse(input, { ...options, byteByByte });
      assert.equal(out.commands, commands, `commands (${byteByByte ? 'byte by byte' : 'one chunk'})`);
      assert.is(out.error, error, `error (${byteByByte ? 'byte by byte' : 'one chunk'})`);
    }
  });
}

check('one array command', '*2\r\n$3\r\nGET\r\n$1\r\na\r\n', [['GET', 'a']]);
check('pipeline of arrays', '*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n', [['PING'], ['ECHO', 'hi']]);
check('binary bulk with CRLF inside', '*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\n', [['ECHO', 'a\r\nb']]);
check('empty bulk', '*1\r\n$0\r\n\r\n', [['']]);
check('inline command', 'PING\r\n', [['PING']]);
check('inline with LF only', 'PING\n', [['PING']]);
check('inline with spaces and tabs', '  SET   a \t b  \r\n', [['SET', 'a', 'b']]);
check('empty inline lines are skipped', '\r\n   \r\nPING\r\n\n', [['PING']]);
check('inline double quotes and escapes', 'SET "a b" "x\\n\\x41\\"y"\r\n', [['SET', 'a b', 'x\nA"y']]);
check('a NUL byte hides the inline newline, as strchr does', 'ECHO a\x00b\r\nPING\r\n', []);
check('a NUL byte after the newline is part of the next line', 'PING\r\nECHO a\x00b\r\n', [['PING']]);
check('inline single quotes', "SET 'a \\' b' c\r\n", [['SET', "a ' b", 'c']]);
check('unbalanced quotes close the connection', 'set "a b\r\n', [], 'Protocol error: unbalanced quotes in request');
check('closing quote must be followed by a space', 'set "a"b\r\n', [], 'Protocol error: unbalanced quotes in request');
check('counts of zero or less are skipped', '*0\r\n*-1\r\n*-5\r\nPING\r\n', [['PING']]);
check('invalid multibulk length', '*x\r\n', [], 'Protocol error: invalid multibulk length');
check('invalid multibulk length with trailing junk', '*1x\r\n', [], 'Protocol error: invalid multibulk length');
check('empty multibulk length', '*\r\n', [], 'Protocol error: invalid multibulk length');
check('multibulk length above INT_MAX', '*2147483648\r\n', [], 'Protocol error: invalid multibulk length');
check('a million and one arguments wait for data', '*1048577\r\n', []);
check('bulk length too big', '*2\r\n$999999999999\r\n', [], 'Protocol error: invalid bulk length');
check('bulk length above 512MB', '*1\r\n$536870913\r\n', [], 'Protocol error: invalid bulk length');
check('exactly 512MB waits', '*1\r\n$536870912\r\n', []);
check('negative bulk length', '*1\r\n$-1\r\n', [], 'Protocol error: invalid bulk length');
check('non-numeric bulk length', '*1\r\n$x\r\n', [], 'Protocol error: invalid bulk length');
check("expected '$'", '*1\r\nfoo\r\n', [], "Protocol error: expected '$', got 'f'");
check('bulk without array is inline', '$3\r\nabc\r\n', [['$3'], ['abc']]);
check('commands before an error still run', 'PING\r\n*x\r\nPING\r\n', [['PING']], 'Protocol error: invalid multibulk length');
check('inline of 64KB waits', 'a'.repeat(65536), []);
check('inline over 64KB fails', 'a'.repeat(65537), [], 'Protocol error: too big inline request');
check('huge multibulk count string', '*' + '1'.repeat(70000), [], 'Protocol error: too big mbulk count string');
check('huge bulk count string', '*1\r\n$' + '1'.repeat(70000), [], 'Protocol error: too big bulk count string');
check('unauthenticated multibulk length', '*11\r\n', [], 'Protocol error: unauthenticated multibulk length', { unauthenticated: true });
check('ten arguments are fine unauthenticated', '*10\r\n', [], null, { unauthenticated: true });
check('unauthenticated bulk length', '*1\r\n$16385\r\n', [], 'Protocol error: unauthenticated bulk length', { unauthenticated: true });
check('a smaller max bulk length', '*1\r\n$11\r\n', [], 'Protocol error: invalid bulk length', { maxBulk: 10 });

{
  // argv is allocated at its announced size up to 1024 entries and grows past that.
  const args = Array.from({ length: 1100 }, (_, i) => `a${i}`);
  check('a command of 1100 arguments', `*1101\r\n$4\r\nMSET\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`, [['MSET', ...args]]);
}

test('a command name outlives its chunk, and each name keeps its own bytes', () => {
  // Names are copied once and shared by the commands that repeat them.
  const names: Buffer[] = [];
  const parser = new RequestParser({ command: (argv) => names.push(argv[0]), protocolError: assert.unreachable, unauthenticated: false });
  const lent = Buffer.alloc(64);
  for (const name of ['PING', 'PING', 'ping', 'PING', 'ECHO']) {
    const n = lent.write(`*1\r\n$${name.length}\r\n${name}\r\n`, 'latin1');
    parser.feed(lent.subarray(0, n));
    lent.fill(0);
  }
  assert.equal(names.map(String), ['PING', 'PING', 'ping', 'PING', 'ECHO']);
});

test('raw bytes are the exact command when it arrived in one chunk', () => {
  const input = '*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n';
  assert.equal(parse(input).raws, ['*1\r\n$4\r\nPING\r\n', '*2\r\n$3\r\nGET\r\n$1\r\na\r\n']);
  const split = parse(input, { byteByByte: true }).raws;
  // Byte by byte, a command is whole in one buffer only when the parser kept it contiguous.
  split.forEach((raw, i) => assert.ok(raw === null || raw === ['*1\r\n$4\r\nPING\r\n', '*2\r\n$3\r\nGET\r\n$1\r\na\r\n'][i]));
  assert.is(parse('PING\r\n').raws[0], null);
});

test('a 16 MiB value in 64 KB chunks arrives intact, and the command after it in its last chunk', () => {
  const value = Buffer.alloc(16 * 1024 * 1024, 'v');
  const input = Buffer.concat([Buffer.from(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${value.length}\r\n`), value, Buffer.from('\r\n*1\r\n$4\r\nPING\r\n')]);
  const got: Buffer[][] = [];
  const parser = new RequestParser({ command: (argv) => got.push(argv.map((a) => Buffer.from(a))), protocolError: assert.unreachable, unauthenticated: false });
  // Lent in one buffer, zeroed after each call, as the server reads.
  const lent = Buffer.alloc(65536);
  for (let i = 0; i < input.length; i += 65536) {
    const n = input.copy(lent, 0, i, i + 65536);
    parser.feed(lent.subarray(0, n));
    lent.fill(0);
  }
  assert.is(got.length, 2);
  assert.equal(got[0].slice(0, 2).map(String), ['SET', 'k']);
  assert.ok(got[0][2].equals(value));
  assert.equal(got[1].map(String), ['PING']);
  assert.is(parser.buffered, 0);
});

test('parsing stops after a protocol error', () => {
  const out = parse('*x\r\nPING\r\n');
  assert.equal(out.commands, []);
});

test('splitInlineArgs handles hex escapes and adjacent quotes', () => {
  const args = (s: string) => splitInlineArgs(Buffer.from(s, 'latin1'), 0, s.length)?.map((b) => b.toString('latin1')) ?? null;
  assert.equal(args('"\\x4a\\x4B" \'it\'\'s\''), null);
  assert.equal(args('"\\x4a\\x4B" x'), ['JK', 'x']);
  assert.equal(args('"\\xZZ"'), ['xZZ']);
  assert.equal(args(''), []);
});

test.run();
