// The syscall-level proof of the durability promise: a server process runs
// under `strace -f`, a few clients send SETs with unique values, and the
// trace shows, for every `+OK` written to a client socket, that an fdatasync
// (or fsync) on the log file, called after the log write holding that SET's
// entry, had already returned 0. Entries are found by their unique values in
// the pwrite64 payloads of log frames (which start with the frame magic).
//
// Needs strace: in CI (process.env.CI) its absence fails the test; elsewhere
// the test is skipped with a message saying so.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis5';
import { connect, count, spawnServer, waitFor, type ChildServer, type RawConnection } from './helpers.js';

const FRAME_MAGIC = Buffer.from('VDW1', 'latin1');
const SYNCS = new Set(['fdatasync', 'fsync']);

function haveStrace(): boolean {
  if (spawnSync('sh', ['-c', 'command -v strace']).status === 0) return true;
  if (process.env.CI) throw new Error('strace is required in CI (apt-get install strace)');
  console.warn('SKIPPED: strace is not installed (apt-get install strace); the syscall-order proof did not run');
  return false;
}

interface Call {
  /** Line index of the call's start, and of its return (the same line unless strace split it). */
  entry: number;
  exit: number;
  time: string;
  exitTime: string;
  pid: string;
  name: string;
  fd: number;
  data: Buffer;
  ret: number | null;
}

/** Decodes the quoted strings of an `strace -xx` argument list, in order. */
function strings(args: string): Buffer {
  const parts: Buffer[] = [];
  for (const match of args.matchAll(/"((?:\\x[0-9a-f]{2})*)"/g)) parts.push(Buffer.from(match[1].replace(/\\x/g, ''), 'hex'));
  return Buffer.concat(parts);
}

/** The write, pwrite and sync calls of a trace, with the line indices of their start and return. */
function parseTrace(text: string): Call[] {
  const calls: Call[] = [];
  const unfinished = new Map<string, Call>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = /^(\d+) +(\S+) (.*)$/.exec(lines[i]);
    if (!line) continue;
    const [, pid, time, rest] = line;
    const resumed = /^<\.\.\. (\w+) resumed>(.*)$/.exec(rest);
    if (resumed) {
      const call = unfinished.get(`${pid}:${resumed[1]}`);
      if (!call) continue;
      unfinished.delete(`${pid}:${resumed[1]}`);
      call.exit = i;
      call.exitTime = time;
      const ret = /\) += (-?\d+)/.exec(resumed[2]);
      call.ret = ret ? Number(ret[1]) : null;
      continue;
    }
    const start = /^(\w+)\((\d+), ?(.*)$/.exec(rest) ?? /^(\w+)\((\d+)(.*)$/.exec(rest);
    if (!start) continue;
    const [, name, fd, args] = start;
    const call: Call = { entry: i, exit: i, time, exitTime: time, pid, name, fd: Number(fd), data: strings(args), ret: null };
    if (/<unfinished \.\.\.>$/.test(args)) unfinished.set(`${pid}:${name}`, call);
    else {
      const ret = /\) += (-?\d+)/.exec(args);
      call.ret = ret ? Number(ret[1]) : null;
    }
    calls.push(call);
  }
  return calls;
}

/** Sends each connection's SETs, a few pipelined at a time; resolves to their values in order per connection. */
async function rawLoad(conn: RawConnection, tag: string, total: number, depth: number): Promise<string[]> {
  const values: string[] = [];
  while (values.length < total) {
    const round: string[][] = [];
    for (let j = 0; j < depth && values.length < total; j++) {
      const value = `${tag}-${values.length}-${Math.random().toString(36).slice(2, 10)}`;
      values.push(value);
      round.push(['SET', `${tag}:${values.length}`, value]);
    }
    conn.send(...round);
    await waitFor(() => count(conn.received(), '+OK\r\n') === values.length, `${tag}: ${values.length} replies`);
  }
  return values;
}

