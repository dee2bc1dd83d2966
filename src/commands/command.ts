// COMMAND: the command table as Redis 7.0 reports it (COMMAND, COUNT, INFO,
// DOCS, LIST, GETKEYS, GETKEYSANDFLAGS, HELP). Everything comes from the
// recorded Redis metadata joined with our handlers, so only commands
// VelocityDB implements appear; redis-cli builds its hints from COMMAND DOCS.
import { ERR } from '../errors.js';
import type { Client } from '../server/client.js';
import { globMatch } from '../store/glob.js';
import { keyword, str } from './args.js';
import { replyHelp } from './client.js';
import { ReplyError } from './reply-error.js';
import { commandDocs, type Command, type CommandInfo, type CommandTable, type HandlerTable } from './table.js';

const HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Prints this help.',
];

// ---- a small RESP tree, encoded once per command and protocol ----

type Node =
  | { t: 'bulk'; v: string }
  | { t: 'status'; v: string }
  | { t: 'int'; v: number }
  | { t: 'array' | 'set'; v: Node[] }
  | { t: 'map'; v: [string, Node][] };

const bulk = (v: string): Node => ({ t: 'bulk', v });
const status = (v: string): Node => ({ t: 'status', v });
const int = (v: number): Node => ({ t: 'int', v });
const array = (v: Node[]): Node => ({ t: 'array', v });
const set = (v: Node[]): Node => ({ t: 'set', v });
const map = (v: [string, Node][]): Node => ({ t: 'map', v });

function encode(node: Node, resp: 2 | 3, out: string[]): void {
  switch (node.t) {
    case 'bulk':
      out.push(`$${Buffer.byteLength(node.v, 'latin1')}\r\n${node.v}\r\n`);
      break;
    case 'status':
      out.push(`+${node.v}\r\n`);
      break;
    case 'int':
      out.push(`:${node.v}\r\n`);
      break;
    case 'array':
    case 'set':
      out.push(`${node.t === 'set' && resp === 3 ? '~' : '*'}${node.v.length}\r\n`);
      for (const item of node.v) encode(item, resp, out);
      break;
    case 'map':
      out.push(resp === 3 ? `%${node.v.length}\r\n` : `*${node.v.length * 2}\r\n`);
      for (const [key, value] of node.v) {
        encode(bulk(key), resp, out);
        encode(value, resp, out);
      }
      break;
  }
}

function toBuffer(node: Node, resp: 2 | 3): Buffer {
  const out: string[] = [];
  encode(node, resp, out);
  return Buffer.from(out.join(''), 'latin1');
}

/** A recorded JSON value (key spec, docs) as RESP: objects are maps, `flags` are sets of status strings. */
function fromJson(value: unknown, key = ''): Node {
  if (typeof value === 'string') return bulk(value);
  if (typeof value === 'number') return int(value);
  if (Array.isArray(value)) {
    if (key === 'flags' || key === 'doc_flags') return set(value.map((v) => status(String(v))));
    if (key === 'history') return set(value.map((v) => fromJson(v)));
    return array(value.map((v) => fromJson(v)));
  }
  return map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fromJson(v, k)]));
}

function infoNode(command: Command): Node {
  const info = command.info;
  return array([
    bulk(info.name),
    int(info.arity),
    set(info.flags.map(status)),
    int(info.firstKey),
    int(info.lastKey),
    int(info.keyStep),
    set(info.aclCategories.map(status)),
    set(info.tips.map(bulk)),
    set(info.keySpecs.map((spec) => fromJson(spec))),
    command.subcommands ? array([...command.subcommands.values()].map(infoNode)) : set([]),
  ]);
}

function docsNode(command: Command, docs: Record<string, unknown>): Node {
  const entries: [string, Node][] = [];
  for (const [key, value] of Object.entries(docs)) {
    if (key === 'subcommands') continue;
    entries.push([key, fromJson(value, key)]);
  }
  if (command.subcommands) {
    const subDocs = (docs.subcommands ?? {}) as Record<string, Record<string, unknown>>;
    const subs: [string, Node][] = [];
    for (const sub of command.subcommands.values()) subs.push([sub.name, docsNode(sub, subDocs[sub.name] ?? {})]);
    entries.push(['subcommands', map(subs)]);
  }
  return map(entries);
}

const infoCache = new WeakMap<Command, Buffer[]>();
const docsCache = new WeakMap<Command, Buffer[]>();

function cached(cache: WeakMap<Command, Buffer[]>, command: Command, resp: 2 | 3, build: () => Node): Buffer {
  let entry = cache.get(command);
  if (!entry) cache.set(command, (entry = []));
  return (entry[resp] ??= toBuffer(build(), resp));
}

