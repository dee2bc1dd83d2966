// Connection commands: PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT.
import { ERR, wrongArity } from '../errors.js';
import type { Client } from '../server/client.js';
import { REDIS_VERSION } from '../version.js';
import { intArg, keyword } from './args.js';
import { ReplyError } from './reply-error.js';
import type { HandlerTable } from './table.js';

const DEFAULT_USER = 'default';

/** validateClientName: printable ASCII without spaces. */
export function validateClientName(name: Buffer): void {
  for (const byte of name) {
    if (byte < 0x21 || byte > 0x7e) throw new ReplyError('ERR Client names cannot contain spaces, newlines or special characters.');
  }
}

/** The default user's check (ACLAuthenticateUser): with no requirepass, any password passes. */
function authenticate(c: Client, username: string, password: Buffer): void {
  const required = c.server.config.requirepass;
  if (username !== DEFAULT_USER || (required !== '' && password.toString('latin1') !== required)) {
    throw new ReplyError(ERR.wrongPass);
  }
  c.authenticated = true;
}

function ping(c: Client, argv: Buffer[]): void {
  if (argv.length > 2) throw new ReplyError(wrongArity('ping'));
  if (c.subscriptions > 0 && c.reply.resp === 2) {
    c.reply.array(2);
    c.reply.bulk('pong');
    c.reply.bulk(argv.length === 2 ? argv[1] : '');
  } else if (argv.length === 1) c.reply.simple('PONG');
  else c.reply.bulk(argv[1]);
}

function echo(c: Client, argv: Buffer[]): void {
  c.reply.bulk(argv[1]);
}

function quit(c: Client): void {
  c.reply.ok();
  c.closing = true;
}

function reset(c: Client): void {
  c.server.resetClient(c);
  c.reply.simple('RESET');
}

function auth(c: Client, argv: Buffer[]): void {
  if (argv.length > 3) throw new ReplyError(ERR.syntax);
  if (argv.length === 2 && c.server.config.requirepass === '') throw new ReplyError(ERR.authNotConfigured);
  authenticate(c, argv.length === 2 ? DEFAULT_USER : argv[1].toString('latin1'), argv[argv.length - 1]);
  c.reply.ok();
}

function hello(c: Client, argv: Buffer[]): void {
  let version: 2 | 3 | null = null;
  if (argv.length >= 2) {
    const requested = intArg(argv[1], ERR.protoNotInteger);
    if (requested < 2 || requested > 3) throw new ReplyError(ERR.noProto);
    version = requested as 2 | 3;
  }
  let credentials: [string, Buffer] | null = null;
  let name: Buffer | null = null;
  for (let j = 2; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const option = keyword(argv[j]);
    if (option === 'auth' && more >= 2) {
      credentials = [argv[j + 1].toString('latin1'), argv[j + 2]];
      j += 2;
    } else if (option === 'setname' && more >= 1) {
      name = argv[++j];
      validateClientName(name);
    } else throw new ReplyError(`ERR Syntax error in HELLO option '${argv[j].toString('latin1')}'`);
  }
  if (credentials) authenticate(c, credentials[0], credentials[1]);
  if (!c.authenticated) {
    throw new ReplyError(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
  }
  if (name) c.name = name.toString('latin1');
  if (version) c.reply.resp = version;
  const r = c.reply;
  r.map(7);
  r.bulk('server');
  r.bulk('redis');
  r.bulk('version');
  r.bulk(REDIS_VERSION);
  r.bulk('proto');
  r.integer(r.resp);
  r.bulk('id');
  r.integer(c.id);
  r.bulk('mode');
  r.bulk('standalone');
  r.bulk('role');
  r.bulk('master');
  r.bulk('modules');
  r.array(0);
}

function select(c: Client, argv: Buffer[]): void {
  const index = intArg(argv[1]);
  if (index < -2147483648 || index > 2147483647) throw new ReplyError(ERR.notInteger);
  const db = c.server.keyspace.databases[index];
  if (!db) throw new ReplyError(ERR.dbIndexOutOfRange);
  c.db = db;
  c.reply.ok();
}

export const connectionCommands: HandlerTable = { ping, echo, quit, reset, auth, hello, select };
