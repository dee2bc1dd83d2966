// Through the server: batches follow the adaptive rule, a write's reply leaves
// only after the fdatasync covering it, a read waits only when it saw
// non-durable data.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, count, faultServer, infoField, settle, waitFor } from './helpers.js';
import { DEFAULT_FSYNC_CONCURRENCY } from '../../src/wal/write-ahead-log.js';

const isSegment = (path: string): boolean => /wal-\d+\.log$/.test(path);

test('one 1000-SET pipeline on an idle server: 7 batches of 128 and one of 104, replies only as they become durable', async () => {
  const { server, files } = await faultServer();
  const conn = await connect(server.port);
  files.holdFsyncs(isSegment);
  const sets = Array.from({ length: 1000 }, (_, i) => ['SET', `key:${i}`, `value:${i}`]);
  conn.send(...sets);
  await waitFor(() => server.server.lastSeq === 1000, 'all 1000 SETs logged');
  await waitFor(() => files.heldFsyncs.length === DEFAULT_FSYNC_CONCURRENCY, 'as many fdatasyncs in flight as the default allows');
  await settle();
  assert.is(conn.received(), '', 'nothing is acknowledged before an fdatasync completes');
  assert.equal(server.server.durableLog?.infoLines().find((l) => l.startsWith('wal_recent_batch_sizes')), 'wal_recent_batch_sizes:128,128,128,128,128,128,128,104');

  // The first fdatasync covers the first batch: exactly its 128 replies leave.
  files.release(0);
  await waitFor(() => count(conn.received(), '+OK\r\n') === 128, 'the first batch acknowledged');
  await settle();
  assert.is(count(conn.received(), '+OK\r\n'), 128);

  files.stopHolding();
  await waitFor(() => count(conn.received(), '+OK\r\n') === 1000, 'all acknowledged');
  conn.send(['INFO', 'persistence']);
  await waitFor(() => conn.received().includes('wal_last_seq'), 'INFO');
  const info = conn.received();
  assert.is(infoField(info, 'wal_recent_batch_sizes'), '128,128,128,128,128,128,128,104');
  assert.is(infoField(info, 'wal_batches'), '8');
  assert.is(infoField(info, 'wal_entries'), '1000');
  assert.is(infoField(info, 'wal_durable_seq'), '1000');
  assert.is(infoField(info, 'wal_durability'), 'adaptive');
  assert.is(infoField(info, 'aof_enabled'), '1');
  assert.is(infoField(info, 'loading'), '0');
  conn.close();
  await server.stop();
});

test('a deep pipeline released one fdatasync at a time: every reply leaves once, in order, as its batch becomes durable', async () => {
  // An fdatasync per batch: the durable point then moves a batch at a time.
  const { server, files } = await faultServer({ fsyncConcurrency: 32 });
  const conn = await connect(server.port);
  files.holdFsyncs(isSegment);
  // 3000 SETs, each followed by a GET that saw it: 6000 held replies, 24 batches.
  const commands: string[][] = [];
  const replies: string[] = [];
  for (let i = 0; i < 3000; i++) {
    commands.push(['SET', `key:${i}`, `v${i}`], ['GET', `key:${i}`]);
    replies.push('+OK\r\n', `$${String(i).length + 1}\r\nv${i}\r\n`);
  }
  conn.send(...commands);
  await waitFor(() => server.server.lastSeq === 3000, 'all 3000 SETs logged');
  let releasedUpTo = 0;
  while (releasedUpTo < 3000) {
    await waitFor(() => files.heldFsyncs.length > 0, 'an fdatasync in flight');
    files.release(0);
    await waitFor(() => server.server.durableSeq > releasedUpTo, 'the durable point moves');
    releasedUpTo = server.server.durableSeq;
    // Every write up to the durable point and the read after it, nothing beyond.
    await waitFor(() => conn.received().length === replies.slice(0, 2 * releasedUpTo).join('').length, `the replies up to ${releasedUpTo}`);
    await settle(5);
    assert.is(conn.received(), replies.slice(0, 2 * releasedUpTo).join(''));
  }
  conn.close();
  await server.stop();
});

test('a read of a key written in the same turn waits for the fdatasync; a read of durable data does not', async () => {
  const { server, files } = await faultServer();
  const writer = await connect(server.port);
  const reader = await connect(server.port);
  writer.send(['SET', 'durable', 'old']);
  await waitFor(() => writer.received() === '+OK\r\n', 'the first write acknowledged');

  files.holdFsyncs(isSegment);
  writer.send(['SET', 'fresh', 'new'], ['GET', 'fresh']);
  await waitFor(() => files.heldFsyncs.length === 1, 'the fdatasync of the write');
  reader.send(['GET', 'durable']);
  await waitFor(() => reader.received() === '$3\r\nold\r\n', 'the read of durable data, not held');
  reader.send(['GET', 'fresh']);
  await settle();
  assert.is(writer.received(), '+OK\r\n', 'the write and the read behind it wait');
  assert.is(reader.received(), '$3\r\nold\r\n', 'the read of a non-durable write waits');

  files.stopHolding();
  await waitFor(() => reader.received() === '$3\r\nold\r\n$3\r\nnew\r\n', 'the held read');
  await waitFor(() => writer.received() === '+OK\r\n+OK\r\n$3\r\nnew\r\n', 'the held write and read');
  writer.close();
  reader.close();
  await server.stop();
});

