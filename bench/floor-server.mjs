// The floor under any Node.js server on this machine: VelocityDB's sockets and
// request parser, and nothing else. Every request is answered +OK, with one
// socket write per connection at the end of the turn that read its input, as
// VelocityDB does it. There is no keyspace and there are no commands.
// bench/memory-mode.ts runs it beside redis-server and VelocityDB, so its
// report shows how close to redis-server a Node.js server can get at all. It
// is plain JavaScript, so it runs as built: no transform, nothing added.
//   npm run build && node bench/floor-server.mjs PORT
import net from 'node:net';
import { RequestParser } from '../dist/resp/parser.js';
import { readIntoSharedInput } from '../dist/server/input.js';

const OK = Buffer.from('+OK\r\n');
// redis-benchmark asks for CONFIG GET save and appendonly first, and warns
// unless each gets a name and a value: it gets the name and an empty value.
function configReply(name) {
  return Buffer.concat([Buffer.from(`*2\r\n$${name.length}\r\n`), name, Buffer.from('\r\n$0\r\n\r\n')]);
}
const MAX_OKS = 4096;
const oks = Buffer.alloc(OK.length * MAX_OKS);
for (let i = 0; i < MAX_OKS; i++) OK.copy(oks, i * OK.length);

class Requests {
  socket = null;
  unwritten = 0;

  command(argv) {
    if (argv[0].length === 6 && argv[0].toString('latin1').toLowerCase() === 'config') {
      this.writeOks();
      this.socket.write(configReply(argv[argv.length - 1]));
    } else this.unwritten++;
  }
  writeOks() {
    for (; this.unwritten > 0; this.unwritten -= MAX_OKS) {
      this.socket.write(oks.subarray(0, Math.min(this.unwritten, MAX_OKS) * OK.length));
    }
    this.unwritten = 0;
  }
  protocolError() {
    throw new Error('the floor server takes only well-formed requests');
  }
  get unauthenticated() {
    return false;
  }
}

/** Connections with replies to write once this turn's input has all been read. */
const toFlush = new Set();
function flushTurn() {
  for (const requests of toFlush) requests.writeOks();
  toFlush.clear();
}

net
  .createServer({ noDelay: true, pauseOnConnect: true }, (accepted) => {
    const requests = new Requests();
    const parser = new RequestParser(requests);
    requests.socket = readIntoSharedInput(accepted, (chunk) => {
      parser.feed(chunk);
      if (toFlush.size === 0) setImmediate(flushTurn);
      toFlush.add(requests);
    });
    requests.socket.on('error', () => {});
  })
  .listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
