// What the command tests share: an in-process server with real clients
// connected (ioredis 5 in RESP2, ioredis 6 and node-redis 6 in RESP3), every
// database emptied before each test, and the error a command fails with.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { Redis as Redis5 } from 'ioredis5';
import { createClient } from 'redis';
import type { Database } from '../../src/store/keyspace.js';
import type { LogCapture } from './log-capture.js';
import { startServer, type TestServer } from './server.js';

export interface Clients {
  /** The server, its port and directory (set once the suite's before hook ran). */
  s: TestServer;
  r5: Redis5;
  r6: Redis;
  nr: ReturnType<typeof createClient>;
  /** Database `index` of the server's keyspace, to put values in directly. */
  db(index?: number): Database;
}

/** Registers on `test` the hooks that start the server and clients, empty it per test and stop it all. */
export function withClients(test: Test): Clients {
  const clients = {
    db: (index = 0) => clients.s.server.keyspace.databases[index],
  } as Clients;
  test.before(async () => {
    clients.s = await startServer();
    const options = { port: clients.s.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 };
    clients.r5 = new Redis5(options);
    clients.r6 = new Redis(options);
    await Promise.all([clients.r5.connect(), clients.r6.connect()]);
    clients.nr = createClient({ socket: { port: clients.s.port, host: '127.0.0.1', reconnectStrategy: false } });
    await clients.nr.connect();
  });
  test.after(async () => {
    clients.r5.disconnect();
    clients.r6.disconnect();
    await clients.nr.quit();
    await clients.s.stop();
  });
  test.before.each(() => {
    for (const db of clients.s.server.keyspace.databases) db.clear();
  });
  return clients;
}

/** The error a command fails with (Redis's text without the '-'); fails the test when it succeeds. */
export async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: Error) => e,
  );
  assert.ok(error, 'expected an error reply');
  return (error as Error).message;
}

/** Logged commands with their names uppercased (clients send them in any case). */
export function commandsOf(log: LogCapture): string[][] {
  return log.commands().map(([name, ...args]) => [name.toUpperCase(), ...args]);
}
