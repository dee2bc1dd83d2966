// Server commands (Redis's server.c/db.c): DBSIZE, FLUSHDB, FLUSHALL, SWAPDB,
// TIME, LASTSAVE, SHUTDOWN, BGREWRITEAOF; and the administration families (CLIENT,
// COMMAND, CONFIG, INFO) joined into one table for commands/index.ts.
import { ERR } from '../errors.js';
import type { Client } from '../server/client.js';
import { intArg, keyword } from './args.js';
import { clientCommands } from './client.js';
import { commandCommands } from './command.js';
import { configCommands } from './config.js';
import { infoCommands } from './info.js';
import { ReplyError } from './reply-error.js';
import type { HandlerTable } from './table.js';

function dbsize(c: Client): void {
  c.reply.integer(c.db.size);
}

/** getFlushCommandFlags: an optional SYNC or ASYNC (both flush at once here). */
function checkFlushArgs(argv: Buffer[]): void {
  if (argv.length > 2) throw new ReplyError(ERR.syntax);
  if (argv.length === 2) {
    const mode = keyword(argv[1]);
    if (mode !== 'sync' && mode !== 'async') throw new ReplyError(ERR.syntax);
  }
}

function flushdb(c: Client, argv: Buffer[]): void {
  checkFlushArgs(argv);
  c.db.clear();
  // Logged even when the database was empty, as Redis always propagates FLUSHDB.
  c.server.signalDatabaseChanged(c.db);
  c.reply.ok();
}

function flushall(c: Client, argv: Buffer[]): void {
  checkFlushArgs(argv);
  for (const db of c.server.keyspace.databases) {
    if (db.size === 0 && db.expires.size === 0) continue;
    db.clear();
    c.server.signalDatabaseChanged(db);
  }
  c.reply.ok();
}

/** getIntFromObjectOrReply: a 32-bit integer. */
function dbIndexArg(arg: Buffer, error: string): number {
  const n = intArg(arg, error);
  if (n < -2147483648 || n > 2147483647) throw new ReplyError(error);
  return n;
}

function swapdb(c: Client, argv: Buffer[]): void {
  const first = dbIndexArg(argv[1], 'ERR invalid first DB index');
  const second = dbIndexArg(argv[2], 'ERR invalid second DB index');
  const databases = c.server.keyspace.databases;
  const a = databases[first];
  const b = databases[second];
  if (first < 0 || second < 0 || !a || !b) throw new ReplyError(ERR.dbIndexOutOfRange);
  if (a !== b) a.swapWith(b);
  c.server.signalDatabaseChanged(a);
  if (a !== b) c.server.signalDatabaseChanged(b);
  c.reply.ok();
}

function time(c: Client): void {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  c.reply.array(2);
  c.reply.bulk(String(Math.floor(micros / 1e6)));
  c.reply.bulk(String(micros % 1e6));
}

function lastsave(c: Client): void {
  c.reply.integer(c.server.lastSave);
}

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: there is no snapshot to
 * save and no replica to wait for, so a shutdown is immediate: the log is
 * closed and the connection too, without a reply. ABORT never finds one in
 * progress. The CLI's process exits once the server has stopped.
 */
function shutdown(c: Client, argv: Buffer[]): void {
  let save = false;
  let nosave = false;
  let abort = false;
  let other = false;
  for (const arg of argv.slice(1)) {
    const option = keyword(arg);
    if (option === 'nosave') nosave = true;
    else if (option === 'save') save = true;
    else if (option === 'now' || option === 'force') other = true;
    else if (option === 'abort') abort = true;
    else throw new ReplyError(ERR.syntax);
  }
  if ((abort && (save || nosave || other)) || (save && nosave)) throw new ReplyError(ERR.syntax);
  if (abort) throw new ReplyError('ERR No shutdown in progress.');
  const server = c.server;
  server.logger.warning('User requested shutdown...');
  c.closing = true;
  // After the running command: other clients' replies of this turn still go out.
  queueMicrotask(() => void server.shutdown());
}

/**
 * BGREWRITEAOF: compacts the write-ahead log into a snapshot of the keyspace
 * (also the way back to health after a log failure). Redis's replies.
 */
function bgrewriteaof(c: Client): void {
  const log = c.server.durableLog;
  if (!log || c.server.config.durability === 'none') throw new ReplyError('ERR Background AOF rewriting needs a durability mode with a log (durability is none)');
  if (log.rewriteInfo.inProgress) throw new ReplyError('ERR Background append only file rewriting already in progress');
  void log.rewrite();
  c.reply.simple('Background append only file rewriting started');
}

export const serverCommands: HandlerTable = {
  dbsize,
  flushdb,
  flushall,
  swapdb,
  time,
  lastsave,
  shutdown,
  bgrewriteaof,
  ...clientCommands,
  ...commandCommands,
  ...configCommands,
  ...infoCommands,
};
