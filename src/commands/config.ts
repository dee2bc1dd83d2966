// CONFIG GET/SET/RESETSTAT/REWRITE/HELP over the parameter table of
// config-table.ts, with Redis 7.0's replies and errors. A SET of several
// parameters is all or nothing; the running server then applies what changed
// (listening again for port/bind, the cron for hz, the parsers' bulk limit,
// the log's durability mode and batch-max).
import { ConfigError, configGet, configSet, protectedAllowed, rewriteConfigFile, type Parameter } from '../config-table.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { str } from './args.js';
import { replyHelp } from './client.js';
import { ReplyError } from './reply-error.js';
import { ERR } from '../errors.js';
import type { HandlerTable } from './table.js';

const HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

function get(c: Client, argv: Buffer[]): void {
  const pairs = configGet(c.server.config, argv.slice(2).map(str));
  c.reply.map(pairs.length);
  for (const [name, value] of pairs) {
    c.reply.bulk(name);
    c.reply.bulk(Buffer.from(value, 'latin1'));
  }
}

/** Carries out on the running server what the parameters just set need. */
function apply(server: Server, changed: Parameter[], previous: { port: number; bind: string }): void {
  const applies = new Set(changed.map((p) => p.apply));
  if (applies.has('hz')) server.applyHz();
  // The log switches mode in the background; writes after this wait for the new mode's files.
  if (applies.has('durability')) server.durableLog?.reconfigure();
  if (applies.has('proto-max-bulk-len')) {
    for (const c of server.clients.values()) {
      const parser = server.parsers.get(c);
      if (parser) parser.maxBulk = server.config.protoMaxBulkLen;
    }
  }
  if (applies.has('listen') && (previous.port !== server.config.port || previous.bind !== server.config.bind)) {
    // Binding is asynchronous on Node: the reply cannot wait for it. On
    // failure the old listeners stay and the old values come back.
    server.relisten().catch((error: Error) => {
      server.logger.warning(`CONFIG SET port/bind failed, still listening on port ${previous.port} (${previous.bind}): ${error.message}`);
      server.config.port = previous.port;
      server.config.bind = previous.bind;
    });
  }
}

function set(c: Client, argv: Buffer[]): void {
  if (argv.length % 2 !== 0) throw new ReplyError(ERR.syntax);
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([str(argv[i]), str(argv[i + 1])]);
  const config = c.server.config;
  const previous = { port: config.port, bind: config.bind };
  let changed: Parameter[];
  try {
    changed = configSet(config, pairs, () => protectedAllowed(config, c.socket?.remoteAddress));
  } catch (error) {
    if (error instanceof ConfigError) throw new ReplyError(error.message);
    throw error;
  }
  apply(c.server, changed, previous);
  c.reply.ok();
}

/** CONFIG RESETSTAT: INFO stats, commandstats and errorstats start again from zero. */
export function resetStats(server: Server): void {
  server.stats.reset();
  let live = 0;
  for (const client of server.clients.values()) live += client.socket?.bytesWritten ?? 0;
  server.stats.netOutputBytes = -live;
  for (const command of server.table.all()) {
    const s = command.stats;
    s.calls = s.usec = s.rejectedCalls = s.failedCalls = 0;
    s.latency = null;
  }
}

function resetstat(c: Client): void {
  resetStats(c.server);
  c.reply.ok();
}

function rewrite(c: Client): void {
  const server = c.server;
  const file = server.config.configFile;
  if (!file) throw new ReplyError('ERR The server is running without a config file');
  try {
    rewriteConfigFile(server.config, file);
  } catch (error) {
    server.logger.warning(`CONFIG REWRITE failed: ${(error as Error).message}`);
    throw new ReplyError(`ERR Rewriting config file: ${(error as Error).message}`);
  }
  server.logger.warning('CONFIG REWRITE executed with success.');
  c.reply.ok();
}

export const configCommands: HandlerTable = {
  'config|get': get,
  'config|set': set,
  'config|resetstat': resetstat,
  'config|rewrite': rewrite,
  'config|help': (c) => replyHelp(c, HELP),
};
