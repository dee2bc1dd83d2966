// The server: listener, clients, dispatch in Redis's order, and the effects
// of each command (modified keys, log record, reply gating).
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Config } from '../config.js';
import { ERR, misconf, notAllowedWhileSubscribed, unknownCommand, unknownSubcommand, wrongArity } from '../errors.js';
import { RequestParser, type ParserSink } from '../resp/parser.js';
import { hasKeyRange, KeyHints, lastKeyIndex } from '../resp/key-hints.js';
import { view } from '../resp/bytes.js';
import { encodeCommand } from '../resp/encode-command.js';
import { commandKeys } from '../commands/command.js';
import { CommandTable, type Command } from '../commands/table.js';
import { handlers } from '../commands/index.js';
import { ReplyError } from '../commands/reply-error.js';
import { Keyspace, type Database } from '../store/keyspace.js';
import { Blocking } from './blocking.js';
import { Client } from './client.js';
import { LatencyHistogram } from './latency-histogram.js';
import { notify, NOTIFY } from './notify.js';
import { unsubscribeClient } from './pubsub.js';
import { Stats } from './stats.js';
import { SmallReads, keepArgs, keepCommand, readIntoSharedInput, type KeptCommand, type ReadTaker } from './input.js';
import type { Payload } from '../wal/frame.js';
import type { DurableLog } from './durability.js';
import type { Logger } from './logger.js';

/** Commands a RESP2 client may send while subscribed. */
const SUBSCRIBED_ALLOWED = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);
/** Keys read ahead at once: 32 did better than 16 at redis-benchmark -P 128, 128 no better. */
const PREFETCH_WINDOW = 32;
/** Commands that run immediately inside MULTI instead of being queued. */
const MULTI_IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
const SELECT_PREFIX = Buffer.from('*2\r\n$6\r\nSELECT\r\n');

/** A command of a log record, encoded when logged: what it names may change later in the same record (in-place string writes). */
interface LogEntry {
  db: number;
  command: Buffer;
}

export class Server {
  readonly keyspace: Keyspace;
  readonly table = new CommandTable(handlers);
  readonly stats = new Stats();
  readonly clients = new Map<number, Client>();
  /** Clients holding replies until a sequence number is durable. */
  readonly waiting = new Set<Client>();
  /** Clients blocked on keys (BLPOP, BZPOPMIN, ...) and the keys that became ready. */
  readonly blocking = new Blocking(this);
  lastSave = Math.floor(Date.now() / 1000);
  /** Modifications so far (INFO rdb_changes_since_last_save and logging decisions). */
  dirty = 0;
  /** Newest sequence number given to a log record, newest durable one, newest the log failed to persist. */
  lastSeq = 0;
  durableSeq = 0;
  failedSeq = 0;
  private shutdownRequested: Promise<void> | null = null;
  private markStopped: () => void = () => {};
  /** Resolves once the server has shut down (SHUTDOWN, signals, close). */
  readonly stopped = new Promise<void>((resolve) => (this.markStopped = resolve));

  /** One listener per bind address. */
  private listeners: net.Server[] = [];
  /** Each connection's request parser (CLIENT LIST qbuf, CONFIG SET proto-max-bulk-len). */
  readonly parsers = new WeakMap<Client, RequestParser>();
  /** CLIENT PAUSE: whether the command must wait for the pause to end (set by commands/client.ts). */
  pauseGate: ((c: Client, command: Command) => boolean) | null = null;
  /** Clients waiting for a CLIENT PAUSE to end, with the commands they sent meanwhile. */
  readonly postponed = new Map<Client, KeptCommand[]>();
  private nextClientId = 1;
  private cron: NodeJS.Timeout | null = null;
  /** Effects of the running top-level command, logged as one record. */
  private pendingLog: LogEntry[] = [];
  /**
   * The running command's record is its own request in db 0 (rawSource from
   * rawStart to rawEnd), as most are: appended from the input as it is, with
   * no view or entry made for it.
   */
  private rawRecord = false;
  /** Set while a handler logged its effects explicitly (no default record). */
  private loggedExplicitly = false;
  /** WATCHed keys per database: key -> watching clients. */
  readonly watchers = new Map<Database, Map<string, Set<Client>>>();