test('strace: no +OK leaves the server before an fdatasync on the log, called after its entry was written, returned', async () => {
  if (!haveStrace()) return;
  const dir = mkdtempSync(join(tmpdir(), 'velocitydb-strace-'));
  const traceFile = join(dir, 'trace.txt');
  const strace = ['strace', '-f', '-tt', '-s', '65536', '-xx', '--seccomp-bpf', '-e', 'trace=write,writev,pwrite64,pwritev,fdatasync,fsync', '-o', traceFile];
  let server: ChildServer | null = null;
  // Connection tag -> the values of its SETs, in the order sent.
  const sent = new Map<string, string[]>();
  try {
    server = await spawnServer(join(dir, 'data'), ['--durability', 'adaptive'], strace);
    const port = server.port;
    const raws = await Promise.all([0, 1, 2].map(() => connect(port)));
    const ioredis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      // Each connection first says who it is: its ECHO reply names the server's socket fd in the trace.
      for (const [c, raw] of raws.entries()) {
        raw.send(['ECHO', `mark-raw${c}`]);
        await waitFor(() => raw.received().includes(`mark-raw${c}`), 'ECHO');
      }
      assert.is(await ioredis.echo('mark-io'), 'mark-io');
      const ioLoad = async (): Promise<string[]> => {
        const values: string[] = [];
        for (let round = 0; round < 20; round++) {
          const batch = Array.from({ length: 1 + (round % 7) }, (_, j) => `io-${values.length + j}-${Math.random().toString(36).slice(2, 10)}`);
          values.push(...batch);
          assert.equal(await Promise.all(batch.map((v) => ioredis.set(`io:${v}`, v))), batch.map(() => 'OK'));
        }
        return values;
      };
      const [a, b, c, io] = await Promise.all([rawLoad(raws[0], 'raw0', 300, 1), rawLoad(raws[1], 'raw1', 600, 40), rawLoad(raws[2], 'raw2', 1000, 200), ioLoad()]);
      sent.set('raw0', a).set('raw1', b).set('raw2', c).set('io', io);
    } finally {
      for (const raw of raws) raw.close();
      ioredis.disconnect();
    }
  } finally {
    // Killing the server ends strace, which then has written the whole trace.
    await server?.kill();
  }
  try {
    const calls = parseTrace(readFileSync(traceFile, 'latin1'));
    const logWrites = calls.filter((call) => call.name.startsWith('pwrite') && call.data.subarray(0, 4).equals(FRAME_MAGIC));
    assert.ok(logWrites.length > 0, 'the trace shows log frames written with pwrite64');
    const logFds = new Set(logWrites.map((w) => w.fd));
    // Per log fd: its successful syncs, with the earliest return among those called after each line.
    const syncs = calls.filter((call) => SYNCS.has(call.name) && logFds.has(call.fd) && call.ret === 0);
    assert.ok(syncs.length > 0, 'the trace shows fdatasyncs of the log');

    /** The line where the first sync on fd called after line `after` returned (Infinity if none). */
    const coveredAt = (fd: number, after: number): Call | null => {
      let best: Call | null = null;
      for (const s of syncs) if (s.fd === fd && s.entry > after && (best === null || s.exit < best.exit)) best = s;
      return best;
    };
    // Every value of the load, to the first log write holding it.
    const writeOf = new Map<string, Call>();
    for (const w of logWrites) for (const [value] of w.data.toString('latin1').matchAll(/(?:raw\d|io)-\d+-[a-z0-9]+/g)) if (!writeOf.has(value)) writeOf.set(value, w);
    const entryWrite = (value: string): Call | undefined => writeOf.get(value);

    // The reply stream of each client socket, as written, with the call each byte left in.
    const streams = new Map<number, { bytes: Buffer; calls: Call[]; ends: number[] }>();
    for (const call of calls) {
      if (call.name !== 'write' && call.name !== 'writev') continue;
      const data = call.ret !== null && call.ret >= 0 ? call.data.subarray(0, call.ret) : call.data;
      const stream = streams.get(call.fd) ?? { bytes: Buffer.alloc(0), calls: [], ends: [] };
      stream.bytes = Buffer.concat([stream.bytes, data]);
      stream.calls.push(call);
      stream.ends.push(stream.bytes.length);
      streams.set(call.fd, stream);
    }

    const violations: string[] = [];
    let checked = 0;
    for (const [tag, values] of sent) {
      const marker = `mark-${tag}\r\n`;
      const socket = [...streams.entries()].find(([, s]) => s.bytes.includes(marker, 0, 'latin1'));
      assert.ok(socket, `the trace shows the reply stream of ${tag}`);
      const [fd, stream] = socket;
      let at = stream.bytes.indexOf(marker, 0, 'latin1') + marker.length;
      for (const [k, value] of values.entries()) {
        assert.is(stream.bytes.toString('latin1', at, at + 5), '+OK\r\n', `${tag}: reply ${k} in the trace`);
        at += 5;
        // The call that wrote the last byte of this reply.
        const reply = stream.calls[stream.ends.findIndex((end) => end >= at)];
        const write = entryWrite(value);
        if (!write) {
          violations.push(`${tag} SET #${k} (${value}) was acknowledged on fd ${fd} at ${reply.time}, but no log write holds it`);
          continue;
        }
        const sync = coveredAt(write.fd, write.exit);
        if (!sync || sync.exit >= reply.entry) {
          violations.push(
            `${tag} SET #${k} (${value}): its +OK was written on fd ${fd} at ${reply.time} (trace line ${reply.entry + 1}); ` +
              `its entry was written to log fd ${write.fd} at ${write.time} (line ${write.entry + 1}), and ` +
              (sync ? `the first fdatasync after that returned only at ${sync.exitTime} (line ${sync.exit + 1})` : 'no later fdatasync of the log returned'),
          );
        }
        checked++;
      }
    }
    if (violations.length > 0) assert.unreachable(`${violations.length} acknowledgments left before the fdatasync covering them; the first: ${violations[0]}`);
    assert.is(checked, [...sent.values()].reduce((n, v) => n + v.length, 0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
