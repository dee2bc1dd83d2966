// Blocking commands (blocked.c): a client blocks on keys until one of them
// holds a value of the type it waits for, or its timeout passes. Any command
// family can block a client (lists, sorted sets): it passes a serve callback
// that pops from the ready key, replies and logs the non-blocking effect.
//
// As Redis's handleClientsBlockedOnKeys, keys that became ready are served
// after the command (or the whole EXEC) that readied them, clients blocked on
// a key first blocked first served. A served or timed-out command completes
// as a command of its own (Server.completeBlocked): its effects are one log
// record and its reply is held like a write's. Input that arrives while a
// client is blocked waits, and runs once it is unblocked.
import { ERR } from '../errors.js';
import { ReplyError } from '../commands/reply-error.js';
import type { Database, TypeName } from '../store/keyspace.js';
import { parseLongDouble } from '../store/long-double.js';
import type { Client } from './client.js';
import type { KeptCommand } from './input.js';
import type { Server } from './server.js';

/**
 * Serves a client blocked on `key`, which now holds a value of the type it
 * waits for: pops, replies, calls c.modified() and logs the non-blocking
 * effect with c.log(). It runs like a command: a thrown ReplyError is its
 * reply. The client is already unblocked when it runs.
 */
export type ServeFn = (c: Client, key: string) => void;

/** Writes the reply of a blocked command whose timeout passed. */
export type TimeoutFn = (c: Client) => void;

/** The state of a blocked client (Client.blocked). */
export interface BlockedClient {
  readonly c: Client;
  readonly db: Database;
  readonly keys: readonly string[];
  readonly type: TypeName;
  readonly serve: ServeFn;
  readonly timedOut: TimeoutFn;
  /** Absolute time in ms, 0 for none. */
  readonly deadline: number;
  timer: NodeJS.Timeout | null;
}

/** Input that arrived while the client was blocked. */
export type DeferredInput = (KeptCommand & { error?: undefined }) | { error: string };

const LLONG_MAX = (1n << 63n) - 1n;
const LLONG_MIN = -(1n << 63n);
/** Node's longest timer (longer ones fire at once). */
const MAX_TIMER = 2 ** 31 - 1;

/**
 * The timeout argument of a blocking command as an absolute time in ms, 0
 * meaning forever (getTimeoutFromObjectOrReply, seconds): strtold, times
 * 1000 in long double, rounded up to a long long (out of range: LLONG_MIN,
 * "negative"), plus the time now. So 0.0001 waits 1 ms, -0.0001 forever.
 * Hex floats and "inf" parse as strtold does.
 */
export function timeoutArg(c: Client, arg: Buffer): number {
  const x = parseLongDouble(arg);
  if (x === null) throw new ReplyError(ERR.timeoutNotFloat);
  let ms: bigint;
  if ('special' in x) ms = LLONG_MIN;
  else {
    // x87 multiply by 1000.0: the exact product rounded to a 64-bit significand.
    let m = x.m < 0n ? -x.m : x.m;
    let e = x.e;
    m *= 1000n;
    const bits = m.toString(2).length;
    if (bits > 64) {
      const shift = BigInt(bits - 64);
      const rest = m & ((1n << shift) - 1n);
      const half = 1n << (shift - 1n);
      m >>= shift;
      e += Number(shift);
      if (rest > half || (rest === half && (m & 1n) === 1n)) m++;
    }
    // ceill, then (long long), which gives LLONG_MIN when out of range.
    let magnitude: bigint;
    if (e >= 0) magnitude = e > 64 ? LLONG_MAX + 2n : m << BigInt(e);
    else {
      magnitude = m >> BigInt(-e);
      const fraction = m & ((1n << BigInt(-e)) - 1n);
      if (fraction !== 0n && x.m > 0n) magnitude++;
    }
    if (x.m < 0n) magnitude = -magnitude;
    ms = magnitude > LLONG_MAX || magnitude < LLONG_MIN ? LLONG_MIN : magnitude;
  }
  if (ms < 0n) throw new ReplyError(ERR.timeoutNegative);
  if (ms === 0n) return 0;
  const deadline = Number(ms) + c.server.keyspace.now;
  // Redis 7.0 adds without an overflow check: a deadline past LLONG_MAX wraps
  // to one its timeout table never reaches. Either way the client waits forever.
  return deadline > Number.MAX_SAFE_INTEGER ? 0 : deadline;
}

/**
 * Whether the running command may block: not inside EXEC (Redis's
 * CLIENT_DENY_BLOCKING). Otherwise a blocking command answers as its
 * non-blocking form would (a null reply at once).
 */
export function mayBlock(c: Client): boolean {
  return !c.inExec;
}

/**
 * Blocks c on `keys` (of c's database) until one of them holds a value of
 * `type`, then runs serve(c, key); when `deadline` (ms, 0 = never) passes
 * first, runs timedOut(c), by default a null array (RESP2 `*-1`, RESP3 `_`).
 * The calling handler writes no reply.
 */
export function blockForKeys(c: Client, keys: readonly string[], type: TypeName, deadline: number, serve: ServeFn, timedOut: TimeoutFn = replyNullArray): void {
  c.server.blocking.block(c, keys, type, deadline, serve, timedOut);
}

function replyNullArray(c: Client): void {
  c.reply.nullArray();
}