  constructor(
    readonly config: Config,
    readonly logger: Logger,
  ) {
    this.keyspace = new Keyspace(config.databases);
    // rename-command: the table answers to the new name only ('' removes the command).
    for (const [from, to] of config.renamedCommands) {
      const command = this.table.commands.get(from);
      this.table.commands.delete(from);
      if (command && to !== '') this.table.commands.set(to, command);
    }
    this.keyspace.onExpired = (db, key) => {
      this.stats.expiredKeys++;
      notify(this, NOTIFY.expired, 'expired', key, db.index);
      this.touchWatched(db, key);
      this.pendingLog.push({ db: db.index, command: encodeCommand(['DEL', key]) });
      if (!this.dispatching) this.commitLog();
    };
    this.keyspace.onNewKey = (db, key) => notify(this, NOTIFY.new, 'new', key, db.index);
  }

  get port(): number {
    const address = this.listeners[0]?.address();
    return typeof address === 'object' && address ? address.port : this.config.port;
  }

  async listen(): Promise<void> {
    this.listeners = await this.openListeners(this.config.port, this.config.bind);
    this.applyHz();
  }

  /**
   * Listens on every address of `bind` (Redis's syntax: `*` any IPv4, `::*`
   * any IPv6, a `-` prefix marks an address that may be unavailable; empty
   * means `* -::*`). Port 0 picks a free port, shared by all addresses.
   */
  private async openListeners(port: number, bind: string): Promise<net.Server[]> {
    const opened: net.Server[] = [];
    try {
      for (const word of (bind.trim() || '* -::*').split(/\s+/)) {
        const optional = word.startsWith('-');
        const address = optional ? word.slice(1) : word;
        const host = address === '*' ? '0.0.0.0' : address === '::*' ? '::' : address;
        const listener = net.createServer({ noDelay: true, pauseOnConnect: true }, (socket) => this.accept(socket));
        const actualPort = opened.length > 0 ? (opened[0].address() as net.AddressInfo).port : port;
        try {
          await new Promise<void>((resolve, reject) => {
            listener.once('error', reject);
            listener.listen({ port: actualPort, host, ipv6Only: host.includes(':') }, () => {
              listener.off('error', reject);
              resolve();
            });
          });
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (optional && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT' || code === 'EPROTONOSUPPORT')) continue;
          throw error;
        }
        opened.push(listener);
      }
    } catch (error) {
      for (const listener of opened) listener.close();
      throw error;
    }
    return opened;
  }

  /** CONFIG SET port/bind: listens on the new addresses, then closes the old ones (kept if that fails). */
  async relisten(): Promise<void> {
    const fresh = await this.openListeners(this.config.port, this.config.bind);
    const old = this.listeners;
    this.listeners = fresh;
    for (const listener of old) listener.close();
  }

  /** (Re)starts the cron at config.hz times per second. */
  applyHz(): void {
    if (this.cron) clearInterval(this.cron);
    this.cron = setInterval(() => this.serverCron(), Math.max(1, Math.floor(1000 / this.config.hz)));
  }

  /** Bytes written to clients so far (INFO total_net_output_bytes). */
  get netOutputBytes(): number {
    let bytes = this.stats.netOutputBytes;
    for (const c of this.clients.values()) bytes += c.socket?.bytesWritten ?? 0;
    return bytes;
  }

  private serverCron(): void {
    const now = Date.now();
    this.keyspace.now = now;
    // ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC: at most a quarter of the cron period.
    // Not while the log is replayed: it says what expired.
    if (!this.loading) this.keyspace.activeExpire(250 / this.config.hz);
    this.stats.sample(now, this.netOutputBytes);
    this.durableLog?.cron(now);
  }

  /** A listener's connection, accepted paused. */
  private accept(accepted: net.Socket): void {
    this.stats.connectionsReceived++;
    if (this.clients.size >= this.config.maxclients) {
      this.stats.rejectedConnections++;
      // Read what it sent: closing with input unread would reset the connection before the error arrives.
      accepted.resume();
      accepted.end('-ERR max number of clients reached\r\n');
      return;
    }
    let onInput: (chunk: Buffer) => void = () => {};
    const socket = readIntoSharedInput(accepted, (chunk) => onInput(chunk));
    onInput = this.serve(socket);
  }

  /**
   * Serves a connection; returns what takes each chunk of its input, which
   * is valid only during the call (public for in-process benchmarks).
   */
  serve(socket: net.Socket): (chunk: Buffer) => void {
    const c = new Client(this, this.nextClientId++, socket);
    this.clients.set(c.id, c);
    const requests = new ConnectionRequests(this, c);
    const parser = new RequestParser(requests, this.config.protoMaxBulkLen);
    requests.parser = parser;
    this.parsers.set(c, parser);
    socket.on('drain', () => socket.resume());
    socket.on('error', () => {});
    socket.on('close', () => this.disconnect(c));
    return (chunk) => this.smallReads.read(requests, chunk);
  }

  /** A read of c's, handed over by smallReads (public for ConnectionRequests). */
  takeInput(c: Client, parser: RequestParser, requests: ConnectionRequests, chunk: Buffer): void {
    // Killed (CLIENT KILL) while its read waited for the end of the turn.
    if (c.closed) return;
    this.stats.netInputBytes += chunk.length;
    this.stats.readsProcessed++;
    this.keyspace.now = Date.now();
    this.timingInput = true;
    parser.feed(chunk);
    this.timingInput = false;
    this.lastCommandEnd = -1;
    requests.inputDone();
    // Writes whose replies wait for the log are released when it is durable.
    if (c.hasOutputToWrite) this.flushAtTurnEnd(c);
  }

  /**
   * Reads of a command or a few, from many clients, are handled together at
   * the end of the turn, their keys read ahead first: at redis-benchmark -c
   * 50 -P 1 that took 1.2-1.5 us of the event loop's 4.75-5.4 us of user
   * CPU time off each INCR (its lookup's cache misses, now overlapped).
   */
  private readonly smallReads = new SmallReads(
    (gathered, first) => this.prefetchKeys((first as ConnectionRequests).c, gathered, 0),
    () => {
      // What the turn-end callbacks would have done before these commands ran.
      this.wal?.endTurn();
      if (this.toFlush.size > 0) this.flushTurn();
    },
  );

  /** Connections with replies to write at the end of this turn. */
  private readonly toFlush = new Set<Client>();

  /**
   * Writes c's replies once this turn's input has all been read, as Redis
   * writes every client's in beforeSleep. A reply written as soon as its
   * input is handled mostly finds its reader asleep, and the kernel then
   * wakes it once per write; written together, most of them reach a reader
   * already awake. Each wake-up, charged to the writer, had doubled the
   * kernel's time per request at -c 50 -P 16.
   */
  flushAtTurnEnd(c: Client): void {
    if (this.toFlush.size === 0) setImmediate(this.flushTurn);
    this.toFlush.add(c);
  }

  private readonly flushTurn = (): void => {
    for (const c of this.toFlush) c.flush();
    this.toFlush.clear();
  };

  /**
   * Reads ahead the keys of the pipelined commands in buf from `from` (a
   * command's start), a window of them at a time: their cache misses then
   * overlap instead of stalling each command in turn. Returns the end of the
   * window. A single key gains nothing and is left alone.
   */
  prefetchKeys(c: Client, buf: Buffer, from: number): number {
    const hints = this.keyHints;
    hints.scan(buf, from);
    if (hints.count > 1) this.prefetchSink = c.db.prefetch(buf, hints.starts, hints.ends, hints.count);
    return hints.scannedTo;
  }

  private readonly keyHints = new KeyHints(PREFETCH_WINDOW, (buf, start, end) => this.table.lookupRange(buf, start, end)?.info ?? null);
  /** What prefetching read, kept so that its loads are not optimized away. */
  prefetchSink = 0;

  /** A protocol error ends the connection after its reply (after a blocked command's, if any). */
  protocolError(c: Client, message: string): void {
    const reply = `ERR ${message}`;
    if (c.blocked !== null || c.deferred !== null) return this.blocking.deferError(c, reply);
    c.reply.error(reply);
    c.closing = true;
  }

  disconnect(c: Client): void {
    if (c.closed) return;
    c.closed = true;
    this.clients.delete(c.id);
    this.waiting.delete(c);
    this.postponed.delete(c);
    this.unwatchAll(c);
    this.blocking.disconnected(c);
    unsubscribeClient(c);
    this.stats.netOutputBytes += c.socket?.bytesWritten ?? 0;
    c.socket?.destroy();
  }

  /**
   * Dispatch in Redis's order (server.c processCommand). The caller sets
   * keyspace.now: once per chunk of input, the time its commands arrived.
   */
  processCommand(c: Client, argv: Buffer[], source: Buffer | null = null, start = 0, end = 0): void {
    if (c.closing) return;
    if (c.blocked !== null || c.deferred !== null) return this.blocking.defer(c, keepCommand(argv, source, start, end));
    const postponed = this.postponed.size > 0 ? this.postponed.get(c) : undefined;
    if (postponed) {
      postponed.push(keepCommand(argv, source, start, end));
      return;
    }
    c.lastInteraction = this.keyspace.now;
    const replyStart = c.reply.offset;
    const command = this.table.lookup(argv);
    const rejection = this.rejection(c, command, argv);
    if (rejection !== null) {
      if (command) command.stats.rejectedCalls++;
      if (c.transaction) c.transaction.aborted = true;
      c.reply.error(rejection);
    } else if (this.pauseGate?.(c, command as Command)) {
      this.postponed.set(c, [keepCommand(argv, source, start, end)]);
      return;
    } else if (c.transaction && !MULTI_IMMEDIATE.has((command as Command).name)) {
      c.transaction.queued.push({ command: command as Command, argv: keepArgs(argv) });
      c.reply.queuedReply();
    } else {
      this.rawSource = source;
      this.rawArgv = argv;
      this.rawStart = start;
      this.rawEnd = end;
      this.execute(c, command as Command, argv, replyStart);
      this.rawSource = null;
    }
    // A blocked command's reply (and CLIENT REPLY's effect on it) comes when it completes.
    if (c.blocked === null) this.applyReplyMode(c, replyStart);
    if (this.blocking.pending) this.blocking.afterCommand();
  }

  /** The error that stops argv from running, or null. */
  private rejection(c: Client, command: Command | undefined, argv: Buffer[]): string | null {
    if (!command) return unknownCommand(argv);
    if (command.subcommands && !command.name.includes('|') && argv.length >= 2) {
      return unknownSubcommand(argv[1].toString('latin1'), command.name);
    }
    const arity = command.info.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) return wrongArity(command.name);
    if (!c.authenticated && !command.flags.has('no_auth')) return ERR.noAuth;
    if (this.loading && !command.flags.has('loading')) return ERR.loading;
    if (this.logUnhealthy && (command.isWrite || command.name === 'ping')) return misconf(this.logFailure);
    if (c.subscriptions > 0 && c.reply.resp === 2 && !SUBSCRIBED_ALLOWED.has(command.name)) {
      return notAllowedWhileSubscribed(command.name);
    }
    if (c.transaction && command.flags.has('no_multi')) return ERR.notAllowedInMulti;
    return null;
  }