function docsOf(command: Command): Record<string, unknown> {
  const [name, sub] = command.name.split('|');
  const top = commandDocs[name] ?? {};
  if (sub === undefined) return top;
  return ((top.subcommands ?? {}) as Record<string, Record<string, unknown>>)[command.name] ?? {};
}

function replyInfo(c: Client, command: Command | undefined): void {
  if (!command) c.reply.nullBulk();
  else c.reply.raw(cached(infoCache, command, c.reply.resp, () => infoNode(command)));
}

function replyDocs(c: Client, command: Command): void {
  c.reply.bulk(command.name);
  c.reply.raw(cached(docsCache, command, c.reply.resp, () => docsNode(command, docsOf(command))));
}

/** lookupCommandBySds: "get", "config|get" (one level), case-insensitively. */
export function commandByFullName(table: CommandTable, fullName: string): Command | undefined {
  const parts = fullName.toLowerCase().split('|');
  if (parts.length > 2) return undefined;
  const base = table.commands.get(parts[0]);
  if (parts.length === 1) return base;
  return base?.subcommands?.get(parts[1]);
}

/** lookupCommand over argv: a container with arguments resolves its subcommand. */
function commandOfArgv(table: CommandTable, argv: Buffer[]): Command | undefined {
  const base = table.commands.get(keyword(argv[0]));
  if (argv.length === 1 || !base?.subcommands) return base;
  return base.subcommands.get(keyword(argv[1]));
}

// ---- key extraction (db.c getKeysFromCommandWithSpecs and the getkeys procs) ----

interface KeyRef {
  pos: number;
  flags: readonly string[];
}

/** atoi: the leading integer, 0 when there is none. */
function atoi(arg: Buffer): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(str(arg));
  return m ? Number(m[1]) | 0 : 0;
}

const RO_ACCESS = ['RO', 'access'];
const OW_UPDATE = ['OW', 'update'];
const RW_ACCESS_UPDATE = ['RW', 'access', 'update'];
const RW_ACCESS_DELETE = ['RW', 'access', 'delete'];

/** genericGetKeys: numkeys at keyCountOfs, keys from firstKeyOfs; a store key goes last. */
function genericKeys(argv: Buffer[], storeKeyOfs: number, keyCountOfs: number, firstKeyOfs: number): KeyRef[] {
  const num = atoi(argv[keyCountOfs]);
  if (num < 1 || num > argv.length - firstKeyOfs) return [];
  const keys: KeyRef[] = [];
  for (let i = 0; i < num; i++) keys.push({ pos: firstKeyOfs + i, flags: [] });
  if (storeKeyOfs) keys.push({ pos: storeKeyOfs, flags: [] });
  return keys;
}

const is = (arg: Buffer, word: string) => keyword(arg) === word;

const GETKEYS_PROCS: Record<string, (argv: Buffer[]) => KeyRef[]> = {
  eval: (argv) => genericKeys(argv, 0, 2, 3),
  evalsha: (argv) => genericKeys(argv, 0, 2, 3),
  eval_ro: (argv) => genericKeys(argv, 0, 2, 3),
  evalsha_ro: (argv) => genericKeys(argv, 0, 2, 3),
  fcall: (argv) => genericKeys(argv, 0, 2, 3),
  fcall_ro: (argv) => genericKeys(argv, 0, 2, 3),
  zunionstore: (argv) => genericKeys(argv, 1, 2, 3),
  zinterstore: (argv) => genericKeys(argv, 1, 2, 3),
  zdiffstore: (argv) => genericKeys(argv, 1, 2, 3),
  zunion: (argv) => genericKeys(argv, 0, 1, 2),
  zinter: (argv) => genericKeys(argv, 0, 1, 2),
  zdiff: (argv) => genericKeys(argv, 0, 1, 2),
  zintercard: (argv) => genericKeys(argv, 0, 1, 2),
  sintercard: (argv) => genericKeys(argv, 0, 1, 2),
  lmpop: (argv) => genericKeys(argv, 0, 1, 2),
  zmpop: (argv) => genericKeys(argv, 0, 1, 2),
  blmpop: (argv) => genericKeys(argv, 0, 2, 3),
  bzmpop: (argv) => genericKeys(argv, 0, 2, 3),
  sort(argv) {
    const keys: KeyRef[] = [{ pos: 1, flags: RO_ACCESS }];
    let store: KeyRef | null = null;
    const skip: Record<string, number> = { limit: 2, get: 1, by: 1 };
    for (let i = 2; i < argv.length; i++) {
      const word = keyword(argv[i]);
      if (word in skip) i += skip[word];
      else if (word === 'store' && i + 1 < argv.length) store = { pos: i + 1, flags: OW_UPDATE };
    }
    if (store) keys.push(store);
    return keys;
  },
  sort_ro: () => [{ pos: 1, flags: RO_ACCESS }],
  migrate(argv) {
    let first = 3;
    let num = 1;
    const skip: Record<string, number> = { copy: 0, replace: 0, auth: 1, auth2: 2 };
    if (argv.length > 6) {
      for (let i = 6; i < argv.length; i++) {
        if (is(argv[i], 'keys')) {
          if (argv[3].length > 0) return [];
          first = i + 1;
          num = argv.length - first;
          break;
        }
        const word = keyword(argv[i]);
        if (word in skip) i += skip[word];
      }
    }
    return Array.from({ length: num }, (_, i) => ({ pos: first + i, flags: RW_ACCESS_DELETE }));
  },
  georadius: georadiusKeys,
  georadiusbymember: georadiusKeys,
  xread: xreadKeys,
  xreadgroup: xreadKeys,
  set(argv) {
    for (let i = 3; i < argv.length; i++) if (is(argv[i], 'get')) return [{ pos: 1, flags: RW_ACCESS_UPDATE }];
    return [{ pos: 1, flags: OW_UPDATE }];
  },
  bitfield(argv) {
    let readonly = true;
    for (let i = 2; i < argv.length; i++) {
      const more = argv.length - i - 1;
      const word = keyword(argv[i]);
      if (word === 'get' && more >= 2) i += 2;
      else if ((word === 'set' || word === 'incrby') && more >= 3) {
        readonly = false;
        break;
      } else if (word === 'overflow' && more >= 1) i += 1;
      else {
        readonly = false;
        break;
      }
    }
    return [{ pos: 1, flags: readonly ? RO_ACCESS : RW_ACCESS_UPDATE }];
  },
};

