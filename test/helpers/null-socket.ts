// A stand-in for the net.Socket of a served connection (Server.serve), for
// driving the server in process: bench/dispatch.ts feeds it pipelines, tests
// look at what it was given. Writes are counted and dropped.
import { EventEmitter } from 'node:events';

/** What Server.serve and Client use of a socket. */
export class NullSocket extends EventEmitter {
  bytesWritten = 0;
  writableLength = 0;
  remoteAddress = '127.0.0.1';
  remotePort = 1;
  localAddress = '127.0.0.1';
  localPort = 6379;
  write(data: Buffer): boolean {
    this.bytesWritten += data.length;
    return true;
  }
  cork(): void {}
  uncork(): void {}
  end(): void {}
  destroy(): void {}
  pause(): void {}
  resume(): void {}
}