  private dispatching = false;

  // A command's time (INFO commandstats, latencystats) runs from the end of
  // the command before it in the same read (its parsing included) to its
  // own end: one clock read a command instead of two (a read costs about
  // 65 ns on this VM; with neither, a pipelined SET took 0.3-0.6 us less CPU
  // time). Commands run outside a read (timers, postponed) read both ends.
  private timingInput = false;
  private lastCommandEnd = -1;

  // The exact RESP bytes of the top-level command, when it arrived whole.
  private rawSource: Buffer | null = null;
  private rawArgv: Buffer[] | null = null;
  private rawStart = 0;
  private rawEnd = 0;

  private execute(c: Client, command: Command, argv: Buffer[], replyStart: number): void {
    this.dispatching = true;
    const dirtyBefore = this.dirty;
    this.call(c, command, argv);
    this.dispatching = false;
    if (this.settle(c, dirtyBefore, replyStart)) return;
    if (command.isReadonly || command.name === 'exec') c.hold(replyStart, this.readGate(c, command, argv));
  }

  /**
   * Commits the effects of what just ran for c as one log record and holds a
   * write's reply (from replyStart on) until that record is durable; false
   * when nothing was written and the log is behind (a read may need gating).
   */
  private settle(c: Client, dirtyBefore: number, replyStart: number): boolean {
    const seq = this.commitLog();
    if (this.durableSeq === this.lastSeq) return true;
    if (this.dirty <= dirtyBefore) return false;
    c.hold(replyStart, seq || this.lastSeq, seq !== 0);
    return true;
  }

