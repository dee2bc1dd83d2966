// KeyHints: where the keys of pipelined commands lie, found ahead of the
// parser. It must agree with the parser on every whole command it goes over,
// take the keys where COMMAND INFO puts them, and stop, not guess, at
// anything else.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeyHints, type KeyPositions } from '../../src/resp/key-hints.js';
import { encodeCommand } from '../../src/resp/encode-command.js';
import { RequestParser } from '../../src/resp/parser.js';
import { CommandTable } from '../../src/commands/table.js';
import { handlers } from '../../src/commands/index.js';

// COMMAND INFO's first key, last key and step of the commands used here.
const POSITIONS: Record<string, KeyPositions> = {
  GET: { firstKey: 1, lastKey: 1, keyStep: 1 },
  SET: { firstKey: 1, lastKey: 1, keyStep: 1 },
  INCR: { firstKey: 1, lastKey: 1, keyStep: 1 },
  DEL: { firstKey: 1, lastKey: -1, keyStep: 1 },
  MGET: { firstKey: 1, lastKey: -1, keyStep: 1 },
  MSET: { firstKey: 1, lastKey: -1, keyStep: 2 },
  PING: { firstKey: 0, lastKey: 0, keyStep: 0 },
};
let lookups = 0;
const positionsOf = (buf: Buffer, start: number, end: number): KeyPositions | null => {
  lookups++;
  return POSITIONS[buf.toString('latin1', start, end)] ?? null;
};

function scanned(input: Buffer, from = 0, max = 32): { keys: string[]; scannedTo: number } {
  const hints = new KeyHints(max, positionsOf);
  hints.scan(input, from);
  const keys: string[] = [];
  for (let i = 0; i < hints.count; i++) keys.push(input.toString('latin1', hints.starts[i], hints.ends[i]));
  return { keys, scannedTo: hints.scannedTo };
}

const bytes = (...commands: string[][]): Buffer => Buffer.concat(commands.map((argv) => encodeCommand(argv)));

test('the keys where COMMAND INFO puts them, to the end of the input', () => {
  const input = bytes(['SET', 'foo', 'bar'], ['GET', 'k'], ['MSET', 'a', '1', 'b', '2'], ['DEL', '', 'x'], ['MGET', 'p', 'q', 'r']);
  assert.equal(scanned(input), { keys: ['foo', 'k', 'a', 'b', '', 'x', 'p', 'q', 'r'], scannedTo: input.length });
});

test('commands without keys, unknown ones included, are gone over without a key', () => {
  const input = bytes(['PING'], ['PING', 'hello'], ['INCR', 'n'], ['EXEC'], ['NOSUCH', 'x'], ['SET']);
  assert.equal(scanned(input), { keys: ['n'], scannedTo: input.length });
});

test('starts at the given command and takes at most max keys, whole commands first', () => {
  const first = encodeCommand(['GET', 'skipped']);
  const gets = bytes(['GET', 'a'], ['GET', 'b'], ['GET', 'c']);
  const input = Buffer.concat([first, gets]);
  const twoMore = first.length + bytes(['GET', 'a'], ['GET', 'b']).length;
  assert.equal(scanned(input, first.length, 2), { keys: ['a', 'b'], scannedTo: twoMore });
  // An MGET whose keys do not all fit waits for the next scan...
  const getA = encodeCommand(['GET', 'a']);
  const mixed = bytes(['GET', 'a'], ['MGET', 'b', 'c', 'd']);
  assert.equal(scanned(mixed, 0, 3), { keys: ['a'], scannedTo: getA.length });
  // ... where, first, it gives its first max keys.
  assert.equal(scanned(mixed, getA.length, 2), { keys: ['b', 'c'], scannedTo: mixed.length });
});

test('a pipeline of one command looks its name up once', () => {
  const input = bytes(...Array.from({ length: 20 }, (_, i) => ['GET', `k${i}`]));
  lookups = 0;
  assert.is(scanned(input).keys.length, 20);
  assert.is(lookups, 1);
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
  const names = [...Object.keys(POSITIONS), 'CMD'];
  for (let round = 0; round < 200; round++) {
    const commands: string[][] = [];
    for (let c = random(40); c > 0; c--) {
      const argv = [names[random(names.length)]];
      for (let a = random(7); a > 0; a--) argv.push('k'.repeat(random(20)) + String.fromCharCode(random(256)));
      commands.push(argv);
    }
    const input = bytes(...commands);
    const expected: string[] = [];
    new RequestParser({
      command: (argv) => {
        const p = POSITIONS[argv[0].toString('latin1')];
        if (!p || p.firstKey === 0) return;
        const last = p.lastKey < 0 ? argv.length + p.lastKey : p.lastKey;
        for (let k = p.firstKey; k <= last && k < argv.length; k += p.keyStep) expected.push(argv[k].toString('latin1'));
      },
      protocolError: (message) => assert.unreachable(message),
      unauthenticated: false,
    }).feed(input);
    assert.equal(scanned(input, 0, 1000), { keys: expected, scannedTo: input.length }, `round ${round}`);
  }
});

test("the command table's COMMAND INFO serves as the positions, in any case", () => {
  const table = new CommandTable(handlers);
  const hints = new KeyHints(32, (buf, start, end) => table.lookupRange(buf, start, end)?.info ?? null);
  const input = bytes(['mset', 'a', '1', 'b', '2'], ['MgEt', 'c', 'd'], ['object', 'encoding', 'e'], ['echo', 'f'], ['exists', 'g', 'h']);
  hints.scan(input, 0);
  const keys = Array.from({ length: hints.count }, (_, i) => input.toString('latin1', hints.starts[i], hints.ends[i]));
  assert.equal(keys, ['a', 'b', 'c', 'd', 'g', 'h']);
});

test.run();
