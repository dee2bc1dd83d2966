// A client: one connection's state (selected db, protocol, auth, name, reply
// mode, transaction) and its output. The replay of the log runs through a
// client without a socket. Replies that must wait for durability are held
// by byte offset and released in order as the durable sequence advances.
import type { Socket } from 'node:net';
import { ReplyWriter } from '../resp/reply-writer.js';
import type { Database } from '../store/keyspace.js';
import type { Command } from '../commands/table.js';
import type { BlockedClient, DeferredInput } from './blocking.js';
import type { Server } from './server.js';

export type ReplyMode = 'on' | 'off' | 'skip';

export interface Transaction {
  queued: { command: Command; argv: Buffer[] }[];
  /** A command failed to queue: EXEC answers EXECABORT. */
  aborted: boolean;
}

export class Client {
  readonly reply = new ReplyWriter();
  readonly createdAt = Date.now();
  lastInteraction = this.createdAt;
  db: Database;
  name = '';
  libName = '';
  libVersion = '';
  authenticated: boolean;
  replyMode: ReplyMode = 'on';
  /** CLIENT REPLY SKIP applies to the command after it. */
  skipNext = false;
  noEvict = false;
  noTouch = false;
  transaction: Transaction | null = null;
  /** Some WATCHed key was modified: EXEC fails. */
  watchDirty = false;
  /** WATCHed keys per database, each with whether it had already expired when watched. */
  readonly watched = new Map<Database, Map<string, boolean>>();
  /** Running the commands of EXEC (blocking commands then act as non-blocking). */
  inExec = false;
  /** Set while a blocking command waits for a key (server/blocking.ts). */
  blocked: BlockedClient | null = null;
  /** Input that arrived while blocked, run in order once unblocked. */
  deferred: DeferredInput[] | null = null;
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();
  lastCommand = 'NULL';
  /** Set when the connection is to close once its replies are written (QUIT, errors). */
  closing = false;
  closed = false;

  // Held replies: the global output offset where each starts and the sequence
  // number that must be durable before it may leave.
  private holdStarts: number[] = [];
  private holdSeqs: number[] = [];

  constructor(
    readonly server: Server,
    readonly id: number,
    readonly socket: Socket | null,
  ) {
    this.db = server.keyspace.databases[0];
    this.authenticated = !server.config.requirepass;
    this.reply.onError = (message) => server.stats.countError(message);
  }

  get subscriptions(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }

  /** Marks the key modified by the running command (WATCH, logging, read gating). */
  modified(key: string, db: Database = this.db): void {
    this.server.signalModified(db, key);
  }

  /** Logs argv instead of the command itself (a rewrite: relative -> absolute time, effects). */
  log(argv: (Buffer | string)[], db: Database = this.db): void {
    this.server.logEffect(db.index, argv);
  }

  /** Holds the reply written from `start` on until `seq` is durable. */
  hold(start: number, seq: number): void {
    if (seq <= this.server.durableSeq) return;
    this.holdStarts.push(start);
    this.holdSeqs.push(seq);
    this.server.waiting.add(this);
  }

  get isHeld(): boolean {
    return this.holdSeqs.length > 0;
  }

  /** Writes every reply that may leave now: one socket write. */
  flush(): void {
    const socket = this.socket;
    if (!socket || this.closed) return;
    const durable = this.server.durableSeq;
    let drop = 0;
    while (drop < this.holdSeqs.length && this.holdSeqs[drop] <= durable) drop++;
    if (drop > 0) {
      this.holdStarts.splice(0, drop);
      this.holdSeqs.splice(0, drop);
    }
    const upTo = this.holdStarts.length > 0 ? this.holdStarts[0] : this.reply.offset;
    if (this.holdStarts.length === 0) this.server.waiting.delete(this);
    const chunks = this.reply.release(upTo);
    if (chunks.length === 1) socket.write(chunks[0]);
    else if (chunks.length > 1) {
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    }
    if (this.closing && this.reply.pendingBytes === 0) socket.end();
  }
}