test('the replies before the first held one leave at the end of their turn', async () => {
  const { server, files } = await faultServer();
  const conn = await connect(server.port);
  conn.send(['SET', 'durable', 'old']);
  await waitFor(() => conn.received() === '+OK\r\n', 'the first write acknowledged');
  files.holdFsyncs(isSegment);
  conn.send(['GET', 'durable'], ['SET', 'fresh', 'new'], ['PING']);
  await waitFor(() => conn.received() === '+OK\r\n$3\r\nold\r\n', 'the read ahead of the write');
  await settle();
  assert.is(conn.received(), '+OK\r\n$3\r\nold\r\n', 'the write and what follows it wait');
  files.stopHolding();
  await waitFor(() => conn.received() === '+OK\r\n$3\r\nold\r\n+OK\r\n+PONG\r\n', 'the rest once durable');
  conn.close();
  await server.stop();
});

test('a read waits for exactly the writes it may have observed: each of its keys, deleted keys, movable keys, keyless reads', async () => {
  const { server, files } = await faultServer();
  const writer = await connect(server.port);
  writer.send(['SET', 'd1', '1'], ['SET', 'd2', '2'], ['SET', 'gone', 'x'], ['SADD', 'sd', 'm'], ['SADD', 'sf', 'm'], ['HSET', 'h', 'f', 'v']);
  await waitFor(() => writer.received() === '+OK\r\n+OK\r\n+OK\r\n:1\r\n:1\r\n:1\r\n', 'the durable writes');
  files.holdFsyncs(isSegment);
  const lastDurable = server.server.lastSeq;
  writer.send(['SET', 'fresh', 'v'], ['DEL', 'gone'], ['SADD', 'sf', 'n']);
  await waitFor(() => server.server.lastSeq === lastDurable + 3 && files.heldFsyncs.length > 0, 'the writes in flight');
  // One connection per read: a held reply holds back the replies after it.
  const reads: [string[], string, boolean][] = [
    [['MGET', 'd1', 'd2'], '*2\r\n$1\r\n1\r\n$1\r\n2\r\n', false],
    [['MGET', 'd1', 'fresh'], '*2\r\n$1\r\n1\r\n$1\r\nv\r\n', true],
    [['EXISTS', 'd2', 'd1'], ':2\r\n', false],
    [['EXISTS', 'd1', 'gone'], ':1\r\n', true],
    [['GET', 'gone'], '$-1\r\n', true],
    [['HGET', 'h', 'f'], '$1\r\nv\r\n', false],
    [['SINTERCARD', '1', 'sd'], ':1\r\n', false],
    [['SINTERCARD', '2', 'sd', 'sf'], ':1\r\n', true],
    [['DBSIZE'], ':6\r\n', true],
  ];
  const readers = await Promise.all(reads.map(() => connect(server.port)));
  reads.forEach(([command], i) => readers[i].send(command));
  const free = reads.filter(([, , held]) => !held).length;
  await waitFor(() => readers.filter((r) => r.received() !== '').length === free, 'the reads of durable data');
  await settle();
  reads.forEach(([command, reply, held], i) => assert.is(readers[i].received(), held ? '' : reply, `${command.join(' ')}${held ? ' waits' : ' does not wait'}`));
  files.stopHolding();
  await waitFor(() => readers.every((r, i) => r.received() === reads[i][1]), 'the held reads');
  for (const r of [writer, ...readers]) r.close();
  await server.stop();
});

test('shutdown answers the held replies after the log committed them', async () => {
  const { server, files } = await faultServer();
  const conn = await connect(server.port);
  files.holdFsyncs(isSegment);
  conn.send(['SET', 'k', 'v']);
  await waitFor(() => files.heldFsyncs.length === 1, 'the fdatasync');
  const stopped = server.stop();
  await settle();
  files.stopHolding();
  await stopped;
  await waitFor(() => conn.received() === '+OK\r\n', 'the reply');
  conn.close();
});

test('wal-fsync-concurrency bounds the fdatasyncs in flight, set at start and by CONFIG SET', async () => {
  const { server, files } = await faultServer({ fsyncConcurrency: 2 });
  const conn = await connect(server.port);
  /** 512 SETs seal 4 batches in one turn: at most `inFlight` fdatasyncs may cover them at once. */
  async function fourBatches(inFlight: number): Promise<void> {
    const before = count(conn.received(), '+OK\r\n');
    files.holdFsyncs(isSegment);
    conn.send(...Array.from({ length: 512 }, (_, i) => ['SET', `key:${i}`, 'v']));
    await waitFor(() => files.heldFsyncs.length === inFlight, `${inFlight} fdatasyncs in flight`);
    await settle();
    assert.is(files.heldFsyncs.length, inFlight, 'no more fdatasyncs while those are held');
    files.stopHolding();
    await waitFor(() => count(conn.received(), '+OK\r\n') === before + 512, 'all acknowledged');
  }
  await fourBatches(2);
  conn.send(['CONFIG', 'SET', 'wal-fsync-concurrency', '3']);
  await waitFor(() => count(conn.received(), '+OK\r\n') === 513, 'CONFIG SET');
  await fourBatches(3);

  const mark = conn.received().length;
  conn.send(['CONFIG', 'SET', 'wal-fsync-concurrency', '0'], ['CONFIG', 'GET', 'wal-fsync-concurrency'], ['INFO', 'persistence']);
  await waitFor(() => conn.received().includes('wal_last_seq'), 'INFO');
  const replies = conn.received().slice(mark);
  assert.ok(
    replies.startsWith("-ERR CONFIG SET failed (possibly related to argument 'wal-fsync-concurrency') - argument must be between 1 and 1024 inclusive\r\n*2\r\n$21\r\nwal-fsync-concurrency\r\n$1\r\n3\r\n"),
    replies.slice(0, 200),
  );
  assert.is(infoField(replies, 'wal_fsync_concurrency'), '3');
  conn.close();
  await server.stop();
});

test.run();
