// Scaffolding of the server-level durability tests: a server over the
// in-memory fault layer, raw connections that count what came back, a wait
// for a condition (the test times out otherwise), a server process to kill,
// and a write load from real clients whose acknowledgments are checked after
// a crash.
import net from 'node:net';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Redis as Redis5 } from 'ioredis5';
import { createClient } from 'redis';
import { encodeCommand } from '../../src/resp/encode-command.js';
import { FaultFileLayer } from '../wal/fault-file-layer.js';
import { startServer, type TestServer } from '../helpers/server.js';
import type { Config } from '../../src/config.js';
import type { Server } from '../../src/server/server.js';

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

export const isSegment = (path: string): boolean => /wal-\d+\.log$/.test(path);

/** Calls onRead with each chunk of input the server reads from conn, before it parses it. */
export function onServerRead(server: Server, conn: RawConnection, onRead: (chunk: Buffer) => void): void {
  for (const c of server.clients.values()) {
    const parser = server.parsers.get(c);
    if (!parser || c.socket?.remotePort !== conn.socket.localPort) continue;
    const feed = parser.feed.bind(parser);
    parser.feed = (chunk) => {
      onRead(chunk);
      feed(chunk);
    };
    return;
  }
  throw new Error(`no server-side client for local port ${conn.socket.localPort}`);
}

/**
 * Stops an in-process server whose log lost power: its pending fdatasyncs
 * never complete, so shutdown() would wait for ever. Stops listening and drops
 * every connection; the old log's pending operations stay pending, harmlessly.
 */
export function abandon(server: Server): void {
  void server.shutdown();
  for (const c of [...server.clients.values()]) server.disconnect(c);
}

/** A small deterministic PRNG (LCG) for schedules driven by a seed. */
export function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
}

let entry: string[] | null = null;

/**
 * How to run the server: dist/cli.js when the build is newer than every
 * source file (it starts in a third of the time; `npm test` builds first),
 * otherwise the sources through tsx.
 */
export function serverEntry(): string[] {
  if (entry) return entry;
  const fresh = (function check(dir: string): boolean {
    for (const name of readdirSync(join('src', dir))) {
      const source = join('src', dir, name);
      if (statSync(source).isDirectory()) {
        if (!check(join(dir, name))) return false;
        continue;
      }
      if (!/\.(ts|json)$/.test(name)) continue;
      const built = join('dist', dir, name.replace(/\.ts$/, '.js'));
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(source).mtimeMs) return false;
    }
    return true;
  })('');
  entry = fresh ? ['dist/cli.js'] : ['--import', 'tsx', 'src/cli.ts'];
  return entry;
}