function georadiusKeys(argv: Buffer[]): KeyRef[] {
  let stored = -1;
  for (let i = 5; i < argv.length; i++) {
    const word = keyword(argv[i]);
    if ((word === 'store' || word === 'storedist') && i + 1 < argv.length) {
      stored = i + 1;
      i++;
    }
  }
  const keys: KeyRef[] = [{ pos: 1, flags: RO_ACCESS }];
  if (stored >= 0) keys.push({ pos: stored, flags: OW_UPDATE });
  return keys;
}

function xreadKeys(argv: Buffer[]): KeyRef[] {
  let streams = -1;
  for (let i = 1; i < argv.length; i++) {
    const word = keyword(argv[i]);
    if (word === 'block' || word === 'count') i++;
    else if (word === 'group') i += 2;
    else if (word === 'noack') continue;
    else if (word === 'streams') {
      streams = i;
      break;
    } else break;
  }
  const num = streams >= 0 ? argv.length - streams - 1 : 0;
  if (streams < 0 || num === 0 || num % 2 !== 0) return [];
  return Array.from({ length: num / 2 }, (_, i) => ({ pos: streams + 1 + i, flags: [] }));
}

/** getKeysUsingKeySpecs: the keys, or null when a spec does not fit argv. */
function keysFromSpecs(info: CommandInfo, argv: Buffer[]): KeyRef[] | null {
  const argc = argv.length;
  const keys: KeyRef[] = [];
  for (const spec of info.keySpecs) {
    if (spec.flags.includes('not_key')) continue;
    let first = 0;
    const begin = spec.begin_search;
    if (begin.type === 'index') first = begin.spec.index;
    else if (begin.type === 'keyword') {
      const { keyword: word, startfrom } = begin.spec;
      const startIndex = startfrom > 0 ? startfrom : argc + startfrom;
      const endIndex = startfrom > 0 ? argc - 1 : 0;
      for (let i = startIndex; i !== endIndex; i = startIndex <= endIndex ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (keyword(argv[i]) === word.toLowerCase()) {
          first = i + 1;
          break;
        }
      }
      if (!first) continue;
    } else return null;

    const find = spec.find_keys;
    let last: number;
    let step: number;
    if (find.type === 'range') {
      step = find.spec.keystep;
      if (find.spec.lastkey >= 0) last = first + find.spec.lastkey;
      else if (!find.spec.limit) last = argc + find.spec.lastkey;
      else last = first + Math.trunc((argc - first) / find.spec.limit) + find.spec.lastkey;
    } else if (find.type === 'keynum') {
      step = find.spec.keystep;
      if (find.spec.keynumidx >= argc || first + find.spec.keynumidx >= argc) return null;
      const text = str(argv[first + find.spec.keynumidx]);
      const numkeys = /^(0|-?[1-9]\d{0,18})$/.test(text) ? Number(text) : NaN;
      if (!Number.isFinite(numkeys) || numkeys < 0) return null;
      first += find.spec.firstkey;
      last = first + numkeys - 1;
    } else return null;

    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) {
      if (i >= argc || i < first) continue;
      keys.push({ pos: i, flags: spec.flags });
    }
    if (spec.flags.includes('incomplete')) return null;
  }
  return keys;
}