  /**
   * Completes a blocked client's command outside its dispatch (served when a
   * key became ready, or timed out; server/blocking.ts) as a command of its
   * own: its effects are one log record, its reply is held like a write's.
   */
  completeBlocked(c: Client, complete: () => void): void {
    const replyStart = c.reply.offset;
    const dirtyBefore = this.dirty;
    const explicitBefore = this.loggedExplicitly;
    this.loggedExplicitly = false;
    this.dispatching = true;
    try {
      complete();
    } catch (error) {
      if (!(error instanceof ReplyError)) this.logger.warning(`serving a blocked client failed: ${(error as Error).stack ?? error}`);
      c.reply.error(error instanceof ReplyError ? error.message : 'ERR internal error');
    }
    this.dispatching = false;
    this.loggedExplicitly = explicitBefore;
    this.settle(c, dirtyBefore, replyStart);
    this.applyReplyMode(c, replyStart);
  }

  /** Runs one command (also each command of EXEC); records its default log entry. */
  call(c: Client, command: Command, argv: Buffer[]): void {
    const started = this.lastCommandEnd >= 0 ? this.lastCommandEnd : performance.now();
    const dirtyBefore = this.dirty;
    const errorsBefore = c.reply.errors;
    const db = c.db.index;
    const explicitBefore = this.loggedExplicitly;
    this.loggedExplicitly = false;
    try {
      (command.handler as NonNullable<Command['handler']>)(c, argv);
    } catch (error) {
      if (!(error instanceof ReplyError)) {
        this.logger.warning(`command ${command.name} failed: ${(error as Error).stack ?? error}`);
      }
      c.reply.error(error instanceof ReplyError ? error.message : 'ERR internal error');
    }
    if (this.wal !== null && this.dirty > dirtyBefore && !this.loggedExplicitly && command.isWrite) {
      // Only the top-level command has raw bytes; EXEC's commands are encoded.
      const raw = this.rawSource !== null && argv === this.rawArgv;
      if (raw && db === 0 && this.pendingLog.length === 0) this.rawRecord = true;
      else {
        const bytes = raw ? view(this.rawSource as Buffer, this.rawStart, this.rawEnd - this.rawStart) : encodeCommand(argv);
        this.pendingLog.push({ db, command: bytes });
      }
    }
    this.loggedExplicitly = explicitBefore;
    const stats = command.stats;
    stats.calls++;
    const ended = performance.now();
    if (this.timingInput) this.lastCommandEnd = ended;
    const usec = (ended - started) * 1000;
    stats.usec += usec;
    if (this.config.latencyTracking) (stats.latency ??= new LatencyHistogram()).record(usec * 1000);
    if (c.reply.errors > errorsBefore) stats.failedCalls++;
    this.stats.commandsProcessed++;
    c.lastCommand = command.name;
  }

