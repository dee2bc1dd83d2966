// A client: one connection's state (selected db, protocol, auth, name, reply
// mode, transaction) and its output. The replay of the log runs through a
// client without a socket. Replies that must wait for durability are held
// by byte offset and released in order as the durable sequence advances.
import type { Socket } from 'node:net';
import { misconf } from '../errors.js';
import { ReplyWriter } from '../resp/reply-writer.js';
import type { Database } from '../store/keyspace.js';
import type { Command } from '../commands/table.js';
import type { BlockedClient, DeferredInput } from './blocking.js';
import type { Server } from './server.js';

export type ReplyMode = 'on' | 'off' | 'skip';

/** Slots for held replies a connection keeps once all are released. */
const HOLD_SLOTS_KEPT = 1024;

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

  // Held replies, in slots holdHead to holdTail: where each starts and ends
  // in the output, the sequence number that must be durable before it may
  // leave, and whether it is a write's reply on its own record (replaced by
  // an error if that fails). Slots are reused, not spliced out: a reply held
  // and released per request then allocates nothing.
  private holdStarts: number[] = [];
  private holdEnds: number[] = [];
  private holdSeqs: number[] = [];
  private holdOwn: boolean[] = [];
  private holdHead = 0;
  private holdTail = 0;

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

  /**
   * Holds the reply written from `start` to the current end of the output
   * until `seq` is durable; ownRecord: it is the reply of the write logged as
   * `seq`, which gets the log's error instead if that record fails.
   */
  hold(start: number, seq: number, ownRecord = false): void {
    if (seq <= this.server.durableSeq) return;
    if (this.holdTail === this.holdHead) this.server.waiting.add(this);
    const n = this.holdTail++;
    this.holdStarts[n] = start;
    this.holdEnds[n] = this.reply.offset;
    this.holdSeqs[n] = seq;
    this.holdOwn[n] = ownRecord;
  }

  /** Whether flush() has anything to do now: replies before the first held one, or a connection to end. */
  get hasOutputToWrite(): boolean {
    const upTo = this.holdTail > this.holdHead ? this.holdStarts[this.holdHead] : this.reply.offset;
    return upTo > this.reply.releasedOffset || this.closing;
  }

  /** Drops the output written after `from` (CLIENT REPLY OFF/SKIP); held replies there become empty. */
  truncateReply(from: number): void {
    this.reply.truncate(from);
    for (let i = this.holdTail - 1; i >= this.holdHead && this.holdEnds[i] > from; i--) this.holdEnds[i] = Math.max(this.holdStarts[i], from);
  }

  /**
   * Writes every reply that may leave now, in one socket write: those whose
   * sequence number is durable, and those whose record the log failed to
   * persist (a write's own reply then becomes the log's error; a read that
   * saw such a write leaves as it is: reads go on while writes are refused).
   */
  flush(): void {
    const socket = this.socket;
    if (!socket || this.closed) return;
    const server = this.server;
    const durable = server.durableSeq;
    let chunks: Buffer[] | null = null;
    let done = this.holdHead;
    for (; done < this.holdTail; done++) {
      const seq = this.holdSeqs[done];
      if (seq <= durable) continue;
      if (seq > server.failedSeq) break;
      const start = this.holdStarts[done];
      const end = this.holdEnds[done];
      if (!this.holdOwn[done] || end === start) continue;
      chunks ??= [];
      for (const chunk of this.reply.release(start)) chunks.push(chunk);
      this.reply.release(end);
      const error = misconf(server.logFailure);
      server.stats.countError(error);
      chunks.push(Buffer.from(`-${error}\r\n`, 'latin1'));
    }
    if (done > this.holdHead) this.dropHolds(done);
    const upTo = this.holdTail > this.holdHead ? this.holdStarts[this.holdHead] : this.reply.offset;
    const released = this.reply.release(upTo);
    if (chunks) for (const chunk of released) chunks.push(chunk);
    else chunks = released;
    if (chunks.length === 1) socket.write(chunks[0]);
    else if (chunks.length > 1) {
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    }
    // Nothing left to write means the kernel has every byte: a write it only
    // took in part keeps the rest (and our buffer) until it can go on.
    if (socket.writableLength === 0) this.reply.reuse();
    if (this.closing && this.reply.pendingBytes === 0) socket.end();
  }

  /** Forgets the held replies before slot `head`. */
  private dropHolds(head: number): void {
    this.holdHead = head;
    if (head === this.holdTail) {
      this.server.waiting.delete(this);
      this.holdHead = this.holdTail = 0;
      // What a deep pipeline's holds took is let go, not kept per connection.
      if (this.holdSeqs.length > HOLD_SLOTS_KEPT) {
        this.holdStarts = [];
        this.holdEnds = [];
        this.holdSeqs = [];
        this.holdOwn = [];
      }
    } else if (head > HOLD_SLOTS_KEPT && head * 2 > this.holdTail) {
      // Moved to the front once the released slots outnumber the held ones: each slot moves O(1) times.
      this.holdStarts.copyWithin(0, head, this.holdTail);
      this.holdEnds.copyWithin(0, head, this.holdTail);
      this.holdSeqs.copyWithin(0, head, this.holdTail);
      this.holdOwn.copyWithin(0, head, this.holdTail);
      this.holdTail -= head;
      this.holdHead = 0;
    }
  }
}
