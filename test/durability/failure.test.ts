// An fdatasync failure through the server: the writes it covered get the
// MISCONF error instead of their reply, later writes are refused, reads go
// on; a compaction (BGREWRITEAOF) heals the log and nothing acknowledged or
// written since is lost.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis5';
import { connect, faultServer, infoField, waitFor } from './helpers.js';

const MISCONF = 'MISCONF Errors writing to the AOF file: Input/output error';

/** The error message a command's promise rejects with. */
async function errorOf(reply: Promise<unknown>): Promise<string> {
  try {
    return `no error, but ${String(await reply)}`;
  } catch (error) {
    return (error as Error).message;
  }
}

test('fsync failure: the write gets MISCONF, writes are refused, reads work, BGREWRITEAOF heals', async () => {
  const { server, files } = await faultServer();
  const client = new Redis({ port: server.port, maxRetriesPerRequest: 0 });
  await client.set('before', '1');

  files.failNextFsync('EIO');
  const conn = await connect(server.port);
  conn.send(['SET', 'lost', 'x'], ['GET', 'before']);
  await waitFor(() => conn.received().includes('\r\n$1\r\n1\r\n'), 'the replies after the failure');
  assert.is(conn.received(), `-${MISCONF}\r\n$1\r\n1\r\n`, 'the write gets the error, the read behind it its reply');

  assert.is(await errorOf(client.set('later', '2')), MISCONF);
  assert.is(await errorOf(client.incr('counter')), MISCONF);
  assert.is(await client.get('before'), '1');
  // The refused write changed nothing; the failed one is in memory (its outcome is unknown to its client).
  assert.is(await client.exists('later'), 0);
  const info = await client.info('persistence');
  assert.is(infoField(info, 'aof_last_write_status'), 'err');
  assert.is(infoField(info, 'wal_durable_seq'), '1');

  assert.is(await client.bgrewriteaof(), 'Background append only file rewriting started');
  await waitFor(() => !server.server.logUnhealthy, 'the log healthy again');
  assert.is(await client.set('after', '3'), 'OK');
  assert.is(infoField(await client.info('persistence'), 'aof_last_write_status'), 'ok');
  assert.is(infoField(await client.info('persistence'), 'aof_rewrites'), '1');
  client.disconnect();
  conn.close();
  await server.stop();

  // What a restart finds: the base (with the failed write's effect) and what came after it.
  files.powerCut();
  const { server: again } = await faultServer({}, files);
  const reader = new Redis({ port: again.port });
  assert.equal(await reader.mget('before', 'lost', 'after', 'later'), ['1', 'x', '3', null]);
  reader.disconnect();
  await again.stop();
});

test('a write error (ENOSPC) fails the writes of its batch, and the cron retries the log until it heals', async () => {
  const { server, files } = await faultServer();
  const client = new Redis({ port: server.port, maxRetriesPerRequest: 0 });
  files.failNextWrite('ENOSPC');
  const enospc = 'MISCONF Errors writing to the AOF file: No space left on device';
  assert.equal(await Promise.all([errorOf(client.set('a', '1')), errorOf(client.set('b', '2'))]), [enospc, enospc]);
  await waitFor(() => !server.server.logUnhealthy, 'the retry by the cron');
  assert.is(await client.set('c', '3'), 'OK');
  client.disconnect();
  await server.stop();
});

test.run();
