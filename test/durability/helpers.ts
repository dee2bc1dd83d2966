// Scaffolding of the server-level durability tests: a server over the
// in-memory fault layer, raw connections that count what came back, and a
// wait for a condition (the test times out otherwise).
import net from 'node:net';
import { once } from 'node:events';
import { encodeCommand } from '../../src/resp/encode-command.js';
import { FaultFileLayer } from '../wal/fault-file-layer.js';
import { startServer, type TestServer } from '../helpers/server.js';
import type { Config } from '../../src/config.js';

export const DIR = '/data/velocitydb';

/** A server in adaptive mode whose log lives in the returned fault layer. */
export async function faultServer(overrides: Partial<Config> = {}, files = new FaultFileLayer()): Promise<{ server: TestServer; files: FaultFileLayer }> {
  const server = await startServer({ durability: 'adaptive', dir: DIR, ...overrides }, { files, segmentSize: 1 << 20 });
  return { server, files };
}

export interface RawConnection {
  socket: net.Socket;
  /** Everything received so far, latin1. */
  received(): string;
  send(...commands: (string | Buffer)[][]): void;
  close(): void;
}

export async function connect(port: number): Promise<RawConnection> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  return {
    socket,
    received: () => text,
    // One socket write for all commands: they arrive in one turn.
    send: (...commands) => void socket.write(Buffer.concat(commands.map((argv) => encodeCommand(argv)))),
    close: () => void socket.destroy(),
  };
}

export async function waitFor(cond: () => boolean | Promise<boolean>, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Lets a few event-loop turns pass (nothing must happen meanwhile). */
export const settle = (ms = 30): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A field of INFO's text. */
export function infoField(info: string, name: string): string {
  const match = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  if (!match) throw new Error(`INFO has no ${name}`);
  return match[1].trim();
}

export const count = (text: string, piece: string): number => text.split(piece).length - 1;
