// The server: listener, clients, dispatch in Redis's order, and the effects
// of each command (modified keys, log record, reply gating).
import net from 'node:net';
import { Config } from '../config.js';
import { ERR, misconf, notAllowedWhileSubscribed, unknownCommand, unknownSubcommand, wrongArity } from '../errors.js';
import { RequestParser } from '../resp/parser.js';
import { encodeCommand } from '../resp/encode-command.js';
import { CommandTable, keyPositions, type Command } from '../commands/table.js';
import { handlers } from '../commands/index.js';
import { ReplyError } from '../commands/reply-error.js';
import { Keyspace, type Database } from '../store/keyspace.js';
import { Client } from './client.js';
import { Stats } from './stats.js';
import type { Logger } from './logger.js';

/** Commands a RESP2 client may send while subscribed. */
const SUBSCRIBED_ALLOWED = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);
/** Commands that run immediately inside MULTI instead of being queued. */
const MULTI_IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
const SELECT_PREFIX = Buffer.from('*2\r\n$6\r\nSELECT\r\n');

interface LogEntry {
  db: number;
  command: Buffer | (Buffer | string)[];
}

export class Server {
  readonly keyspace: Keyspace;
  readonly table = new CommandTable(handlers);
  readonly stats = new Stats();
  readonly clients = new Map<number, Client>();
  /** Clients holding replies until a sequence number is durable. */
  readonly waiting = new Set<Client>();
  lastSave = Math.floor(Date.now() / 1000);
  /** Modifications so far (INFO rdb_changes_since_last_save and logging decisions). */
  dirty = 0;
  lastSeq = 0;
  durableSeq = 0;
  private shutdownRequested: Promise<void> | null = null;
  private markStopped: () => void = () => {};
  /** Resolves once the server has shut down (SHUTDOWN, signals, close). */
  readonly stopped = new Promise<void>((resolve) => (this.markStopped = resolve));

  private listener: net.Server | null = null;
  private nextClientId = 1;
  private cron: NodeJS.Timeout | null = null;
  /** Effects of the running top-level command, logged as one record. */
  private pendingLog: LogEntry[] = [];
  /** Set while a handler logged its effects explicitly (no default record). */
  private loggedExplicitly = false;
  /** WATCHed keys per database: key -> watching clients. */
  readonly watchers = new Map<Database, Map<string, Set<Client>>>();

  constructor(
    readonly config: Config,
    readonly logger: Logger,
  ) {
    this.keyspace = new Keyspace(config.databases);
    this.keyspace.onExpired = (db, key) => {
      this.stats.expiredKeys++;
      this.touchWatched(db, key);
      this.pendingLog.push({ db: db.index, command: ['DEL', key] });
      if (!this.dispatching) this.commitLog();
    };
  }

  get port(): number {
    const address = this.listener?.address();
    return typeof address === 'object' && address ? address.port : this.config.port;
  }

