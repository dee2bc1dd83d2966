// CLIENT: the connection's own settings (ID, SETNAME/GETNAME, REPLY, NO-EVICT),
// introspection (LIST, INFO, TRACKINGINFO, GETREDIR, CACHING), KILL, and
// PAUSE/UNPAUSE, as Redis 7.0's networking.c clientCommand. Tracking is never
// on, so the tracking subcommands answer as Redis does for a non-tracking
// client. (SETINFO and NO-TOUCH are Redis 7.2: 7.0 calls them unknown.)
import { ERR } from '../errors.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { intArg, keyword, str } from './args.js';
import { validateClientName } from './connection.js';
import { ReplyError } from './reply-error.js';
import type { Command, HandlerTable } from './table.js';

const HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'HELP',
  '    Prints this help.',
];

/** addReplyHelp: the lines as status replies. */
export function replyHelp(c: Client, lines: readonly string[]): void {
  c.reply.array(lines.length);
  for (const line of lines) c.reply.simple(line);
}

/** addReplySubcommandSyntaxError. */
export function subcommandSyntaxError(argv: Buffer[], container: string): ReplyError {
  return new ReplyError(`ERR unknown subcommand or wrong number of arguments for '${str(argv[1]).slice(0, 128)}'. Try ${container} HELP.`);
}

// ---- addresses and CLIENT LIST lines ----

/** "ip:port" as Redis formats it (IPv6 in brackets, IPv4-mapped IPv6 as IPv4). */
function formatAddress(ip: string | undefined, port: number | undefined): string {
  if (!ip) return '?:0';
  const plain = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  return plain.includes(':') ? `[${plain}]:${port ?? 0}` : `${plain}:${port ?? 0}`;
}

export function peerAddress(c: Client): string {
  return formatAddress(c.socket?.remoteAddress, c.socket?.remotePort);
}

export function localAddress(c: Client): string {
  return formatAddress(c.socket?.localAddress, c.socket?.localPort);
}

const TYPE_NORMAL = 0;
const TYPE_REPLICA = 1;
const TYPE_PUBSUB = 2;
const TYPE_MASTER = 3;

/** getClientTypeByName, or -1. */
function clientTypeByName(name: string): number {
  switch (name.toLowerCase()) {
    case 'normal':
      return TYPE_NORMAL;
    case 'slave':
    case 'replica':
      return TYPE_REPLICA;
    case 'pubsub':
      return TYPE_PUBSUB;
    case 'master':
      return TYPE_MASTER;
    default:
      return -1;
  }
}

function clientType(c: Client): number {
  return c.subscriptions > 0 ? TYPE_PUBSUB : TYPE_NORMAL;
}

/** The arguments of the command the client is running (argv-mem of CLIENT LIST). */
const running = new WeakMap<Client, Buffer[]>();

function fd(c: Client): number {
  const handle = (c.socket as unknown as { _handle?: { fd?: number } } | null)?._handle;
  return typeof handle?.fd === 'number' ? handle.fd : -1;
}

/** catClientInfoString: one CLIENT LIST line, without the newline. */
export function clientInfoString(c: Client, now = Date.now()): string {
  const server = c.server;
  let flags = '';
  if (c.subscriptions > 0) flags += 'P';
  if (c.transaction) flags += 'x';
  if (server.postponed.has(c)) flags += 'b';
  if (c.watchDirty) flags += 'd';
  if (c.closing) flags += 'c';
  if (c.noEvict) flags += 'e';
  if (flags === '') flags = 'N';
  const qbuf = server.parsers.get(c)?.buffered ?? 0;
  const argv = running.get(c);
  const argvMem = argv ? argv.reduce((sum, a) => sum + a.length, 0) : 0;
  const multiMem = c.transaction ? c.transaction.queued.reduce((sum, q) => sum + q.argv.reduce((s, a) => s + a.length, 0), 0) : 0;
  const obl = c.reply.pendingBytes;
  const qbufFree = qbuf > 0 ? Math.max(0, 20474 - qbuf) : 0;
  const totMem = 1024 + qbuf + qbufFree + argvMem + multiMem + obl + 16384;
  const multi = c.transaction ? c.transaction.queued.length : -1;
  return (
    `id=${c.id} addr=${peerAddress(c)} laddr=${localAddress(c)} fd=${fd(c)} name=${c.name}` +
    ` age=${Math.floor((now - c.createdAt) / 1000)} idle=${Math.floor((now - c.lastInteraction) / 1000)} flags=${flags}` +
    ` db=${c.db.index} sub=${c.channels.size} psub=${c.patterns.size} ssub=${c.shardChannels.size} multi=${multi}` +
    ` qbuf=${qbuf} qbuf-free=${qbufFree} argv-mem=${argvMem} multi-mem=${multiMem} rbs=16384 rbp=16384` +
    ` obl=${obl} oll=0 omem=0 tot-mem=${totMem} events=${obl > 0 ? 'rw' : 'r'} cmd=${c.lastCommand}` +
    ` user=default redir=-1 resp=${c.reply.resp}`
  );
}

