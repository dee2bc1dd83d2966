// What the command tests share: an in-process server with real clients
// connected (ioredis 5 in RESP2, ioredis 6 and node-redis 6 in RESP3), every
// database emptied before each test, and the error a command fails with.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { Redis as Redis5 } from 'ioredis5';
import { createClient } from 'redis';
import type { Database } from '../../src/store/keyspace.js';
import { captureLog, type LogCapture } from './log-capture.js';
import { assertReplayRebuilds, type KeyspaceDump } from './replay.js';
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
  test.after.each(() => clients.s.assertSnapshots());
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

/** node-redis speaking RESP3, with its RESP3 reply types. */
type Resp3Client = ReturnType<typeof createClient<Record<string, never>, Record<string, never>, Record<string, never>, 3>>;

export interface LoggedClients {
  s: TestServer;
  /** ioredis 5 (RESP2). */
  r: Redis5;
  /** node-redis 6 (RESP3). */
  n: Resp3Client;
  /** Every record the server logged since the test began. */
  log: LogCapture;
  /** The logged commands, names uppercased. */
  logged(): string[][];
  /** Replays the log into a fresh server and compares every key with ours (type, value, expiry). */
  assertReplayMatches(): Promise<KeyspaceDump>;
}

/**
 * Registers on `test` the hooks of a suite that checks what is logged: a
 * server whose log records are captured (cleared before each test, with the
 * keyspace), an ioredis 5 and a RESP3 node-redis client.
 */
export function withLoggedClients(test: Test): LoggedClients {
  const t = {
    logged: () => commandsOf(t.log),
    assertReplayMatches: () => assertReplayRebuilds(t.s.server, t.log.records),
  } as LoggedClients;
  test.before(async () => {
    t.s = await startServer();
    t.log = captureLog(t.s.server);
    t.r = new Redis5({ port: t.s.port, host: '127.0.0.1', lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0 });
    await t.r.connect();
    t.n = createClient({ socket: { port: t.s.port, host: '127.0.0.1', reconnectStrategy: false }, RESP: 3 });
    t.n.on('error', () => {});
    await t.n.connect();
  });
  test.after(async () => {
    t.r.disconnect();
    await t.n.close();
    t.log.restore();
    await t.s.stop();
  });
  test.after.each(() => t.s.assertSnapshots());
  test.before.each(async () => {
    await t.r.flushall();
    t.log.clear();
  });
  return t;
}

export interface KeyEvents {
  /** "event key" of every keyevent notification of database 0, in order. */
  readonly events: string[];
  /** Resolves once `count` events arrived (or after a second, for the assertion to say what came). */
  arrived(count: number): Promise<void>;
  /** Unsubscribes and turns notifications off again. */
  stop(): Promise<void>;
}

/** Turns on notify-keyspace-events KEA through `admin` and collects database 0's key events on a connection of its own. */
export async function keyEvents(port: number, admin: Redis5): Promise<KeyEvents> {
  const sub = new Redis5({ port, host: '127.0.0.1', enableReadyCheck: false });
  const events: string[] = [];
  const prefix = '__keyevent@0__:';
  sub.on('pmessage', (_pattern: string, channel: string, message: string) => {
    if (channel.startsWith(prefix)) events.push(`${channel.slice(prefix.length)} ${message}`);
  });
  await sub.psubscribe(`${prefix}*`);
  await admin.config('SET', 'notify-keyspace-events', 'KEA');
  return {
    events,
    async arrived(count) {
      await admin.ping();
      for (let i = 0; i < 100 && events.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    },
    async stop() {
      await admin.config('SET', 'notify-keyspace-events', '');
      sub.disconnect();
    },
  };
}
