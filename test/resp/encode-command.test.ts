// Commands encoded as RESP arrays of bulk strings: encodeCommand for one,
// CommandWriter for many back to back (snapshots).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CommandWriter, encodeCommand } from '../../src/resp/encode-command.js';

/** The encoding spelled out, as the RESP spec gives it. */
function spelled(argv: (Buffer | string)[]): string {
  return `*${argv.length}\r\n` + argv.map((a) => `$${a.length}\r\n${typeof a === 'string' ? a : a.toString('latin1')}\r\n`).join('');
}

const lengths = [0, 1, 9, 10, 31, 32, 33, 99, 100, 999, 1000, 1001, 70000];
const args = lengths.flatMap((n) => [String.fromCharCode(...Array.from({ length: n }, (_, i) => 32 + ((i * 7) % 224))), Buffer.alloc(n, n % 256)]);

test('encodeCommand writes strings (latin1) and buffers of every length class', () => {
  for (const arg of args) {
    const argv = ['SET', arg, Buffer.from('v')];
    assert.is(encodeCommand(argv).toString('latin1'), spelled(argv), `length ${arg.length}`);
  }
  assert.is(encodeCommand([]).toString('latin1'), '*0\r\n');
});

test('a CommandWriter appends commands through growth, and starts over on reset', () => {
  const writer = new CommandWriter(16);
  let expected = '';
  for (let i = 0; i < args.length; i++) {
    const argv = ['RPUSH', `k${i}`, args[i], args[args.length - 1 - i]];
    writer.command(argv);
    expected += spelled(argv);
  }
  assert.is(writer.length, Buffer.byteLength(expected, 'latin1'));
  assert.is(writer.bytes().toString('latin1'), expected);
  writer.reset();
  assert.is(writer.length, 0);
  writer.command(['PING']);
  assert.is(writer.bytes().toString('latin1'), '*1\r\n$4\r\nPING\r\n');
});

test.run();
