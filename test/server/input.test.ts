// Input that outlives its read. Every connection reads into one shared
// buffer, zeroed after each read (server/input.ts), so anything kept as a
// view of it would read zeros: commands queued in MULTI, sent while blocked
// or paused (also as their log records), long bulks in replies that wait for
// the log, and values that arrive in pieces.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, waitFor, type RawConnection } from '../durability/helpers.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** Sends one command and waits until the connection has received `expected` in all. */
async function exchange(conn: RawConnection, argv: string[], expected: string): Promise<void> {
  conn.send(argv);
  await waitFor(() => conn.received().length >= expected.length, `the reply to ${argv[0]}`);
  assert.is(conn.received(), expected);
}

/**
 * Runs body against an adaptive server, restarts it on the same log, and
 * asserts that GET key replies `expected` there.
 */
async function assertLoggedAcrossRestart(body: (s: TestServer) => Promise<void>, key: string, expected: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'velocitydb-input-'));
  try {
    const s = await startServer({ dir, durability: 'adaptive' });
    try {
      await body(s);
    } finally {
      await s.stop();
    }
    const restarted = await startServer({ dir, durability: 'adaptive' });
    const conn = await connect(restarted.port);
    try {
      await exchange(conn, ['GET', key], expected);
    } finally {
      conn.close();
      await restarted.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a transaction queued over several reads runs what was sent', async () => {
  const s = await startServer();
  const conn = await connect(s.port);
  try {
    let expected = '+OK\r\n';
    await exchange(conn, ['MULTI'], expected);
    await exchange(conn, ['SET', 'k', 'v1'], (expected += '+QUEUED\r\n'));
    await exchange(conn, ['GET', 'k'], (expected += '+QUEUED\r\n'));
    await exchange(conn, ['EXEC'], (expected += '*2\r\n+OK\r\n$2\r\nv1\r\n'));
  } finally {
    conn.close();
    await s.stop();
  }
});

test('commands sent while blocked run, and are logged, as they were sent', async () => {
  await assertLoggedAcrossRestart(async (s) => {
    const blocked = await connect(s.port);
    const pusher = await connect(s.port);
    try {
      blocked.send(['BLPOP', 'queue', '0']);
      await waitFor(() => s.server.blocking.count === 1, 'BLPOP to block');
      blocked.send(['SET', 'x', 'hello'], ['GET', 'x']);
      await waitFor(() => [...s.server.clients.values()].some((c) => c.deferred !== null), 'the SET to wait behind BLPOP');
      pusher.send(['RPUSH', 'queue', 'item']);
      const expected = '*2\r\n$5\r\nqueue\r\n$4\r\nitem\r\n+OK\r\n$5\r\nhello\r\n';
      await waitFor(() => blocked.received().length >= expected.length, 'the blocked client served');
      assert.is(blocked.received(), expected);
    } finally {
      blocked.close();
      pusher.close();
    }
  }, 'x', '$5\r\nhello\r\n');
});

test('commands sent during CLIENT PAUSE run, and are logged, as they were sent', async () => {
  await assertLoggedAcrossRestart(async (s) => {
    const admin = await connect(s.port);
    const writer = await connect(s.port);
    try {
      await exchange(admin, ['CLIENT', 'PAUSE', '10000', 'WRITE'], '+OK\r\n');
      writer.send(['SET', 'p', 'paused-value']);
      await waitFor(() => s.server.postponed.size === 1, 'the SET to be postponed');
      // Behind it, in a read of its own.
      writer.send(['APPEND', 'p', '+more']);
      await waitFor(() => s.server.postponed.get([...s.server.postponed.keys()][0])?.length === 2, 'the APPEND to be postponed');
      await exchange(admin, ['CLIENT', 'UNPAUSE'], '+OK\r\n+OK\r\n');
      await waitFor(() => writer.received() === '+OK\r\n:17\r\n', 'the SET and the APPEND to run');
    } finally {
      admin.close();
      writer.close();
    }
  }, 'p', '$17\r\npaused-value+more\r\n');
});

test('a long bulk from the input is copied into a reply that waits for the log', async () => {
  const s = await startServer({ durability: 'adaptive' });
  const conn = await connect(s.port);
  try {
    // ECHO's reply queues behind the SET's, which waits for its fdatasync, long after the read.
    const long = 'e'.repeat(20000);
    conn.send(['SET', 'k', 'v'], ['ECHO', long]);
    const expected = `+OK\r\n$${long.length}\r\n${long}\r\n`;
    await waitFor(() => conn.received().length >= expected.length, 'both replies');
    assert.is(conn.received(), expected);
  } finally {
    conn.close();
    await s.stop();
  }
});

test('a value sent in pieces, a read apart, is stored whole', async () => {
  const s = await startServer();
  const conn = await connect(s.port);
  try {
    const value = Buffer.alloc(100_000);
    for (let i = 0; i < value.length; i++) value[i] = 97 + (i % 26);
    const request = Buffer.concat([Buffer.from(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${value.length}\r\n`), value, Buffer.from('\r\n')]);
    for (const [from, to] of [
      [0, 20],
      [20, 30_000],
      [30_000, request.length],
    ]) {
      conn.socket.write(request.subarray(from, to));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await waitFor(() => conn.received() === '+OK\r\n', 'the SET');
    await exchange(conn, ['GET', 'big'], `+OK\r\n$${value.length}\r\n${value.toString('latin1')}\r\n`);
  } finally {
    conn.close();
    await s.stop();
  }
});

test.run();