  /** CLIENT REPLY OFF/SKIP: drop what this command wrote. */
  private applyReplyMode(c: Client, replyStart: number): void {
    if (c.replyMode === 'on') return;
    if (c.replyMode === 'off' || c.skipNext) c.truncateReply(replyStart);
    if (c.replyMode === 'skip') {
      if (c.skipNext) {
        c.skipNext = false;
        c.replyMode = 'on';
      } else c.skipNext = true;
    }
  }

  /** The sequence number a read must wait for: the newest write it could have observed. */
  private readGate(c: Client, command: Command, argv: Buffer[]): number {
    const info = command.info;
    if (command.name === 'exec' || info.keySpecs.length === 0) return this.lastSeq;
    const db = c.db;
    let seq = this.dbFloorSeq[db.index] ?? 0;
    if (hasKeyRange(info) && !command.flags.has('movablekeys')) {
      // Without movable keys, the legacy range names every key (as Redis derives it from the key specs).
      const last = lastKeyIndex(info, argv.length);
      for (let pos = info.firstKey; pos <= last; pos += info.keyStep) seq = Math.max(seq, this.lastWriteOf(db, argv[pos]));
    } else {
      for (const { pos } of commandKeys(command, argv)) seq = Math.max(seq, this.lastWriteOf(db, argv[pos]));
    }
    return seq;
  }