// ---- subcommands ----

function id(c: Client): void {
  c.reply.integer(c.id);
}

function info(c: Client, argv: Buffer[]): void {
  running.set(c, argv);
  const text = `${clientInfoString(c)}\n`;
  running.delete(c);
  c.reply.verbatim(text);
}

function list(c: Client, argv: Buffer[]): void {
  let type = -1;
  let ids: number[] | null = null;
  if (argv.length === 4 && keyword(argv[2]) === 'type') {
    type = clientTypeByName(str(argv[3]));
    if (type < 0) throw new ReplyError(`ERR Unknown client type '${str(argv[3])}'`);
  } else if (argv.length > 3 && keyword(argv[2]) === 'id') {
    ids = argv.slice(3).map((a) => intArg(a, 'ERR Invalid client ID'));
  } else if (argv.length !== 2) throw new ReplyError(ERR.syntax);
  running.set(c, argv);
  const now = Date.now();
  let text = '';
  if (ids) {
    for (const clientId of ids) {
      const other = c.server.clients.get(clientId);
      if (other) text += `${clientInfoString(other, now)}\n`;
    }
  } else {
    for (const other of c.server.clients.values()) {
      if (type >= 0 && clientType(other) !== type) continue;
      text += `${clientInfoString(other, now)}\n`;
    }
  }
  running.delete(c);
  c.reply.verbatim(text);
}

function setname(c: Client, argv: Buffer[]): void {
  validateClientName(argv[2]);
  c.name = str(argv[2]);
  c.reply.ok();
}

function getname(c: Client): void {
  c.reply.bulkOrNull(c.name === '' ? null : c.name);
}

/** CLIENT REPLY: the dispatcher drops replies per c.replyMode after each command. */
function reply(c: Client, argv: Buffer[]): void {
  const mode = keyword(argv[2]);
  if (mode === 'on') {
    c.replyMode = 'on';
    c.skipNext = false;
    c.reply.ok();
  } else if (mode === 'off') {
    c.replyMode = 'off';
  } else if (mode === 'skip') {
    // Skips the next command, also when this one is itself skipped (Redis's SKIP_NEXT).
    if (c.replyMode !== 'off') {
      c.replyMode = 'skip';
      c.skipNext = false;
    }
  } else throw new ReplyError(ERR.syntax);
}

function noEvict(c: Client, argv: Buffer[]): void {
  const mode = keyword(argv[2]);
  if (mode === 'on') c.noEvict = true;
  else if (mode === 'off') c.noEvict = false;
  else throw new ReplyError(ERR.syntax);
  c.reply.ok();
}

function kill(c: Client, argv: Buffer[]): void {
  let addr: string | null = null;
  let laddr: string | null = null;
  let type = -1;
  let clientId = 0;
  let skipme = true;
  if (argv.length === 3) {
    addr = str(argv[2]);
    skipme = false;
  } else {
    for (let i = 2; i < argv.length; i += 2) {
      const option = keyword(argv[i]);
      const more = i + 1 < argv.length;
      if (option === 'id' && more) {
        clientId = intArg(argv[i + 1], 'ERR client-id should be greater than 0');
        if (clientId < 1) throw new ReplyError('ERR client-id should be greater than 0');
      } else if (option === 'type' && more) {
        type = clientTypeByName(str(argv[i + 1]));
        if (type < 0) throw new ReplyError(`ERR Unknown client type '${str(argv[i + 1])}'`);
      } else if (option === 'addr' && more) {
        addr = str(argv[i + 1]);
      } else if (option === 'laddr' && more) {
        laddr = str(argv[i + 1]);
      } else if (option === 'user' && more) {
        if (str(argv[i + 1]) !== 'default') throw new ReplyError(`ERR No such user '${str(argv[i + 1])}'`);
      } else if (option === 'skipme' && more) {
        const value = keyword(argv[i + 1]);
        if (value === 'yes') skipme = true;
        else if (value === 'no') skipme = false;
        else throw new ReplyError(ERR.syntax);
      } else throw new ReplyError(ERR.syntax);
    }
  }
  let killed = 0;
  for (const other of [...c.server.clients.values()]) {
    if (addr !== null && peerAddress(other) !== addr) continue;
    if (laddr !== null && localAddress(other) !== laddr) continue;
    if (type >= 0 && clientType(other) !== type) continue;
    if (clientId !== 0 && other.id !== clientId) continue;
    if (other === c && skipme) continue;
    if (other === c) c.closing = true;
    else {
      other.flush();
      c.server.disconnect(other);
    }
    killed++;
  }
  if (argv.length === 3) {
    if (killed === 0) throw new ReplyError('ERR No such client');
    c.reply.ok();
  } else c.reply.integer(killed);
}