export class Blocking {
  /** Blocked clients per database and key, in the order they blocked. */
  private readonly byKey = new Map<Database, Map<string, Set<BlockedClient>>>();
  /** Keys with blocked clients modified since they were last served, in order. */
  private readyKeys: [Database, string][] = [];
  private readonly readySet = new Map<Database, Set<string>>();
  /** Clients unblocked whose deferred input has yet to run. */
  private readonly unblocked: Client[] = [];
  private draining = false;
  /** Blocked clients (INFO blocked_clients). */
  count = 0;

  constructor(private readonly server: Server) {}

  /** Whether afterCommand() has anything to do. */
  get pending(): boolean {
    return this.readyKeys.length > 0 || this.unblocked.length > 0;
  }

  block(c: Client, keys: readonly string[], type: TypeName, deadline: number, serve: ServeFn, timedOut: TimeoutFn): void {
    if (c.blocked !== null) throw new Error('client is already blocked');
    const unique = [...new Set(keys)];
    const b: BlockedClient = { c, db: c.db, keys: unique, type, serve, timedOut, deadline, timer: null };
    let byKey = this.byKey.get(c.db);
    if (!byKey) this.byKey.set(c.db, (byKey = new Map()));
    for (const key of unique) {
      let waiting = byKey.get(key);
      if (!waiting) byKey.set(key, (waiting = new Set()));
      waiting.add(b);
    }
    c.blocked = b;
    this.count++;
    if (deadline !== 0) this.arm(b);
  }

  private arm(b: BlockedClient): void {
    const delay = Math.max(0, Math.min(b.deadline - Date.now(), MAX_TIMER));
    b.timer = setTimeout(() => this.timeout(b), delay);
  }

  private timeout(b: BlockedClient): void {
    b.timer = null;
    const c = b.c;
    if (c.blocked !== b) return;
    if (Date.now() < b.deadline) {
      this.arm(b);
      return;
    }
    this.server.keyspace.now = Date.now();
    this.unblock(b);
    this.server.completeBlocked(c, () => b.timedOut(c));
    this.unblocked.push(c);
    this.server.flushAtTurnEnd(c);
    this.afterCommand();
  }

  /** Removes c's blocked state, leaving its deferred input. */
  private unblock(b: BlockedClient): void {
    const byKey = this.byKey.get(b.db);
    for (const key of b.keys) {
      const waiting = byKey?.get(key);
      waiting?.delete(b);
      if (waiting?.size === 0) byKey?.delete(key);
    }
    if (byKey?.size === 0) this.byKey.delete(b.db);
    if (b.timer !== null) clearTimeout(b.timer);
    b.timer = null;
    b.c.blocked = null;
    this.count--;
  }

  /** A key was modified: when clients block on it, it is served after the command. */
  signalKey(db: Database, key: string): void {
    if (this.byKey.get(db)?.has(key) !== true) return;
    let ready = this.readySet.get(db);
    if (!ready) this.readySet.set(db, (ready = new Set()));
    if (ready.has(key)) return;
    ready.add(key);
    this.readyKeys.push([db, key]);
  }

  /** A whole database changed (SWAPDB, FLUSHDB): every key blocked on in it may be ready. */
  signalDatabase(db: Database): void {
    const byKey = this.byKey.get(db);
    if (byKey) for (const key of byKey.keys()) this.signalKey(db, key);
  }

  /**
   * Runs after each top-level command: serves the keys that became ready
   * (again while serving readies more, as BLMOVE does), then runs the input
   * that unblocked clients sent meanwhile, one command at a time with ready
   * keys served after each, and has their replies written at the end of the turn.
   */
  afterCommand(): void {
    this.serveReadyKeys();
    if (this.draining) return;
    this.draining = true;
    try {
      for (let c = this.unblocked.shift(); c !== undefined; c = this.unblocked.shift()) this.drain(c);
    } finally {
      this.draining = false;
    }
  }

  private serveReadyKeys(): void {
    while (this.readyKeys.length > 0) {
      const batch = this.readyKeys;
      this.readyKeys = [];
      for (const [db, key] of batch) {
        this.readySet.get(db)?.delete(key);
        const waiting = this.byKey.get(db)?.get(key);
        if (!waiting) continue;
        this.server.keyspace.now = Date.now();
        for (const b of [...waiting]) {
          if (b.c.blocked !== b) continue;
          const entry = db.lookup(key);
          if (entry === undefined) break;
          if (entry.type !== b.type) continue;
          this.unblock(b);
          this.server.completeBlocked(b.c, () => b.serve(b.c, key));
          this.unblocked.push(b.c);
          this.server.flushAtTurnEnd(b.c);
        }
      }
    }
  }

  /** Runs c's deferred input until it is done or c blocks again. */
  private drain(c: Client): void {
    while (c.deferred !== null && c.blocked === null && !c.closed) {
      const queue = c.deferred;
      c.deferred = null;
      const item = queue.shift() as DeferredInput;
      if (item.error !== undefined) {
        c.reply.error(item.error);
        c.closing = true;
      } else {
        this.server.keyspace.now = Date.now();
        this.server.processCommand(c, item.argv, item.source, item.start, item.end);
      }
      if (queue.length > 0) c.deferred = queue;
    }
    this.server.flushAtTurnEnd(c);
  }

  /** A command arrived while c is blocked (or has earlier input waiting). */
  defer(c: Client, command: KeptCommand): void {
    (c.deferred ??= []).push(command);
  }

  /** A protocol error arrived while c is blocked: answered in its turn. */
  deferError(c: Client, message: string): void {
    (c.deferred ??= []).push({ error: message });
  }

  /** The connection closed: c no longer waits. */
  disconnected(c: Client): void {
    if (c.blocked !== null) this.unblock(c.blocked);
    c.deferred = null;
  }
}