  /** The sequence number of the key's last logged write (0 when none is known). */
  private lastWriteOf(db: Database, key: Buffer): number {
    const entry = db.keys.getBytes(key);
    if (entry !== undefined) return entry.seq;
    if (this.deletedSeqs.size === 0 && this.olderDeletedSeqs.size === 0) return 0;
    const name = key.toString('latin1');
    return this.deletedSeqs.get(db)?.get(name) ?? this.olderDeletedSeqs.get(db)?.get(name) ?? 0;
  }

  // ---- effects ----

  /**
   * A key's entry carries the record that last wrote it (KeyEntry.seq): no
   * second map to update per write. Keys a record deleted have no entry, so
   * their record is kept here, per database, while it may not be durable yet.
   * Two generations keep this bounded under constant load: the older one
   * holds nothing newer than olderUpTo and is dropped once that is durable
   * (see logDurable).
   */
  private deletedSeqs = new Map<Database, Map<string, number>>();
  private olderDeletedSeqs = new Map<Database, Map<string, number>>();
  private olderUpTo = 0;
  /** Whole-database writes (FLUSHDB, SWAPDB): reads of that db wait for them. */
  private readonly dbFloorSeq: number[] = [];
  // Keys the running command modified, and their databases (parallel arrays:
  // no pair per write), then databases it changed whole. The arrays are reused
  // and only their first `count` slots count: truncating an array (length = 0)
  // is a call into the runtime, about 100 ns, three times a write.
  private touchedKeys: string[] = [];
  private touchedKeyDbs: Database[] = [];
  private touchedKeyCount = 0;
  private touchedDbs: Database[] = [];
  private touchedDbCount = 0;
  /** Why the log refuses writes (MISCONF), or '' while it is healthy. */
  logFailure = '';

  get logUnhealthy(): boolean {
    return this.logFailure !== '';
  }

  signalModified(db: Database, key: string): void {
    this.dirty++;
    if (this.keyspace.capturing && !db.keys.captured(key)) this.keyspace.missedByCapture ??= `${JSON.stringify(key)} in db ${db.index}`;
    if (this.blocking.count > 0) this.blocking.signalKey(db, key);
    this.touchWatched(db, key);
    if (this.wal) {
      this.touchedKeys[this.touchedKeyCount] = key;
      this.touchedKeyDbs[this.touchedKeyCount++] = db;
    }
  }

  /** A write that changed a whole database (FLUSHDB, FLUSHALL, SWAPDB). */
  signalDatabaseChanged(db: Database): void {
    this.dirty++;
    const watchers = this.watchers.get(db);
    if (watchers) for (const clients of watchers.values()) for (const w of clients) w.watchDirty = true;
    if (this.wal) this.touchedDbs[this.touchedDbCount++] = db;
    if (this.blocking.count > 0) this.blocking.signalDatabase(db);
  }

  logEffect(db: number, argv: (Buffer | string)[]): void {
    this.loggedExplicitly = true;
    this.pendingLog.push({ db, command: encodeCommand(argv) });
  }

