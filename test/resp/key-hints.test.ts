// KeyHints: where the keys of pipelined commands lie, found ahead of the
// parser. It must agree with the parser on every whole command it goes over,
// and stop, not guess, at anything else.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeyHints } from '../../src/resp/key-hints.js';
import { encodeCommand } from '../../src/resp/encode-command.js';
import { RequestParser } from '../../src/resp/parser.js';

function scanned(input: Buffer, from = 0, max = 32): { keys: string[]; scannedTo: number } {
  const hints = new KeyHints(max);
  hints.scan(input, from);
  const keys: string[] = [];
  for (let i = 0; i < hints.count; i++) keys.push(input.toString('latin1', hints.starts[i], hints.ends[i]));
  return { keys, scannedTo: hints.scannedTo };
}

const bytes = (...commands: string[][]): Buffer => Buffer.concat(commands.map((argv) => encodeCommand(argv)));

test('the second argument of each command, to the end of the input', () => {
  const input = bytes(['SET', 'foo', 'bar'], ['GET', 'k'], ['MSET', 'a', '1', 'b', '2'], ['DEL', '']);
  assert.equal(scanned(input), { keys: ['foo', 'k', 'a', ''], scannedTo: input.length });
});

test('commands without a second argument are gone over without a key', () => {
  const input = bytes(['PING'], ['INCR', 'n'], ['EXEC']);
  assert.equal(scanned(input), { keys: ['n'], scannedTo: input.length });
});

test('starts at the given command and takes at most max commands', () => {
  const first = encodeCommand(['GET', 'skipped']);
  const input = Buffer.concat([first, bytes(['GET', 'a'], ['GET', 'b'], ['GET', 'c'])]);
  const twoMore = first.length + encodeCommand(['GET', 'a']).length + encodeCommand(['GET', 'b']).length;
  assert.equal(scanned(input, first.length, 2), { keys: ['a', 'b'], scannedTo: twoMore });
});

test('stops at an incomplete command, an inline command or a malformed header', () => {
  const whole = encodeCommand(['SET', 'x', 'y']);
  const partial = encodeCommand(['SET', 'partial', 'value']);
  for (let cut = 1; cut < partial.length; cut++) {
    const input = Buffer.concat([whole, partial.subarray(0, cut)]);
    assert.equal(scanned(input), { keys: ['x'], scannedTo: whole.length }, `cut at ${cut}`);
  }
  for (const rest of ['GET inline\r\n', '*2\r\n$3\r\nGET\r\n+k\r\n', '*x\r\n', '*2\r\n$-1\r\n', '*2\r\n$99999999999\r\n']) {
    const input = Buffer.concat([whole, Buffer.from(rest, 'latin1')]);
    assert.equal(scanned(input), { keys: ['x'], scannedTo: whole.length }, JSON.stringify(rest));
  }
});

test('agrees with the parser on random pipelines', () => {
  let seed = 7;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (let round = 0; round < 200; round++) {
    const commands: string[][] = [];
    for (let c = random(40); c > 0; c--) {
      const argv = ['CMD'];
      for (let a = random(5); a > 0; a--) argv.push('k'.repeat(random(20)) + String.fromCharCode(random(256)));
      commands.push(argv);
    }
    const input = bytes(...commands);
    const parsed: string[] = [];
    new RequestParser({
      command: (argv) => {
        if (argv.length > 1) parsed.push(argv[1].toString('latin1'));
      },
      protocolError: (message) => assert.unreachable(message),
      unauthenticated: false,
    }).feed(input);
    assert.equal(scanned(input, 0, 64), { keys: parsed, scannedTo: input.length }, `round ${round}`);
  }
});

test.run();