  async listen(): Promise<void> {
    const listener = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.listener = listener;
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(this.config.port, this.config.bind, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    this.cron = setInterval(() => this.serverCron(), Math.max(1, Math.floor(1000 / this.config.hz)));
  }

  private serverCron(): void {
    const now = Date.now();
    this.keyspace.now = now;
    // ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC: at most a quarter of the cron period.
    this.keyspace.activeExpire(250 / this.config.hz);
    this.stats.sample(now);
  }

  private accept(socket: net.Socket): void {
    this.stats.connectionsReceived++;
    if (this.clients.size >= this.config.maxclients) {
      this.stats.rejectedConnections++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    const c = new Client(this, this.nextClientId++, socket);
    this.clients.set(c.id, c);
    const parser = new RequestParser(
      {
        command: (argv, source, start, end) => this.processCommand(c, argv, source, start, end),
        protocolError: (message) => {
          c.reply.error(message);
          c.closing = true;
        },
        get unauthenticated() {
          return !c.authenticated;
        },
      },
      this.config.protoMaxBulkLen,
    );
    socket.on('data', (chunk: Buffer) => {
      this.stats.netInputBytes += chunk.length;
      parser.feed(chunk);
      c.flush();
    });
    socket.on('drain', () => socket.resume());
    socket.on('error', () => {});
    socket.on('close', () => this.disconnect(c));
  }

  disconnect(c: Client): void {
    if (c.closed) return;
    c.closed = true;
    this.clients.delete(c.id);
    this.waiting.delete(c);
    this.unwatchAll(c);
    c.socket?.destroy();
  }

  /** Dispatch in Redis's order (server.c processCommand). */
  processCommand(c: Client, argv: Buffer[], source: Buffer | null = null, start = 0, end = 0): void {
    if (c.closing) return;
    this.keyspace.now = Date.now();
    c.lastInteraction = this.keyspace.now;
    const replyStart = c.reply.offset;
    const command = this.table.lookup(argv);
    const rejection = this.rejection(c, command, argv);
    if (rejection !== null) {
      if (command) command.stats.rejectedCalls++;
      if (c.transaction) c.transaction.aborted = true;
      c.reply.error(rejection);
    } else if (c.transaction && !MULTI_IMMEDIATE.has((command as Command).name)) {
      c.transaction.queued.push({ command: command as Command, argv });
      c.reply.queuedReply();
    } else {
      this.rawSource = source;
      this.rawArgv = argv;
      this.rawStart = start;
      this.rawEnd = end;
      this.execute(c, command as Command, argv, replyStart);
      this.rawSource = null;
    }
    this.applyReplyMode(c, replyStart);
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
    if (this.logUnhealthy && (command.isWrite || command.name === 'ping')) return misconf(this.logFailure);
    if (c.subscriptions > 0 && c.reply.resp === 2 && !SUBSCRIBED_ALLOWED.has(command.name)) {
      return notAllowedWhileSubscribed(command.name);
    }
    if (c.transaction && command.flags.has('no_multi')) return ERR.notAllowedInMulti;
    return null;
  }

  private dispatching = false;

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
    const seq = this.commitLog();
    if (this.durableSeq === this.lastSeq) return;
    if (this.dirty > dirtyBefore) c.hold(replyStart, seq || this.lastSeq);
    else if (command.isReadonly || command.name === 'exec') c.hold(replyStart, this.readGate(c, command, argv));
  }

  /** Runs one command (also each command of EXEC); records its default log entry. */
  call(c: Client, command: Command, argv: Buffer[]): void {
    const started = performance.now();
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
    if (this.dirty > dirtyBefore && !this.loggedExplicitly && command.isWrite) {
      // Only the top-level command has raw bytes; EXEC's commands are encoded.
      const raw = this.rawSource && argv === this.rawArgv ? this.rawSource.subarray(this.rawStart, this.rawEnd) : null;
      this.pendingLog.push({ db, command: raw ?? argv });
    }
    this.loggedExplicitly = explicitBefore;
    const stats = command.stats;
    stats.calls++;
    stats.usec += (performance.now() - started) * 1000;
    if (c.reply.errors > errorsBefore) stats.failedCalls++;
    this.stats.commandsProcessed++;
    c.lastCommand = command.name;
  }

  /** CLIENT REPLY OFF/SKIP: drop what this command wrote. */
  private applyReplyMode(c: Client, replyStart: number): void {
    if (c.replyMode === 'on') return;
    if (c.replyMode === 'off' || c.skipNext) c.reply.truncate(replyStart);
    if (c.replyMode === 'skip') {
      if (c.skipNext) {
        c.skipNext = false;
        c.replyMode = 'on';
      } else c.skipNext = true;
    }
  }

  /** The sequence number a read must wait for: the newest write it could have observed. */
  private readGate(c: Client, command: Command, argv: Buffer[]): number {
    if (command.name === 'exec' || command.info.keySpecs.length === 0) return this.lastSeq;
    let seq = this.dbFloorSeq[c.db.index] ?? 0;
    const dirty = this.dirtySeqs.get(c.db);
    if (dirty) {
      for (const i of keyPositions(command, argv)) seq = Math.max(seq, dirty.get(argv[i].toString('latin1')) ?? 0);
    }
    return seq;
  }

  // ---- effects ----

  /** The newest record that wrote each key, per database, while not yet durable. */
  private readonly dirtySeqs = new Map<Database, Map<string, number>>();
  /** Whole-database writes (FLUSHDB, SWAPDB): reads of that db wait for them. */
  private readonly dbFloorSeq: number[] = [];
  private readonly touchedKeys: [Database, string][] = [];
  private touchedDbs: Database[] = [];
  /** Why the log refuses writes (MISCONF), or '' while it is healthy. */
  logFailure = '';

  get logUnhealthy(): boolean {
    return this.logFailure !== '';
  }

  signalModified(db: Database, key: string): void {
    this.dirty++;
    this.touchWatched(db, key);
    if (this.wal) this.touchedKeys.push([db, key]);
  }

  /** A write that changed a whole database (FLUSHDB, FLUSHALL, SWAPDB). */
  signalDatabaseChanged(db: Database): void {
    this.dirty++;
    const watchers = this.watchers.get(db);
    if (watchers) for (const clients of watchers.values()) for (const w of clients) w.watchDirty = true;
    if (this.wal) this.touchedDbs.push(db);
  }

  logEffect(db: number, argv: (Buffer | string)[]): void {
    this.loggedExplicitly = true;
    this.pendingLog.push({ db, command: argv });
  }

  /** Appends the pending effects as one log record; returns its sequence number (0 if none). */
  private commitLog(): number {
    if (this.pendingLog.length === 0) return 0;
    const entries = this.pendingLog;
    this.pendingLog = [];
    if (!this.wal) return 0;
    const seq = this.wal.append(encodeRecord(entries));
    for (const [db, key] of this.touchedKeys) {
      let seqs = this.dirtySeqs.get(db);
      if (!seqs) this.dirtySeqs.set(db, (seqs = new Map()));
      seqs.set(key, seq);
    }
    for (const db of this.touchedDbs) this.dbFloorSeq[db.index] = seq;
    this.touchedKeys.length = 0;
    this.touchedDbs.length = 0;
    return seq;
  }

  // The write-ahead log is wired in by the durability layer.
  wal: { append(payload: Buffer[]): number } | null = null;

  /** RESET: the connection as it was after connecting. */
  resetClient(c: Client): void {
    c.transaction = null;
    this.unwatchAll(c);
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
    const listener = this.listener;
    this.listener = null;
    for (const c of [...this.clients.values()]) {
      c.flush();
      this.disconnect(c);
    }
    if (listener) await new Promise<void>((resolve) => listener.close(() => resolve()));
  }
}

/** One log record: the effects' RESP commands, starting in db 0 (records are self-contained). */
function encodeRecord(entries: LogEntry[]): Buffer[] {
  const pieces: Buffer[] = [];
  let db = 0;
  for (const entry of entries) {
    if (entry.db !== db) {
      const index = String(entry.db);
      pieces.push(SELECT_PREFIX, Buffer.from(`$${index.length}\r\n${index}\r\n`));
      db = entry.db;
    }
    pieces.push(Buffer.isBuffer(entry.command) ? entry.command : encodeCommand(entry.command));
  }
  return pieces;
}