  /** Appends the pending effects as one log record; returns its sequence number (0 if none). */
  private commitLog(): number {
    let seq: number;
    if (this.rawRecord) {
      this.rawRecord = false;
      if (!this.wal) return 0;
      seq = this.wal.appendRange(this.rawSource as Buffer, this.rawStart, this.rawEnd);
    } else {
      if (this.pendingLog.length === 0) return 0;
      const entries = this.pendingLog;
      this.pendingLog = [];
      if (!this.wal) return 0;
      seq = this.wal.append(encodeRecord(entries));
    }
    this.lastSeq = seq;
    for (let i = 0; i < this.touchedKeyCount; i++) {
      const db = this.touchedKeyDbs[i];
      const key = this.touchedKeys[i];
      // The command just touched the key: mostly, its entry is the one it looked up last.
      const entry = db.keys.getRecent(key);
      if (entry !== undefined) {
        entry.seq = seq;
        continue;
      }
      let seqs = this.deletedSeqs.get(db);
      if (!seqs) this.deletedSeqs.set(db, (seqs = new Map()));
      seqs.set(key, seq);
    }
    for (let i = 0; i < this.touchedDbCount; i++) this.dbFloorSeq[this.touchedDbs[i].index] = seq;
    this.forgetTouched();
    return seq;
  }

  private forgetTouched(): void {
    // What a command of many keys left behind is let go, not kept alive.
    if (this.touchedKeyCount > 1024) {
      this.touchedKeys = [];
      this.touchedKeyDbs = [];
    }
    this.touchedKeyCount = 0;
    this.touchedDbCount = 0;
  }

  /** The log made everything up to seq durable: release the replies it covers, in order, one write per client. */
  logDurable(seq: number): void {
    this.durableSeq = seq;
    if (seq >= this.lastSeq) {
      if (this.deletedSeqs.size > 0) this.deletedSeqs.clear();
      if (this.olderDeletedSeqs.size > 0) this.olderDeletedSeqs.clear();
    } else if (seq >= this.olderUpTo) {
      this.olderDeletedSeqs = this.deletedSeqs;
      this.deletedSeqs = new Map();
      this.olderUpTo = this.lastSeq;
    }
    this.releaseWaiting();
  }

  /** The log will never persist the records up to seq: their writers get `reason` as a MISCONF error, writes are refused. */
  logFailed(seq: number, reason: string): void {
    this.failedSeq = Math.max(this.failedSeq, seq);
    this.logFailure = reason;
    this.releaseWaiting();
  }

  private releaseWaiting(): void {
    for (const c of this.waiting) c.flush();
  }

  /** Replaying the log at start: commands without the `loading` flag are refused. */
  loading = false;
  private replayClient: Client | null = null;
  private replayParser: RequestParser | null = null;

  /** Applies one log record (its RESP commands, starting in db 0), as recovery does. */
  replay(record: Buffer): void {
    if (!this.replayClient) {
      const c = (this.replayClient = new Client(this, 0, null));
      c.authenticated = true;
      this.replayParser = new RequestParser({
        command: (argv) => {
          const command = this.table.lookup(argv);
          if (!command?.handler) throw new Error(`the log holds an unknown command: ${argv[0]}`);
          this.call(c, command, argv);
          c.reply.release();
          c.reply.reuse();
        },
        protocolError: (message) => {
          throw new Error(`a log record is not valid RESP: ${message}`);
        },
        unauthenticated: false,
      });
    }
    const c = this.replayClient;
    c.db = this.keyspace.databases[0];
    this.keyspace.replaying = true;
    try {
      (this.replayParser as RequestParser).feed(record);
    } finally {
      this.keyspace.replaying = false;
      this.pendingLog = [];
    }
  }

  /** Where records go (null: durability none); the durability layer wires it. */
  wal: { append(payload: Payload): number; appendRange(buf: Buffer, start: number, end: number): number; endTurn(): void } | null = null;
  durableLog: DurableLog | null = null;

  /** RESET: the connection as it was after connecting. */
  resetClient(c: Client): void {
    c.transaction = null;
    this.unwatchAll(c);
    unsubscribeClient(c);
    c.reply.resp = 2;
    c.db = this.keyspace.databases[0];
    c.name = '';
    c.replyMode = 'on';
    c.skipNext = false;
    c.noEvict = false;
    c.noTouch = false;
    c.authenticated = !this.config.requirepass;
  }

