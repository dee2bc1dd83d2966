// A connection's replies are written into one buffer that starts again from
// its beginning once the socket has taken everything (ReplyWriter.reuse).
// A socket that took only part of a write still holds the rest of that
// buffer: replies made meanwhile must not overwrite it. They leave once per
// turn, after all of its reads (Server.flushAtTurnEnd).
import net from 'node:net';
import { once } from 'node:events';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, waitFor } from '../durability/helpers.js';
import { NullSocket } from '../helpers/null-socket.js';
import { startServer } from '../helpers/server.js';

/** RESP2's encoding of a pub/sub message. */
function messageReply(channel: string, message: string): string {
  return `*3\r\n$7\r\nmessage\r\n$${channel.length}\r\n${channel}\r\n$${message.length}\r\n${message}\r\n`;
}

test('messages for a subscriber that stopped reading arrive intact once it reads again', async () => {
  const s = await startServer();
  const subscriber = net.connect(s.port, '127.0.0.1');
  await once(subscriber, 'connect');
  const publisher = await connect(s.port);
  try {
    let received = '';
    subscriber.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    subscriber.write('*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nch\r\n');
    const subscribed = '*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n';
    await waitFor(() => received.length >= subscribed.length, 'the subscription');
    // From here the kernel's buffers fill up and the server's writes stay unfinished.
    subscriber.pause();
    // 8 MB in 10 KB messages, each unlike the others, published in 27 turns:
    // more than the kernel's socket buffers take from a reader that reads nothing.
    let expected = subscribed;
    let acks = '';
    for (let turn = 0; turn < 27; turn++) {
      const commands: string[][] = [];
      for (let i = 0; i < 30; i++) {
        const n = turn * 30 + i;
        const message = `${n}:`.padEnd(10_000, String.fromCharCode(97 + (n % 26)));
        commands.push(['PUBLISH', 'ch', message]);
        expected += messageReply('ch', message);
      }
      publisher.send(...commands);
      acks += ':1\r\n'.repeat(30);
      await waitFor(() => publisher.received().length >= acks.length, `turn ${turn}'s publishes`);
    }
    subscriber.resume();
    await waitFor(() => received.length >= expected.length, 'every message');
    assert.is(received.length, expected.length);
    assert.ok(received === expected, 'the messages arrived as published');
  } finally {
    subscriber.destroy();
    publisher.close();
    await s.stop();
  }
});

/** A served connection's socket that keeps what is written to it. */
class RecordingSocket extends NullSocket {
  readonly writes: string[] = [];
  override write(data: Buffer): boolean {
    this.writes.push(data.toString('latin1'));
    return super.write(data);
  }
}

test("the replies to a turn's input leave at the end of the turn, in one write per connection", async () => {
  const s = await startServer();
  const sockets = [new RecordingSocket(), new RecordingSocket()];
  try {
    const [first, second] = sockets.map((socket) => s.server.serve(socket as unknown as net.Socket));
    first(Buffer.from('*1\r\n$4\r\nPING\r\n'));
    second(Buffer.from('*2\r\n$4\r\nECHO\r\n$1\r\na\r\n'));
    first(Buffer.from('*2\r\n$4\r\nECHO\r\n$1\r\nb\r\n'));
    assert.equal(
      sockets.map((socket) => socket.writes),
      [[], []],
      'nothing is written while the turn reads',
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(sockets[0].writes, ['+PONG\r\n$1\r\nb\r\n']);
    assert.equal(sockets[1].writes, ['$1\r\na\r\n']);
  } finally {
    for (const socket of sockets) socket.emit('close');
    await s.stop();
  }
});

test.run();