/**
 * getKeysFromCommandWithSpecs: the positions of argv's keys (argv[0] is the
 * command name), from key specs when they are reliable, else the command's
 * own rules. COMMAND GETKEYS and the dispatcher's read gating both use it.
 */
export function commandKeys(command: Command, argv: Buffer[]): KeyRef[] {
  const specs = command.info.keySpecs;
  const hasKeySpec = specs.some((s) => !s.flags.includes('not_key'));
  const variableFlags = specs.some((s) => s.flags.includes('variable_flags'));
  if (hasKeySpec && !variableFlags) {
    const keys = keysFromSpecs(command.info, argv);
    if (keys !== null) return keys;
  }
  return GETKEYS_PROCS[command.name]?.(argv) ?? [];
}

function getKeys(c: Client, argv: Buffer[], withFlags: boolean): void {
  const args = argv.slice(2);
  const command = commandOfArgv(c.server.table, args);
  if (!command) throw new ReplyError('ERR Invalid command specified');
  const hasKeys = GETKEYS_PROCS[command.name] !== undefined || command.info.keySpecs.some((s) => !s.flags.includes('not_key'));
  if (!hasKeys) throw new ReplyError('ERR The command has no key arguments');
  const arity = command.info.arity;
  if ((arity > 0 && arity !== args.length) || args.length < -arity) throw new ReplyError('ERR Invalid number of arguments specified for command');
  const keys = commandKeys(command, args);
  if (keys.length === 0) {
    if (command.flags.has('no_mandatory_keys')) {
      c.reply.array(0);
      return;
    }
    throw new ReplyError('ERR Invalid arguments specified for command');
  }
  c.reply.array(keys.length);
  for (const key of keys) {
    if (!withFlags) {
      c.reply.bulk(args[key.pos]);
      continue;
    }
    c.reply.array(2);
    c.reply.bulk(args[key.pos]);
    c.reply.set(key.flags.length);
    for (const flag of key.flags) c.reply.simple(flag);
  }
}

// ---- handlers ----

function command(c: Client): void {
  const commands = c.server.table.commands;
  c.reply.array(commands.size);
  for (const cmd of commands.values()) replyInfo(c, cmd);
}

function count(c: Client): void {
  c.reply.integer(c.server.table.commands.size);
}

function info(c: Client, argv: Buffer[]): void {
  const table = c.server.table;
  if (argv.length === 2) {
    command(c);
    return;
  }
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) replyInfo(c, commandByFullName(table, str(argv[i])));
}

function docs(c: Client, argv: Buffer[]): void {
  const table = c.server.table;
  if (argv.length === 2) {
    c.reply.map(table.commands.size);
    for (const cmd of table.commands.values()) replyDocs(c, cmd);
    return;
  }
  const found: Command[] = [];
  for (let i = 2; i < argv.length; i++) {
    const cmd = commandByFullName(table, str(argv[i]));
    if (cmd) found.push(cmd);
  }
  c.reply.map(found.length);
  for (const cmd of found) replyDocs(c, cmd);
}

function list(c: Client, argv: Buffer[]): void {
  let filter: ((cmd: Command) => boolean) | null = null;
  for (let i = 2; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    if (!is(argv[i], 'filterby') || more !== 2) throw new ReplyError(ERR.syntax);
    const type = keyword(argv[i + 1]);
    const arg = str(argv[i + 2]);
    if (type === 'module') filter = () => false;
    else if (type === 'aclcat') {
      const category = `@${arg.toLowerCase()}`;
      filter = (cmd) => cmd.info.aclCategories.includes(category);
    } else if (type === 'pattern') filter = (cmd) => globMatch(arg, cmd.name, true);
    else throw new ReplyError(ERR.syntax);
    i += 2;
  }
  const names: string[] = [];
  for (const cmd of c.server.table.commands.values()) {
    if (!filter || filter(cmd)) names.push(cmd.name);
    if (cmd.subcommands) for (const sub of cmd.subcommands.values()) if (!filter || filter(sub)) names.push(sub.name);
  }
  c.reply.bulkArray(names);
}

export const commandCommands: HandlerTable = {
  command,
  'command|count': count,
  'command|info': info,
  'command|docs': docs,
  'command|list': list,
  'command|getkeys': (c, argv) => getKeys(c, argv, false),
  'command|getkeysandflags': (c, argv) => getKeys(c, argv, true),
  'command|help': (c) => replyHelp(c, HELP),
};