function trackinginfo(c: Client): void {
  c.reply.map(3);
  c.reply.bulk('flags');
  c.reply.set(1);
  c.reply.bulk('off');
  c.reply.bulk('redirect');
  c.reply.integer(-1);
  c.reply.bulk('prefixes');
  c.reply.array(0);
}

function getredir(c: Client): void {
  c.reply.integer(-1);
}

function caching(): void {
  throw new ReplyError('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
}

// ---- PAUSE / UNPAUSE ----

interface Pause {
  /** true: every command waits; false: only commands that write (or may replicate). */
  all: boolean;
  end: number;
  timer: NodeJS.Timeout | null;
}

const pauses = new WeakMap<Server, Pause>();

/** Whether a command must wait for the pause (server.c processCommand's check). */
function mustWait(c: Client, command: Command): boolean {
  const pause = pauses.get(c.server);
  if (!pause) return false;
  if (Date.now() >= pause.end) {
    endPause(c.server);
    return false;
  }
  if (pause.all) return true;
  const writes = (cmd: Command) => cmd.isWrite || cmd.flags.has('may_replicate');
  if (writes(command)) return true;
  return command.name === 'exec' && !!c.transaction?.queued.some((q) => writes(q.command));
}

/**
 * Ends the pause; what the waiting clients sent runs, in order, once the
 * running command is done (not inside another client's dispatch).
 */
function endPause(server: Server): void {
  const pause = pauses.get(server);
  if (!pause) return;
  if (pause.timer) clearTimeout(pause.timer);
  pauses.delete(server);
  server.pauseGate = null;
  queueMicrotask(() => resume(server));
}

function resume(server: Server): void {
  if (pauses.has(server)) return; // paused again meanwhile: they keep waiting
  const waiting = [...server.postponed];
  server.postponed.clear();
  for (const [client, commands] of waiting) {
    for (let i = 0; i < commands.length; i++) {
      if (client.closed) break;
      const { argv, source, start, end } = commands[i];
      server.keyspace.now = Date.now();
      server.processCommand(client, argv, source, start, end);
      // Paused again by a command run here: the rest waits again.
      const again = server.postponed.get(client);
      if (again) {
        again.push(...commands.slice(i + 1));
        break;
      }
    }
    client.flush();
  }
}

function startTimer(server: Server, pause: Pause): void {
  if (pause.timer) clearTimeout(pause.timer);
  pause.timer = setTimeout(() => endPause(server), Math.max(0, pause.end - Date.now()));
  pause.timer.unref();
}

function pause(c: Client, argv: Buffer[]): void {
  if (argv.length > 4) throw subcommandSyntaxError(argv, 'CLIENT');
  let all = true;
  if (argv.length === 4) {
    const mode = keyword(argv[3]);
    if (mode === 'write') all = false;
    else if (mode !== 'all') throw new ReplyError('ERR CLIENT PAUSE mode must be WRITE or ALL');
  }
  const ms = intArg(argv[2], 'ERR timeout is not an integer or out of range');
  if (ms < 0) throw new ReplyError('ERR timeout is negative');
  const server = c.server;
  const end = ms > 0 ? Date.now() + ms : 0;
  const current = pauses.get(server);
  if (current) {
    current.all ||= all;
    if (end > current.end) {
      current.end = end;
      startTimer(server, current);
    }
  } else if (end > Date.now()) {
    const started: Pause = { all, end, timer: null };
    pauses.set(server, started);
    startTimer(server, started);
    server.pauseGate = mustWait;
  }
  c.reply.ok();
}

function unpause(c: Client): void {
  endPause(c.server);
  c.reply.ok();
}

export const clientCommands: HandlerTable = {
  'client|id': id,
  'client|info': info,
  'client|list': list,
  'client|setname': setname,
  'client|getname': getname,
  'client|reply': reply,
  'client|no-evict': noEvict,
  'client|kill': kill,
  'client|trackinginfo': trackinginfo,
  'client|getredir': getredir,
  'client|caching': caching,
  'client|pause': pause,
  'client|unpause': unpause,
  'client|help': (c) => replyHelp(c, HELP),
};