  // ---- WATCH ----

  watch(c: Client, key: string, expired: boolean): void {
    let keys = this.watchers.get(c.db);
    if (!keys) this.watchers.set(c.db, (keys = new Map()));
    let clients = keys.get(key);
    if (!clients) keys.set(key, (clients = new Set()));
    clients.add(c);
    let mine = c.watched.get(c.db);
    if (!mine) c.watched.set(c.db, (mine = new Map()));
    if (!mine.has(key)) mine.set(key, expired);
  }

  unwatchAll(c: Client): void {
    for (const [db, keys] of c.watched) {
      const byKey = this.watchers.get(db);
      for (const key of keys.keys()) {
        const clients = byKey?.get(key);
        clients?.delete(c);
        if (clients?.size === 0) byKey?.delete(key);
      }
    }
    c.watched.clear();
    c.watchDirty = false;
  }

  private touchWatched(db: Database, key: string): void {
    if (this.watchers.size === 0) return;
    const clients = this.watchers.get(db)?.get(key);
    if (clients) for (const c of clients) c.watchDirty = true;
  }

  // ---- shutdown ----

  /** Stops accepting, answers what is pending, closes the log; idempotent. */
  shutdown(): Promise<void> {
    this.shutdownRequested ??= this.close().then(() => {
      this.logger.notice('VelocityDB is now ready to exit, bye bye...');
      this.markStopped();
    });
    return this.shutdownRequested;
  }

  async close(): Promise<void> {
    if (this.cron) clearInterval(this.cron);
    this.cron = null;
    const listeners = this.listeners;
    this.listeners = [];
    const closed = listeners.map((listener) => new Promise<void>((resolve) => listener.close(() => resolve())));
    // No new input; what is held leaves once the log has committed it.
    for (const c of this.clients.values()) c.socket?.pause();
    this.wal = null;
    try {
      await this.durableLog?.close();
    } finally {
      for (const c of [...this.clients.values()]) {
        c.flush();
        this.disconnect(c);
      }
    }
    await Promise.all(closed);
  }
}

/** One log record: the effects' RESP commands, starting in db 0 (records are self-contained). */
function encodeRecord(entries: LogEntry[]): Payload {
  // The common record, one command in db 0, is that command's bytes.
  if (entries.length === 1 && entries[0].db === 0) return entries[0].command;
  const pieces: Buffer[] = [];
  let db = 0;
  for (const entry of entries) {
    if (entry.db !== db) {
      const index = String(entry.db);
      pieces.push(SELECT_PREFIX, Buffer.from(`$${index.length}\r\n${index}\r\n`));
      db = entry.db;
    }
    pieces.push(entry.command);
  }
  return pieces;
}

/**
 * Where a connection's parsed requests go. One class for every connection
 * keeps the parser's calls into it monomorphic (a closure per connection made
 * them megamorphic: about 5% of a pipelined SET's time).
 */
class ConnectionRequests implements ParserSink, ReadTaker {
  constructor(
    private readonly server: Server,
    readonly c: Client,
  ) {}

  /** The parser that feeds this; set once both exist. */
  parser: RequestParser | null = null;
  gathered = false;

  take(chunk: Buffer): void {
    this.server.takeInput(this.c, this.parser as RequestParser, this, chunk);
  }

  /** The input whose next commands' keys were read ahead, up to where. */
  private prefetched: Buffer | null = null;
  private prefetchedTo = 0;

  command(argv: Buffer[], source: Buffer | null, start: number, end: number): void {
    if (source !== null && (source !== this.prefetched || start >= this.prefetchedTo)) {
      this.prefetched = source;
      this.prefetchedTo = this.server.prefetchKeys(this.c, source, start);
    }
    this.server.processCommand(this.c, argv, source, start, end);
  }

  /** The parser is done with the input it was fed: an idle connection keeps none of it. */
  inputDone(): void {
    this.prefetched = null;
  }

  protocolError(message: string): void {
    this.server.protocolError(this.c, message);
  }

  get unauthenticated(): boolean {
    return !this.c.authenticated;
  }
}
