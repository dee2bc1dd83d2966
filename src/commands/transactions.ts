// MULTI, EXEC, DISCARD, WATCH, UNWATCH (multi.c). The effects of an EXEC are
// one log record, so after a crash either all of a transaction is there or
// none of it.
import { ERR } from '../errors.js';
import type { Client } from '../server/client.js';
import { str } from './args.js';
import { ReplyError } from './reply-error.js';
import type { HandlerTable } from './table.js';

function multi(c: Client): void {
  if (c.transaction) throw new ReplyError(ERR.multiNested);
  c.transaction = { queued: [], aborted: false };
  c.reply.ok();
}

function discard(c: Client): void {
  if (!c.transaction) throw new ReplyError(ERR.discardWithoutMulti);
  c.transaction = null;
  c.server.unwatchAll(c);
  c.reply.ok();
}

/** A watched key whose time has passed counts as modified (isWatchedKeyExpired). */
function watchedKeyExpired(c: Client): boolean {
  const now = c.server.keyspace.now;
  for (const [db, keys] of c.watched) {
    for (const [key, expiredWhenWatched] of keys) {
      const when = db.expireAt(key);
      if (!expiredWhenWatched && when !== undefined && when <= now) return true;
    }
  }
  return false;
}

function exec(c: Client): void {
  const transaction = c.transaction;
  if (!transaction) throw new ReplyError(ERR.execWithoutMulti);
  c.transaction = null;
  if (transaction.aborted) {
    c.server.unwatchAll(c);
    throw new ReplyError(ERR.execAbort);
  }
  if (c.watchDirty || watchedKeyExpired(c)) {
    c.server.unwatchAll(c);
    c.reply.nullArray();
    return;
  }
  c.server.unwatchAll(c);
  c.reply.array(transaction.queued.length);
  c.inExec = true;
  try {
    for (const { command, argv } of transaction.queued) c.server.call(c, command, argv);
  } finally {
    c.inExec = false;
  }
}

function watch(c: Client, argv: Buffer[]): void {
  if (c.transaction) throw new ReplyError(ERR.watchInMulti);
  const now = c.server.keyspace.now;
  const db = c.db;
  for (let i = 1; i < argv.length; i++) {
    const key = str(argv[i]);
    // A key already expired is deleted now, as a read would: in Redis its
    // later deletion (lazy or by the expire cycle) does not abort the EXEC,
    // and here it comes before the watch, so it cannot.
    if (db.expires.size > 0) db.expireIfNeeded(key);
    const when = db.expireAt(key);
    c.server.watch(c, key, when !== undefined && when <= now);
  }
  c.reply.ok();
}

function unwatch(c: Client): void {
  c.server.unwatchAll(c);
  c.reply.ok();
}

export const transactionCommands: HandlerTable = { multi, exec, discard, watch, unwatch };