export interface ChildServer {
  port: number;
  pid: number;
  /** stdout and stderr so far. */
  output(): string;
  /** Sends the server signal (SIGKILL by default) and resolves when the spawned process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * A server process (see serverEntry) on a free loopback port,
 * resolving once it accepts connections; prefix runs it under another program
 * (strace). Call kill() in a finally: a test's failure must not leave it running.
 */
export async function spawnServer(dir: string, args: string[] = [], prefix: string[] = []): Promise<ChildServer> {
  const command = [...prefix, process.execPath, ...serverEntry(), '--port', '0', '--bind', '127.0.0.1', '--dir', dir, ...args];
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const collect = (chunk: Buffer): void => void (output += chunk.toString());
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  // Under a prefix (strace) the server is a grandchild: signal it by the pid it logs.
  const serverPid = (): number | null => (prefix.length > 0 ? Number(/ pid=(\d+)/.exec(output)?.[1] ?? 0) || null : null);
  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const pid = serverPid();
    if (pid === null) child.kill(signal);
    else {
      try {
        process.kill(pid, signal);
      } catch {
        child.kill(signal);
      }
    }
    await exited;
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server was not ready within 20 s: ${output}`)), 20_000);
      child.stdout.on('data', () => {
        const match = /Ready to accept connections tcp port=(\d+)/.exec(output);
        if (match && prefix.length > 0 && serverPid() === null) return;
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`server exited (${child.exitCode ?? child.signalCode}) before it was ready: ${output}`));
      });
    });
    return { port, pid: child.pid ?? 0, output: () => output, kill };
  } catch (error) {
    await kill();
    throw error;
  }
}

// ---- a write load whose acknowledgments are checked after a crash ----------

export type ClientKind = 'ioredis5' | 'node-redis6';

/** The commands the load sends, over either client library. */
interface Driver {
  set(key: string, value: string): Promise<unknown>;
  incr(key: string): Promise<number>;
  rpush(key: string, value: string): Promise<number>;
  hset(key: string, field: string, value: string): Promise<number>;
  zadd(key: string, score: number, member: string): Promise<number>;
  /** MULTI, SET a, SET b, RPUSH list id, EXEC; rejects unless EXEC answered with every reply. */
  transaction(a: string, b: string, list: string, id: string): Promise<void>;
  close(): void;
}

async function driver(kind: ClientKind, port: number): Promise<Driver> {
  if (kind === 'ioredis5') {
    const r = new Redis5({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    r.on('error', () => {});
    await r.connect();
    return {
      set: (k, v) => r.set(k, v),
      incr: (k) => r.incr(k),
      rpush: (k, v) => r.rpush(k, v),
      hset: (k, f, v) => r.hset(k, f, v),
      zadd: (k, s, m) => r.zadd(k, s, m).then(Number),
      async transaction(a, b, list, id) {
        const replies = await r.multi().set(a, id).set(b, id).rpush(list, id).exec();
        if (!replies || replies.length !== 3 || replies.some(([error]) => error)) throw new Error(`EXEC failed: ${JSON.stringify(replies)}`);
      },
      close: () => r.disconnect(),
    };
  }
  const r = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false }, disableOfflineQueue: true });
  r.on('error', () => {});
  await r.connect();
  return {
    set: (k, v) => r.set(k, v),
    incr: (k) => r.incr(k),
    rpush: (k, v) => r.rPush(k, v),
    hset: (k, f, v) => r.hSet(k, f, v),
    zadd: (k, s, m) => r.zAdd(k, { score: s, value: m }),
    async transaction(a, b, list, id) {
      const replies = await r.multi().set(a, id).set(b, id).rPush(list, id).exec();
      if (replies.length !== 3) throw new Error(`EXEC failed: ${JSON.stringify(replies)}`);
    },
    close: () => r.destroy(),
  };
}

/** What one worker sent and what of it was acknowledged; keys carry the worker's prefix. */
interface WorkerLog {
  prefix: string;
  /** Every SET sent (unique keys), and the acknowledged ones. */
  setsSent: Map<string, string>;
  setsAcked: Set<string>;
  incrSent: number;
  /** The highest INCR reply. */
  incrAcked: number;
  /** RPUSH elements in the order sent; the highest reply (the list's length). */
  pushes: string[];
  pushAcked: number;
  hashSent: Map<string, string>;
  hashAcked: Set<string>;
  zsetSent: Map<string, number>;
  zsetAcked: Set<string>;
  /** Transaction ids in the order sent, and the acknowledged ones. */
  txSent: string[];
  txAcked: Set<string>;
  /** Checked once against a recovery; from then on its keys are in Workload's settled maps. */
  verified: boolean;
}

/**
 * Several clients writing SET, INCR, RPUSH, HSET, ZADD and MULTI/EXEC
 * transactions as fast as they are acknowledged, each keeping some commands
 * in flight, until the server dies or stop() is called. verify() then checks a
 * restarted server against what was acknowledged; the state it read becomes
 * the exact expectation of every later verify() (a recovered state must
 * never change again).
 */
export class Workload {
  private readonly logs: WorkerLog[] = [];
  /** Keys already verified once: their recovered value, as read (strings; the others serialized). */
  private readonly settledStrings = new Map<string, string | null>();
  private readonly settled = new Map<string, string>();
  private running = false;
  private workers: Promise<void>[] = [];
  private drivers: Driver[] = [];
  /** Acknowledged commands of the current round of start()..stop(). */
  acked = 0;

  /** Connects one client per kind and starts writing under keys tagged tag. */
  async start(port: number, kinds: ClientKind[], tag: string, inFlight = 8): Promise<void> {
    this.running = true;
    this.acked = 0;
    this.drivers = await Promise.all(kinds.map((kind) => driver(kind, port)));
    this.workers = this.drivers.map((d, w) => this.work(d, this.newLog(`${tag}:${w}`), inFlight));
  }

  /** Stops writing; what is in flight stays unacknowledged (the server died, or its replies are dropped). */
  async stop(): Promise<void> {
    this.running = false;
    for (const d of this.drivers) d.close();
    await Promise.all(this.workers);
    this.drivers = [];
    this.workers = [];
  }

  private newLog(prefix: string): WorkerLog {
    const log: WorkerLog = {
      prefix,
      setsSent: new Map(),
      setsAcked: new Set(),
      incrSent: 0,
      incrAcked: 0,
      pushes: [],
      pushAcked: 0,
      hashSent: new Map(),
      hashAcked: new Set(),
      zsetSent: new Map(),
      zsetAcked: new Set(),
      txSent: [],
      txAcked: new Set(),
      verified: false,
    };
    this.logs.push(log);
    return log;
  }

  private async work(d: Driver, log: WorkerLog, inFlight: number): Promise<void> {
    const p = log.prefix;
    const ack = (): void => void this.acked++;
    for (let i = 0; this.running; i++) {
      const round: Promise<unknown>[] = [];
      for (let j = 0; j < inFlight && this.running; j++) {
        const n = i * inFlight + j;
        let op: Promise<unknown>;
        switch (n % 6) {
          case 0: {
            const key = `${p}:s${n}`;
            const value = `v${n}`;
            log.setsSent.set(key, value);
            op = d.set(key, value).then(() => log.setsAcked.add(key));
            break;
          }
          case 1:
            log.incrSent++;
            op = d.incr(`${p}:n`).then((v) => void (log.incrAcked = Math.max(log.incrAcked, v)));
            break;
          case 2:
            log.pushes.push(`e${n}`);
            op = d.rpush(`${p}:l`, `e${n}`).then((len) => void (log.pushAcked = Math.max(log.pushAcked, len)));
            break;
          case 3:
            log.hashSent.set(`f${n}`, `h${n}`);
            op = d.hset(`${p}:h`, `f${n}`, `h${n}`).then(() => log.hashAcked.add(`f${n}`));
            break;
          case 4:
            log.zsetSent.set(`m${n}`, n);
            op = d.zadd(`${p}:z`, n, `m${n}`).then(() => log.zsetAcked.add(`m${n}`));
            break;
          default: {
            const id = `t${n}`;
            log.txSent.push(id);
            op = d.transaction(`${p}:${id}:a`, `${p}:${id}:b`, `${p}:tl`, id).then(() => log.txAcked.add(id));
          }
        }
        round.push(op.then(ack));
      }
      const results = await Promise.allSettled(round);
      // A refused or lost command: the server is gone (or going); stop.
      if (results.some((r) => r.status === 'rejected')) break;
    }
  }

  /** Checks the server at port against everything acknowledged so far; throws naming the first discrepancy. */
  async verify(port: number): Promise<void> {
    const r = new Redis5({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      const strings = [...this.settledStrings.keys()];
      const values = await mgetAll(r, strings);
      strings.forEach((key, i) => {
        const expected = this.settledStrings.get(key);
        if (values[i] !== expected) throw new Error(`${key} changed after it was recovered: ${expected} before, ${values[i]} now`);
      });
      const others = [...this.settled.keys()];
      const states = await readStates(r, others);
      others.forEach((key, i) => {
        if (states[i] !== this.settled.get(key)) throw new Error(`${key} changed after it was recovered: ${this.settled.get(key)} before, ${states[i]} now`);
      });
      for (const log of this.logs) if (!log.verified) await this.verifyLog(r, log);
    } finally {
      r.disconnect();
    }
  }

  private async verifyLog(r: Redis5, log: WorkerLog): Promise<void> {
    const p = log.prefix;
    const keys = [...log.setsSent.keys()];
    const values = await mgetAll(r, keys);
    keys.forEach((key, i) => {
      const value = values[i];
      if (value === null && log.setsAcked.has(key)) throw new Error(`acknowledged SET ${key} is lost`);
      if (value !== null && value !== log.setsSent.get(key)) throw new Error(`${key} is ${value}, ${log.setsSent.get(key)} was written`);
      this.settledStrings.set(key, value);
    });

    const [counterText, list, hash, zset, applied] = (await r
      .pipeline()
      .get(`${p}:n`)
      .lrange(`${p}:l`, 0, -1)
      .hgetall(`${p}:h`)
      .zrange(`${p}:z`, 0, -1, 'WITHSCORES')
      .lrange(`${p}:tl`, 0, -1)
      .exec()
      .then(results)) as [string | null, string[], Record<string, string>, string[], string[]];

    const counter = Number(counterText ?? 0);
    if (counter < log.incrAcked) throw new Error(`${p}:n is ${counter}, but INCR acknowledged ${log.incrAcked}`);
    if (counter > log.incrSent) throw new Error(`${p}:n is ${counter}, but only ${log.incrSent} INCRs were sent`);
    if (log.incrAcked === log.incrSent && counter !== log.incrAcked) throw new Error(`${p}:n is ${counter}, every INCR was acknowledged up to ${log.incrAcked}`);
    this.settledStrings.set(`${p}:n`, counterText);

    if (list.length < log.pushAcked) throw new Error(`${p}:l has ${list.length} elements, RPUSH acknowledged a length of ${log.pushAcked}`);
    if (list.join() !== log.pushes.slice(0, list.length).join()) throw new Error(`${p}:l is not a prefix of the pushes in order: ${list.slice(0, 20).join(' ')}...`);

    for (const field of log.hashAcked) if (hash[field] !== log.hashSent.get(field)) throw new Error(`acknowledged HSET ${p}:h ${field} is ${hash[field]}`);
    for (const [field, value] of Object.entries(hash)) if (log.hashSent.get(field) !== value) throw new Error(`${p}:h has ${field}=${value}, never written`);

    const scores = new Map<string, number>();
    for (let i = 0; i < zset.length; i += 2) scores.set(zset[i], Number(zset[i + 1]));
    for (const member of log.zsetAcked) if (scores.get(member) !== log.zsetSent.get(member)) throw new Error(`acknowledged ZADD ${p}:z ${member} is missing`);
    for (const [member, score] of scores) if (log.zsetSent.get(member) !== score) throw new Error(`${p}:z has ${member} ${score}, never written`);

    // Transactions: whole or absent, acknowledged ones whole, in order.
    if (applied.join() !== log.txSent.slice(0, applied.length).join()) throw new Error(`${p}:tl is not a prefix of the transactions in order: ${applied.join(' ')}`);
    const inList = new Set(applied);
    const txKeys = log.txSent.flatMap((id) => [`${p}:${id}:a`, `${p}:${id}:b`]);
    const txValues = await mgetAll(r, txKeys);
    log.txSent.forEach((id, i) => {
      const [a, b] = [txValues[2 * i], txValues[2 * i + 1]];
      const whole = a === id && b === id;
      const absent = a === null && b === null;
      if (!whole && !absent) throw new Error(`transaction ${p} ${id} is half there: a=${a} b=${b}`);
      if (whole !== inList.has(id)) throw new Error(`transaction ${p} ${id}: its SETs are ${whole ? '' : 'not '}there, its RPUSH is ${inList.has(id) ? '' : 'not '}`);
      if (log.txAcked.has(id) && !whole) throw new Error(`acknowledged transaction ${p} ${id} is lost`);
    });
    txKeys.forEach((key, i) => this.settledStrings.set(key, txValues[i]));

    const aggregates = [`${p}:l`, `${p}:h`, `${p}:z`, `${p}:tl`];
    const states = await readStates(r, aggregates);
    aggregates.forEach((key, i) => this.settled.set(key, states[i]));
    log.verified = true;
  }

  /** Acknowledged commands over all rounds, for a report. */
  get totalAcked(): number {
    let n = 0;
    for (const log of this.logs) n += log.setsAcked.size + log.incrAcked + log.pushAcked + log.hashAcked.size + log.zsetAcked.size + log.txAcked.size;
    return n;
  }
}

/** The replies of a pipeline; throws the first error. */
function results(replies: [Error | null, unknown][] | null): unknown[] {
  if (!replies) throw new Error('pipeline aborted');
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

async function mgetAll(r: Redis5, keys: string[]): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (let at = 0; at < keys.length; at += 1000) out.push(...(await r.mget(...keys.slice(at, at + 1000))));
  return out;
}

/** Lists, hashes and sorted sets, each serialized whole with its type (a missing key is 'none'). */
async function readStates(r: Redis5, keys: string[]): Promise<string[]> {
  const typed = r.pipeline();
  for (const key of keys) typed.type(key);
  const types = results(await typed.exec()) as string[];
  const read = r.pipeline();
  keys.forEach((key, i) => {
    if (types[i] === 'list') read.lrange(key, 0, -1);
    else if (types[i] === 'hash') read.hgetall(key);
    else if (types[i] === 'zset') read.zrange(key, 0, -1, 'WITHSCORES');
    else read.exists(key);
  });
  const values = results(await read.exec());
  return keys.map((_, i) => `${types[i]}:${JSON.stringify(types[i] === 'hash' ? Object.entries(values[i] as object).sort() : values[i])}`);
}
