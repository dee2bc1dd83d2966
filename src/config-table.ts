// CONFIG GET/SET/REWRITE parameters under Redis 7.0's names (config.c's
// standardConfig table: the same types, bounds, enum names, aliases, flags,
// defaults and error texts), and redis.conf parsing.
//
// Parameters VelocityDB acts on read and write the typed Config fields; the
// others are validated like Redis does and kept in Config.settings, so that a
// production redis.conf loads, CONFIG GET reports them and CONFIG REWRITE
// writes them back. Side effects on a running server (listening again, the
// cron frequency) are named by `apply` and carried out by the CONFIG command.
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Config, DURABILITY_MODES, type Durability } from './config.js';
import { parseInteger } from './resp/integers.js';
import { commandDocs } from './commands/table.js';
import { splitInlineArgs } from './resp/parser.js';
import { globMatch } from './store/glob.js';
import { DEFAULT_FSYNC_CONCURRENCY } from './wal/write-ahead-log.js';
import { REDIS_VERSION } from './version.js';

/** A rejected value; the message is Redis's reason ("argument must be a memory value"). */
export class ConfigError extends Error {}

/** What must happen on the running server after CONFIG SET changed a parameter. */
export type Apply = 'listen' | 'hz' | 'proto-max-bulk-len' | 'durability';

export interface Parameter {
  /** The primary name (for an alias entry of the table: the alias). */
  readonly name: string;
  /** The other name of the same setting (slave-* / replica-*, *-ziplist-*), or null. */
  readonly alias: string | null;
  /** Set only at start (config file); CONFIG SET answers "can't set immutable config". */
  readonly immutable: boolean;
  /** CONFIG SET needs enable-protected-configs (dir, dbfilename). */
  readonly protected: boolean;
  /** The value is several words (save, bind, client-output-buffer-limit, ...). */
  readonly multiArg: boolean;
  /** Not matched by CONFIG GET patterns, only by its exact name. */
  readonly hidden: boolean;
  readonly apply: Apply | null;
  get(config: Config): string;
  /** Validates and stores the value's words; throws ConfigError with Redis's reason. */
  set(config: Config, args: string[], loading?: LoadState): void;
  /** Writes the parameter's line(s) into a CONFIG REWRITE state. */
  rewrite(config: Config, state: RewriteState, name: string): void;
}

/** State of one config file load (Redis's reading_config_file / save_loaded). */
export interface LoadState {
  /** The first `save` line of a file replaces the default save points; later ones add. */
  saveLoaded: boolean;
  /** Things accepted but not acted on, for the log. */
  warnings: string[];
}

// ---- number parsing, as util.c and config.c do it ----

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const UINT_MAX = 4294967295n;
const LLONG_MAX = 9223372036854775807n;
const ULLONG_MAX = 18446744073709551615n;
const U64 = 1n << 64n;

/** strtoull of a digits-only string: saturates at ULLONG_MAX, "" is 0. */
function strtoull(digits: string): bigint {
  if (digits === '') return 0n;
  const n = BigInt(digits);
  return n > ULLONG_MAX ? ULLONG_MAX : n;
}

const MEMORY_UNITS: Record<string, bigint> = { '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000000n, mb: 1048576n, g: 1000000000n, gb: 1073741824n };

/** util.c memtoull: "1gb", "10k", "512"; null when Redis reports an error. */
export function memtoull(text: string): bigint | null {
  if (text.startsWith('-')) return null;
  let i = 0;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  const mul = MEMORY_UNITS[text.slice(i).toLowerCase()];
  if (mul === undefined || i >= 128) return null;
  return (strtoull(text.slice(0, i)) * mul) % U64;
}

/** string2ll: Redis's strict integer grammar. */
function string2ll(text: string): bigint | null {
  const n = parseInteger(Buffer.from(text, 'latin1'));
  if (n === null) return null;
  return Number.isSafeInteger(n) ? BigInt(n) : BigInt(text);
}

/** strtoll(text, &end, base) with end at the end of text and no overflow (errno 0); else null. */
function strtollWhole(text: string, base: 8 | 10): bigint | null {
  const m = (base === 8 ? /^[ \t\n\v\f\r]*([+-]?)([0-7]*)$/ : /^[ \t\n\v\f\r]*([+-]?)([0-9]*)$/).exec(text);
  if (!m) return null;
  if (m[2] === '') return text === '' ? 0n : null;
  let n = BigInt(base === 8 ? `0o${m[2]}` : m[2]);
  if (m[1] === '-') n = -n;
  if (n > LLONG_MAX || n < -LLONG_MAX - 1n) return null;
  return n;
}

/** strtoll(text, &end, 10) that only needs *end == '\0' (overflow saturates). */
function strtollSaturating(text: string): bigint | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(text);
  if (!m) return text === '' ? 0n : null;
  let n = BigInt(m[2]);
  if (m[1] === '-') n = -n;
  if (n > LLONG_MAX) return LLONG_MAX;
  if (n < -LLONG_MAX - 1n) return -LLONG_MAX - 1n;
  return n;
}

/** Redis's rewriteConfigFormatMemory: the largest of gb/mb/kb that divides it. */
function formatMemory(bytes: bigint): string {
  const units: [bigint, string][] = [
    [1073741824n, 'gb'],
    [1048576n, 'mb'],
    [1024n, 'kb'],
  ];
  if (bytes !== 0n) for (const [size, unit] of units) if (bytes % size === 0n) return `${bytes / size}${unit}`;
  return String(bytes);
}

/** sds.c sdscatrepr: a double-quoted string with C escapes. */
export function quoteRepr(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const code = value.charCodeAt(i);
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code === 7) out += '\\a';
    else if (code === 8) out += '\\b';
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else out += `\\x${code.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}

// ---- CONFIG REWRITE state (config.c rewriteConfig*) ----

const REWRITE_SIGNATURE = '# Generated by CONFIG REWRITE';
/** Directives of redis.conf that are not parameters but are kept by a rewrite. */
const FILE_ONLY_DIRECTIVES = new Set(['include', 'rename-command', 'user', 'loadmodule', 'sentinel']);

export class RewriteState {
  readonly lines: string[] = [];
  /** Option (lowercase) -> indexes of the old file's lines that set it. */
  private readonly optionToLine = new Map<string, number[]>();
  private readonly rewritten = new Set<string>();
  private needsSignature = true;

  /** Reads the old file's text (rewriteConfigReadOldFile). */
  constructor(text: string) {
    if (text === '') return;
    for (const raw of text.split('\n')) {
      const line = raw.replace(/^[\r\n\t ]+|[\r\n\t ]+$/g, '');
      if (line === '' || line.startsWith('#')) {
        if (this.needsSignature && line === REWRITE_SIGNATURE) this.needsSignature = false;
        this.lines.push(line);
        continue;
      }
      const buf = Buffer.from(line, 'latin1');
      const args = splitInlineArgs(buf, 0, buf.length);
      let option = args && args.length > 0 ? args[0].toString('latin1').toLowerCase() : null;
      if (option === null || (!findParameter(option) && !FILE_ONLY_DIRECTIVES.has(option))) {
        // Unparsable, or a parameter that no longer exists: kept as a comment.
        this.lines.push(`# ??? ${line}`);
        continue;
      }
      this.lines.push(line);
      option = option.replace('slave', 'replica');
      const at = this.optionToLine.get(option);
      if (at) at.push(this.lines.length - 1);
      else this.optionToLine.set(option, [this.lines.length - 1]);
    }
  }

  markProcessed(option: string): void {
    this.rewritten.add(option.toLowerCase());
  }

  /** Puts the line where the option was, or appends it when forced (value not the default). */
  rewriteLine(option: string, line: string, force: boolean): void {
    const key = option.toLowerCase();
    this.markProcessed(key);
    const at = this.optionToLine.get(key);
    if (!at && !force) return;
    if (at) {
      this.lines[at.shift() as number] = line;
      if (at.length === 0) this.optionToLine.delete(key);
    } else {
      if (this.needsSignature) {
        this.lines.push(REWRITE_SIGNATURE);
        this.needsSignature = false;
      }
      this.lines.push(line);
    }
  }

  /** The new file: old lines of options the rewrite handled but no longer needs are blanked. */
  content(): string {
    for (const [option, at] of this.optionToLine) {
      if (!this.rewritten.has(option)) continue;
      for (const i of at) this.lines[i] = '';
    }
    let out = '';
    let wasEmpty = false;
    for (const line of this.lines) {
      if (line === '') {
        if (wasEmpty) continue;
        wasEmpty = true;
      } else wasEmpty = false;
      out += `${line}\n`;
    }
    return out;
  }
}

// ---- parameter types ----

const IMMUTABLE = 1;
const PROTECTED = 2;
const MULTI_ARG = 4;
const HIDDEN = 8;

interface Slot<T> {
  read(config: Config): T;
  write(config: Config, value: T): void;
}

/** A value VelocityDB does not act on: kept in Config.settings under the primary name. */
function kept<T>(name: string, fallback: T): Slot<T> {
  return {
    read: (config) => (config.settings.has(name) ? (config.settings.get(name) as T) : fallback),
    write: (config, value) => void config.settings.set(name, value),
  };
}

type NumberField = 'port' | 'databases' | 'maxclients' | 'hz' | 'batchMax' | 'fsyncConcurrency' | 'protoMaxBulkLen';

function numberField(field: NumberField): Slot<bigint> {
  return {
    read: (config) => BigInt(config[field]),
    write: (config, value) => void (config[field] = Number(value)),
  };
}

interface Common {
  name: string;
  alias?: string;
  flags?: number;
  apply?: Apply;
}

function base(common: Common) {
  const flags = common.flags ?? 0;
  return {
    name: common.name,
    alias: common.alias ?? null,
    immutable: (flags & IMMUTABLE) !== 0,
    protected: (flags & PROTECTED) !== 0,
    multiArg: (flags & MULTI_ARG) !== 0,
    hidden: (flags & HIDDEN) !== 0,
    apply: common.apply ?? null,
  };
}

function bool(common: Common, fallback: boolean, slot?: Slot<boolean>): Parameter {
  const s = slot ?? kept(common.name, fallback);
  return {
    ...base(common),
    get: (config) => (s.read(config) ? 'yes' : 'no'),
    set(config, [value]) {
      const v = value.toLowerCase();
      if (v !== 'yes' && v !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
      s.write(config, v === 'yes');
    },
    rewrite(config, state, name) {
      const value = s.read(config);
      state.rewriteLine(name, `${name} ${value ? 'yes' : 'no'}`, value !== fallback);
    },
  };
}

interface StringOptions {
  /** Redis's EMPTY_STRING_IS_NULL: an empty value means "not set" (not rewritten). */
  emptyIsNull?: boolean;
  /** The default (null: not set). */
  fallback?: string | null;
  validate?: (value: string) => string | null;
  slot?: Slot<string>;
}

function string(common: Common, options: StringOptions = {}): Parameter {
  const fallback = options.fallback ?? null;
  const s = options.slot ?? kept(common.name, fallback ?? '');
  return {
    ...base(common),
    get: (config) => s.read(config),
    set(config, [value]) {
      const error = options.validate?.(value);
      if (error) throw new ConfigError(error);
      s.write(config, value);
    },
    rewrite(config, state, name) {
      const value = s.read(config);
      if (options.emptyIsNull && value === '') {
        state.markProcessed(name);
        return;
      }
      state.rewriteLine(name, `${name} ${quoteRepr(value)}`, !(fallback !== null && value === fallback));
    },
  };
}

function enumeration(common: Common, names: [string, number][], fallback: number, slot?: Slot<number>): Parameter {
  const s = slot ?? kept(common.name, fallback);
  const nameOf = (value: number) => names.find(([, v]) => v === value)?.[0] ?? 'unknown';
  return {
    ...base(common),
    get: (config) => nameOf(s.read(config)),
    set(config, [value]) {
      const found = names.find(([n]) => n === value.toLowerCase());
      if (!found) {
        const message = `argument(s) must be one of the following: ${names.map(([n]) => n).join(', ')}`;
        throw new ConfigError(message.slice(0, 255));
      }
      s.write(config, found[1]);
    },
    rewrite(config, state, name) {
      const value = s.read(config);
      state.rewriteLine(name, `${name} ${nameOf(value)}`, value !== fallback);
    },
  };
}

/**
 * An enum of bit flags (shutdown-on-sigint): several words OR together; the
 * value reads back as the flag names in table order, or the name of 0.
 */
function flagsEnumeration(common: Common, flags: [string, number][], fallback: number, validate: (value: number) => string | null): Parameter {
  const s = kept(common.name, fallback);
  const nameOf = (value: number) => {
    const exact = flags.find(([, v]) => v === value);
    if (exact) return exact[0];
    return flags.filter(([, v]) => v !== 0 && (value & v) === v).map(([n]) => n).join(' ');
  };
  return {
    ...base({ ...common, flags: (common.flags ?? 0) | MULTI_ARG }),
    get: (config) => nameOf(s.read(config)),
    set(config, args) {
      let value = 0;
      for (const arg of args) {
        const found = flags.find(([n]) => n === arg.toLowerCase());
        if (!found) throw new ConfigError(`argument(s) must be one of the following: ${flags.map(([n]) => n).join(', ')}`);
        value |= found[1];
      }
      if (args.length === 0) throw new ConfigError(`argument(s) must be one of the following: ${flags.map(([n]) => n).join(', ')}`);
      const error = validate(value);
      if (error) throw new ConfigError(error);
      s.write(config, value);
    },
    rewrite(config, state, name) {
      const value = s.read(config);
      state.rewriteLine(name, `${name} ${nameOf(value)}`, value !== fallback);
    },
  };
}

const SHUTDOWN_FLAGS: [string, number][] = [
  ['default', 0],
  ['save', 1],
  ['nosave', 2],
  ['now', 4],
  ['force', 8],
];
const validShutdownFlags = (value: number) => ((value & 3) === 3 ? "shutdown options SAVE and NOSAVE can't be used simultaneously" : null);

/** The listed names mean 0, 1, 2, ... */
function names(...list: string[]): [string, number][] {
  return list.map((n, i) => [n, i]);
}

type NumericType = 'int' | 'uint' | 'long' | 'ulong' | 'llong' | 'ullong' | 'sizet' | 'ssizet' | 'timet' | 'offt';
type NumericFormat = 'integer' | 'memory' | 'memory-percent' | 'octal';
const UNSIGNED = new Set<NumericType>(['ullong', 'uint', 'sizet']);

function numeric(common: Common, type: NumericType, lower: bigint, upper: bigint, fallback: bigint, format: NumericFormat = 'integer', slot?: Slot<bigint>, clamp?: [bigint, bigint]): Parameter {
  const s = slot ?? kept(common.name, fallback);
  const memory = format === 'memory' || format === 'memory-percent';
  const percent = format === 'memory-percent';
  const octal = format === 'octal';
  function parse(value: string): bigint {
    if (memory) {
      const n = memtoull(value);
      if (n !== null) return BigInt.asIntN(64, n);
    }
    if (percent && value.length > 1 && value.endsWith('%')) {
      const n = string2ll(value.slice(0, -1));
      if (n !== null && n >= 0n) return -n; // stored negative, as Redis does
    }
    if (octal) {
      const n = strtollWhole(value, 8);
      if (n !== null) return n;
    }
    if (format === 'integer') {
      const n = string2ll(value);
      if (n !== null) return n;
    }
    if (percent) throw new ConfigError('argument must be a memory or percent value');
    if (memory) throw new ConfigError('argument must be a memory value');
    if (octal) throw new ConfigError("argument couldn't be parsed as an octal number");
    throw new ConfigError("argument couldn't be parsed into an integer");
  }
  function check(n: bigint): void {
    if (UNSIGNED.has(type)) {
      const u = BigInt.asUintN(64, n);
      if (u > upper || u < lower) {
        const show = (v: bigint) => (octal ? v.toString(8) : String(v));
        throw new ConfigError(`argument must be between ${show(lower)} and ${show(upper)} inclusive`);
      }
    } else if (percent && n < 0n) {
      if (n < lower) throw new ConfigError(`percentage argument must be less or equal to ${-lower}`);
    } else if (n > upper || n < lower) {
      throw new ConfigError(`argument must be between ${lower} and ${upper} inclusive`);
    }
  }
  const show = (n: bigint) => {
    if (percent && n < 0n) return `${-n}%`;
    if (memory) return String(BigInt.asUintN(64, n));
    if (octal) return n.toString(8);
    return String(n);
  };
  return {
    ...base(common),
    get: (config) => show(s.read(config)),
    set(config, [value]) {
      let n = parse(value);
      check(n);
      if (UNSIGNED.has(type)) n = BigInt.asUintN(64, n);
      if (clamp) n = n < clamp[0] ? clamp[0] : n > clamp[1] ? clamp[1] : n;
      s.write(config, n);
    },
    rewrite(config, state, name) {
      const n = s.read(config);
      let text: string;
      if (percent && n < 0n) text = `${-n}%`;
      else if (memory) text = formatMemory(n);
      else if (octal) text = n.toString(8);
      else text = String(n);
      state.rewriteLine(name, `${name} ${text}`, n !== fallback);
    },
  };
}

// ---- special parameters ----

/** notify.c keyspaceEventsStringToFlags / FlagsToString, on the canonical string form. */
const NOTIFY_CLASSES = 'g$lshzxetdn';
const NOTIFY_ALL = 'g$lshzxetd';

/** The canonical form of a notify-keyspace-events value ("KEA" -> "AKE"), or null if invalid. */
export function canonicalKeyspaceEvents(classes: string): string | null {
  const seen = new Set<string>();
  for (const ch of classes) {
    if (ch === 'A') for (const c of NOTIFY_ALL) seen.add(c);
    else if ('g$lshzxeKEtmdn'.includes(ch)) seen.add(ch);
    else return null;
  }
  let out = '';
  if ([...NOTIFY_ALL].every((c) => seen.has(c))) out = 'A' + (seen.has('n') ? 'n' : '');
  else for (const c of NOTIFY_CLASSES) if (seen.has(c)) out += c;
  for (const c of 'KEm') if (seen.has(c)) out += c;
  return out;
}

interface ObufLimit {
  hard: bigint;
  soft: bigint;
  seconds: bigint;
}
const OBUF_CLASSES = ['normal', 'slave', 'pubsub'] as const;
const OBUF_DEFAULTS: ObufLimit[] = [
  { hard: 0n, soft: 0n, seconds: 0n },
  { hard: 268435456n, soft: 67108864n, seconds: 60n },
  { hard: 33554432n, soft: 8388608n, seconds: 60n },
];

const DEFAULT_SAVE: [bigint, bigint][] = [
  [3600n, 1n],
  [300n, 100n],
  [60n, 10000n],
];

function special(common: Common, impl: Pick<Parameter, 'get' | 'set' | 'rewrite'>): Parameter {
  return { ...base(common), ...impl };
}

/** sprintf("%f") then trimDoubleString: 99.9 -> "99.9", 50 -> "50". */
function formatPercentile(p: number): string {
  let s = p.toFixed(6);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

const FLOAT_SYNTAX = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf|infinity)$/i;

/** proc-title-template: only known {variables}, and not blank once expanded. */
function validProcTitleTemplate(template: string): boolean {
  const variables = new Set(['title', 'listen-addr', 'server-mode', 'port', 'tls-port', 'unixsocket', 'config-file']);
  let expanded = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch === '{' && template[i + 1] === '{') {
      expanded += '{';
      i++;
    } else if (ch === '}' && template[i + 1] === '}') {
      expanded += '}';
      i++;
    } else if (ch === '{') {
      const end = template.indexOf('}', i);
      if (end < 0 || !variables.has(template.slice(i + 1, end))) return false;
      expanded += template.slice(i + 1, end) === 'title' ? '' : 'x';
      i = end;
    } else if (ch === '}') return false;
    else expanded += ch;
  }
  return expanded.trim() !== '';
}

function hostname(value: string): string | null {
  if (value.length >= 256) return 'Hostnames must be less than 256 characters';
  if (!/^[A-Za-z0-9.-]*$/.test(value)) return 'Hostnames may only contain alphanumeric characters, hyphens or dots';
  return null;
}

const isBaseName = (value: string) => !value.includes('/');

/** C strerror for the errno names Node reports. */
export function strerror(error: unknown): string {
  const messages: Record<string, string> = {
    ENOENT: 'No such file or directory',
    EACCES: 'Permission denied',
    EPERM: 'Operation not permitted',
    ENOTDIR: 'Not a directory',
    EISDIR: 'Is a directory',
    EROFS: 'Read-only file system',
    ENOSPC: 'No space left on device',
    EEXIST: 'File exists',
    EIO: 'Input/output error',
    ENAMETOOLONG: 'File name too long',
  };
  const code = (error as NodeJS.ErrnoException)?.code;
  return (code && messages[code]) || (error as Error)?.message || String(error);
}

// appendonly / appendfsync are views of VelocityDB's durability mode.
const FSYNC_PREFERENCE = 'appendfsync';

function fsyncPreference(config: Config): number {
  return (config.settings.get(FSYNC_PREFERENCE) as number | undefined) ?? 0; // everysec
}

/** The durability a non-none mode should take for an appendfsync value (everysec, always, no). */
function durabilityFor(fsync: number, current: Durability): Durability {
  if (fsync === 1) return current === 'always' || current === 'adaptive' ? current : 'adaptive';
  return 'everysec';
}

const latencyTrackingSlot: Slot<boolean> = {
  read: (config) => config.latencyTracking,
  write: (config, on) => void (config.latencyTracking = on),
};

const appendonlySlot: Slot<boolean> = {
  read: (config) => config.durability !== 'none',
  write(config, on) {
    if (!on) config.durability = 'none';
    else if (config.durability === 'none') config.durability = durabilityFor(fsyncPreference(config), 'none');
  },
};

const appendfsyncSlot: Slot<number> = {
  read(config) {
    if (config.durability === 'none') return fsyncPreference(config);
    return config.durability === 'everysec' ? 0 : 1;
  },
  write(config, value) {
    config.settings.set(FSYNC_PREFERENCE, value);
    if (config.durability !== 'none') config.durability = durabilityFor(value, config.durability);
  },
};

const LOGLEVELS = ['debug', 'verbose', 'notice', 'warning'] as const;

const PROTECTED_ACTION = names('no', 'yes', 'local');

// ---- the table, in config.c's order ----

export const parameters: Parameter[] = [
  // Bool configs
  bool({ name: 'rdbchecksum', flags: IMMUTABLE }, true),
  bool({ name: 'daemonize', flags: IMMUTABLE }, false),
  bool({ name: 'io-threads-do-reads', flags: IMMUTABLE }, false),
  bool({ name: 'always-show-logo', flags: IMMUTABLE }, false),
  bool({ name: 'protected-mode' }, true),
  bool({ name: 'rdbcompression' }, true),
  bool({ name: 'rdb-del-sync-files' }, false),
  bool({ name: 'activerehashing' }, true),
  bool({ name: 'stop-writes-on-bgsave-error' }, true),
  bool({ name: 'set-proc-title', flags: IMMUTABLE }, true),
  bool({ name: 'dynamic-hz' }, true),
  bool({ name: 'lazyfree-lazy-eviction' }, false),
  bool({ name: 'lazyfree-lazy-expire' }, false),
  bool({ name: 'lazyfree-lazy-server-del' }, false),
  bool({ name: 'lazyfree-lazy-user-del' }, false),
  bool({ name: 'lazyfree-lazy-user-flush' }, false),
  bool({ name: 'repl-disable-tcp-nodelay' }, false),
  bool({ name: 'repl-diskless-sync' }, true),
  bool({ name: 'aof-rewrite-incremental-fsync' }, true),
  bool({ name: 'no-appendfsync-on-rewrite' }, false),
  bool({ name: 'cluster-require-full-coverage' }, true),
  bool({ name: 'rdb-save-incremental-fsync' }, true),
  bool({ name: 'aof-load-truncated' }, true),
  bool({ name: 'aof-use-rdb-preamble' }, true),
  bool({ name: 'aof-timestamp-enabled' }, false),
  bool({ name: 'cluster-replica-no-failover', alias: 'cluster-slave-no-failover' }, false),
  bool({ name: 'replica-lazy-flush', alias: 'slave-lazy-flush' }, false),
  bool({ name: 'replica-serve-stale-data', alias: 'slave-serve-stale-data' }, true),
  bool({ name: 'replica-read-only', alias: 'slave-read-only' }, true),
  bool({ name: 'replica-ignore-maxmemory', alias: 'slave-ignore-maxmemory' }, true),
  bool({ name: 'jemalloc-bg-thread' }, true),
  bool({ name: 'activedefrag' }, false),
  bool({ name: 'syslog-enabled', flags: IMMUTABLE }, false),
  bool({ name: 'cluster-enabled', flags: IMMUTABLE }, false),
  bool({ name: 'appendonly', apply: 'durability' }, false, appendonlySlot),
  bool({ name: 'cluster-allow-reads-when-down' }, false),
  bool({ name: 'cluster-allow-pubsubshard-when-down' }, true),
  bool({ name: 'crash-log-enabled' }, true),
  bool({ name: 'crash-memcheck-enabled' }, true),
  bool({ name: 'use-exit-on-panic', flags: HIDDEN }, false),
  bool({ name: 'disable-thp', flags: IMMUTABLE }, true),
  bool({ name: 'cluster-allow-replica-migration' }, true),
  bool({ name: 'replica-announced' }, true),
  bool({ name: 'latency-tracking' }, true, latencyTrackingSlot),
  bool({ name: 'aof-disable-auto-gc' }, false),
  bool({ name: 'replica-ignore-disk-write-errors' }, false),

  // String configs
  string({ name: 'aclfile', flags: IMMUTABLE }, { fallback: '' }),
  string({ name: 'unixsocket', flags: IMMUTABLE }, { emptyIsNull: true }),
  string({ name: 'pidfile', flags: IMMUTABLE }, { emptyIsNull: true }),
  string({ name: 'replica-announce-ip', alias: 'slave-announce-ip' }, { emptyIsNull: true }),
  string({ name: 'masteruser' }, { emptyIsNull: true }),
  string({ name: 'cluster-announce-ip' }, { emptyIsNull: true }),
  string({ name: 'cluster-config-file', flags: IMMUTABLE }, { fallback: 'nodes.conf' }),
  string({ name: 'cluster-announce-hostname' }, { emptyIsNull: true, validate: hostname }),
  string({ name: 'syslog-ident', flags: IMMUTABLE }, { fallback: 'redis' }),
  string(
    { name: 'dbfilename', flags: PROTECTED },
    { fallback: 'dump.rdb', validate: (v) => (isBaseName(v) ? null : "dbfilename can't be a path, just a filename") },
  ),
  string(
    { name: 'appendfilename', flags: IMMUTABLE },
    {
      fallback: 'appendonly.aof',
      validate: (v) => (v === '' ? "appendfilename can't be empty" : isBaseName(v) ? null : "appendfilename can't be a path, just a filename"),
    },
  ),
  string(
    { name: 'appenddirname', flags: IMMUTABLE },
    {
      fallback: 'appendonlydir',
      validate: (v) => (v === '' ? "appenddirname can't be empty" : isBaseName(v) ? null : "appenddirname can't be a path, just a dirname"),
    },
  ),
  string({ name: 'server_cpulist', flags: IMMUTABLE }, { emptyIsNull: true }),
  string({ name: 'bio_cpulist', flags: IMMUTABLE }, { emptyIsNull: true }),
  string({ name: 'aof_rewrite_cpulist', flags: IMMUTABLE }, { emptyIsNull: true }),
  string({ name: 'bgsave_cpulist', flags: IMMUTABLE }, { emptyIsNull: true }),
  string({ name: 'ignore-warnings' }, { fallback: '' }),
  string(
    { name: 'proc-title-template' },
    {
      fallback: '{title} {listen-addr} {server-mode}',
      validate: (v) => (validProcTitleTemplate(v) ? null : 'template format is invalid or contains unknown variables'),
    },
  ),
  string({ name: 'bind-source-addr' }, { emptyIsNull: true }),
  string({ name: 'logfile', flags: IMMUTABLE }, { fallback: '' }),

  // SDS configs
  string({ name: 'masterauth' }, { emptyIsNull: true }),
  string(
    { name: 'requirepass' },
    {
      emptyIsNull: true,
      slot: { read: (config) => config.requirepass, write: (config, value) => void (config.requirepass = value) },
    },
  ),

  // Enum configs
  enumeration({ name: 'supervised', flags: IMMUTABLE }, names('upstart', 'systemd', 'auto', 'no'), 3),
  enumeration({ name: 'syslog-facility', flags: IMMUTABLE }, names('user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'), 1),
  enumeration({ name: 'repl-diskless-load' }, names('disabled', 'on-empty-db', 'swapdb'), 0),
  enumeration({ name: 'loglevel' }, names(...LOGLEVELS), 2, {
    read: (config) => LOGLEVELS.indexOf(config.logLevel),
    write: (config, value) => void (config.logLevel = LOGLEVELS[value]),
  }),
  enumeration(
    { name: 'maxmemory-policy' },
    names('volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'),
    7,
  ),
  enumeration({ name: 'appendfsync', apply: 'durability' }, names('everysec', 'always', 'no'), 0, appendfsyncSlot),
  enumeration(
    { name: 'oom-score-adj' },
    [
      ['no', 0],
      ['yes', 1],
      ['relative', 1],
      ['absolute', 2],
    ],
    0,
  ),
  enumeration(
    { name: 'acl-pubsub-default' },
    [
      ['allchannels', 1],
      ['resetchannels', 0],
    ],
    0,
  ),
  enumeration({ name: 'sanitize-dump-payload' }, names('no', 'yes', 'clients'), 0),
  enumeration({ name: 'enable-protected-configs', flags: IMMUTABLE }, PROTECTED_ACTION, 0),
  enumeration({ name: 'enable-debug-command', flags: IMMUTABLE }, PROTECTED_ACTION, 0),
  enumeration({ name: 'enable-module-command', flags: IMMUTABLE }, PROTECTED_ACTION, 0),
  enumeration({ name: 'cluster-preferred-endpoint-type' }, names('ip', 'hostname', 'unknown-endpoint'), 0),
  enumeration({ name: 'propagation-error-behavior' }, names('ignore', 'panic', 'panic-on-replicas'), 0),
  flagsEnumeration({ name: 'shutdown-on-sigint' }, SHUTDOWN_FLAGS, 0, validShutdownFlags),
  flagsEnumeration({ name: 'shutdown-on-sigterm' }, SHUTDOWN_FLAGS, 0, validShutdownFlags),

  // Integer configs
  numeric({ name: 'databases', flags: IMMUTABLE }, 'int', 1n, INT_MAX, 16n, 'integer', numberField('databases')),
  numeric({ name: 'port', apply: 'listen' }, 'int', 0n, 65535n, 6379n, 'integer', numberField('port')),
  numeric({ name: 'io-threads', flags: IMMUTABLE }, 'int', 1n, 128n, 1n),
  numeric({ name: 'auto-aof-rewrite-percentage' }, 'int', 0n, INT_MAX, 100n),
  numeric({ name: 'cluster-replica-validity-factor', alias: 'cluster-slave-validity-factor' }, 'int', 0n, INT_MAX, 10n),
  numeric({ name: 'list-max-listpack-size', alias: 'list-max-ziplist-size' }, 'int', INT_MIN, INT_MAX, -2n),
  numeric({ name: 'tcp-keepalive' }, 'int', 0n, INT_MAX, 300n),
  numeric({ name: 'cluster-migration-barrier' }, 'int', 0n, INT_MAX, 1n),
  numeric({ name: 'active-defrag-cycle-min' }, 'int', 1n, 99n, 1n),
  numeric({ name: 'active-defrag-cycle-max' }, 'int', 1n, 99n, 25n),
  numeric({ name: 'active-defrag-threshold-lower' }, 'int', 0n, 1000n, 10n),
  numeric({ name: 'active-defrag-threshold-upper' }, 'int', 0n, 1000n, 100n),
  numeric({ name: 'lfu-log-factor' }, 'int', 0n, INT_MAX, 10n),
  numeric({ name: 'lfu-decay-time' }, 'int', 0n, INT_MAX, 1n),
  numeric({ name: 'replica-priority', alias: 'slave-priority' }, 'int', 0n, INT_MAX, 100n),
  numeric({ name: 'repl-diskless-sync-delay' }, 'int', 0n, INT_MAX, 5n),
  numeric({ name: 'maxmemory-samples' }, 'int', 1n, INT_MAX, 5n),
  numeric({ name: 'maxmemory-eviction-tenacity' }, 'int', 0n, 100n, 10n),
  numeric({ name: 'timeout' }, 'int', 0n, INT_MAX, 0n),
  numeric({ name: 'replica-announce-port', alias: 'slave-announce-port' }, 'int', 0n, 65535n, 0n),
  numeric({ name: 'tcp-backlog', flags: IMMUTABLE }, 'int', 0n, INT_MAX, 511n),
  numeric({ name: 'cluster-port', flags: IMMUTABLE }, 'int', 0n, 65535n, 0n),
  numeric({ name: 'cluster-announce-bus-port' }, 'int', 0n, 65535n, 0n),
  numeric({ name: 'cluster-announce-port' }, 'int', 0n, 65535n, 0n),
  numeric({ name: 'cluster-announce-tls-port' }, 'int', 0n, 65535n, 0n),
  numeric({ name: 'repl-timeout' }, 'int', 1n, INT_MAX, 60n),
  numeric({ name: 'repl-ping-replica-period', alias: 'repl-ping-slave-period' }, 'int', 1n, INT_MAX, 10n),
  numeric({ name: 'list-compress-depth' }, 'int', 0n, INT_MAX, 0n),
  numeric({ name: 'rdb-key-save-delay', flags: HIDDEN }, 'int', INT_MIN, INT_MAX, 0n),
  numeric({ name: 'key-load-delay', flags: HIDDEN }, 'int', INT_MIN, INT_MAX, 0n),
  numeric({ name: 'active-expire-effort' }, 'int', 1n, 10n, 1n),
  // hz: values out of range are accepted and capped (CONFIG_MIN_HZ 1, CONFIG_MAX_HZ 500).
  numeric({ name: 'hz', apply: 'hz' }, 'int', 0n, INT_MAX, 10n, 'integer', numberField('hz'), [1n, 500n]),
  numeric({ name: 'min-replicas-to-write', alias: 'min-slaves-to-write' }, 'int', 0n, INT_MAX, 0n),
  numeric({ name: 'min-replicas-max-lag', alias: 'min-slaves-max-lag' }, 'int', 0n, INT_MAX, 10n),
  numeric({ name: 'watchdog-period', flags: HIDDEN }, 'int', 0n, INT_MAX, 0n),
  numeric({ name: 'shutdown-timeout' }, 'int', 0n, INT_MAX, 10n),
  numeric({ name: 'repl-diskless-sync-max-replicas' }, 'int', 0n, INT_MAX, 0n),

  // Unsigned int configs
  numeric({ name: 'maxclients' }, 'uint', 1n, UINT_MAX, 10000n, 'integer', numberField('maxclients')),
  numeric({ name: 'unixsocketperm', flags: IMMUTABLE }, 'uint', 0n, 0o777n, 0n, 'octal'),
  numeric({ name: 'socket-mark-id', flags: IMMUTABLE }, 'uint', 0n, UINT_MAX, 0n),

  // Unsigned long configs
  numeric({ name: 'active-defrag-max-scan-fields' }, 'ulong', 1n, LLONG_MAX, 1000n),
  numeric({ name: 'slowlog-max-len' }, 'ulong', 0n, LLONG_MAX, 128n),
  numeric({ name: 'acllog-max-len' }, 'ulong', 0n, LLONG_MAX, 128n),

  // Long long configs
  numeric({ name: 'busy-reply-threshold', alias: 'lua-time-limit' }, 'llong', 0n, LLONG_MAX, 5000n),
  numeric({ name: 'cluster-node-timeout' }, 'llong', 0n, LLONG_MAX, 15000n),
  numeric({ name: 'slowlog-log-slower-than' }, 'llong', -1n, LLONG_MAX, 10000n),
  numeric({ name: 'latency-monitor-threshold' }, 'llong', 0n, LLONG_MAX, 0n),
  numeric(
    { name: 'proto-max-bulk-len', apply: 'proto-max-bulk-len' },
    'llong',
    1024n * 1024n,
    LLONG_MAX,
    512n * 1024n * 1024n,
    'memory',
    numberField('protoMaxBulkLen'),
  ),
  numeric({ name: 'stream-node-max-entries' }, 'llong', 0n, LLONG_MAX, 100n),
  numeric({ name: 'repl-backlog-size' }, 'llong', 1n, LLONG_MAX, 1024n * 1024n, 'memory'),

  // Unsigned long long configs
  numeric({ name: 'maxmemory' }, 'ullong', 0n, ULLONG_MAX, 0n, 'memory'),
  numeric({ name: 'cluster-link-sendbuf-limit' }, 'ullong', 0n, ULLONG_MAX, 0n, 'memory'),

  // Size_t configs
  numeric({ name: 'hash-max-listpack-entries', alias: 'hash-max-ziplist-entries' }, 'sizet', 0n, LLONG_MAX, 512n),
  numeric({ name: 'set-max-intset-entries' }, 'sizet', 0n, LLONG_MAX, 512n),
  numeric({ name: 'zset-max-listpack-entries', alias: 'zset-max-ziplist-entries' }, 'sizet', 0n, LLONG_MAX, 128n),
  numeric({ name: 'active-defrag-ignore-bytes' }, 'sizet', 1n, LLONG_MAX, 100n << 20n, 'memory'),
  numeric({ name: 'hash-max-listpack-value', alias: 'hash-max-ziplist-value' }, 'sizet', 0n, LLONG_MAX, 64n, 'memory'),
  numeric({ name: 'stream-node-max-bytes' }, 'sizet', 0n, LLONG_MAX, 4096n, 'memory'),
  numeric({ name: 'zset-max-listpack-value', alias: 'zset-max-ziplist-value' }, 'sizet', 0n, LLONG_MAX, 64n, 'memory'),
  numeric({ name: 'hll-sparse-max-bytes' }, 'sizet', 0n, LLONG_MAX, 3000n, 'memory'),
  numeric({ name: 'tracking-table-max-keys' }, 'sizet', 0n, LLONG_MAX, 1000000n),
  numeric({ name: 'client-query-buffer-limit' }, 'sizet', 1024n * 1024n, LLONG_MAX, 1024n * 1024n * 1024n, 'memory'),
  numeric({ name: 'maxmemory-clients' }, 'ssizet', -100n, LLONG_MAX, 0n, 'memory-percent'),

  // Other configs
  numeric({ name: 'repl-backlog-ttl' }, 'timet', 0n, LLONG_MAX, 3600n),
  numeric({ name: 'auto-aof-rewrite-min-size' }, 'offt', 0n, LLONG_MAX, 64n * 1024n * 1024n, 'memory'),
  numeric({ name: 'loading-process-events-interval-bytes', flags: HIDDEN }, 'offt', 1024n, INT_MAX, 2n * 1024n * 1024n),

  // TLS (Debian's redis-server is built with it)
  numeric({ name: 'tls-port' }, 'int', 0n, 65535n, 0n),
  numeric({ name: 'tls-session-cache-size' }, 'int', 0n, INT_MAX, 20n * 1024n),
  numeric({ name: 'tls-session-cache-timeout' }, 'int', 0n, INT_MAX, 300n),
  bool({ name: 'tls-cluster' }, false),
  bool({ name: 'tls-replication' }, false),
  enumeration({ name: 'tls-auth-clients' }, names('no', 'yes', 'optional'), 1),
  bool({ name: 'tls-prefer-server-ciphers' }, false),
  bool({ name: 'tls-session-caching' }, true),
  string({ name: 'tls-cert-file' }, { emptyIsNull: true }),
  string({ name: 'tls-key-file' }, { emptyIsNull: true }),
  string({ name: 'tls-key-file-pass' }, { emptyIsNull: true }),
  string({ name: 'tls-client-cert-file' }, { emptyIsNull: true }),
  string({ name: 'tls-client-key-file' }, { emptyIsNull: true }),
  string({ name: 'tls-client-key-file-pass' }, { emptyIsNull: true }),
  string({ name: 'tls-dh-params-file' }, { emptyIsNull: true }),
  string({ name: 'tls-ca-cert-file' }, { emptyIsNull: true }),
  string({ name: 'tls-ca-cert-dir' }, { emptyIsNull: true }),
  string({ name: 'tls-protocols' }, { emptyIsNull: true }),
  string({ name: 'tls-ciphers' }, { emptyIsNull: true }),
  string({ name: 'tls-ciphersuites' }, { emptyIsNull: true }),

  // Special configs
  special({ name: 'dir', flags: PROTECTED }, {
    get: (config) => path.resolve(config.dir),
    set(config, args, loading) {
      if (args.length !== 1) throw new ConfigError('wrong number of arguments');
      // Redis chdir()s there; the log directory is created at start, so a
      // config file may name one that does not exist yet.
      if (!loading) {
        try {
          if (!statSync(args[0]).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
        } catch (error) {
          throw new ConfigError(strerror(error));
        }
      }
      config.dir = args[0];
    },
    rewrite(config, state, name) {
      state.rewriteLine(name, `${name} ${quoteRepr(path.resolve(config.dir))}`, true);
    },
  }),
  special({ name: 'save', flags: MULTI_ARG }, {
    get: (config) => saveSlot.read(config).map(([s, c]) => `${s} ${c}`).join(' '),
    set(config, args, loading) {
      const words = args.length === 1 && args[0] === '' ? [] : args;
      if (words.length % 2 !== 0) throw new ConfigError('Invalid save parameters');
      const pairs: [bigint, bigint][] = [];
      for (let j = 0; j < words.length; j++) {
        const n = strtollSaturating(words[j]);
        if (n === null || (j % 2 === 0 && n < 1n) || (j % 2 === 1 && n < 0n)) throw new ConfigError('Invalid save parameters');
        if (j % 2 === 1) pairs.push([BigInt.asIntN(64, strtollSaturating(words[j - 1]) as bigint), BigInt.asIntN(32, n)]);
      }
      // Reading a file, the first save line replaces the defaults and later ones add.
      if (loading && loading.saveLoaded) saveSlot.write(config, [...saveSlot.read(config), ...pairs]);
      else saveSlot.write(config, pairs);
      if (loading) loading.saveLoaded = true;
    },
    rewrite(config, state, name) {
      const pairs = saveSlot.read(config);
      if (pairs.length === 0) state.rewriteLine(name, 'save ""', true);
      for (const [seconds, changes] of pairs) state.rewriteLine(name, `save ${seconds} ${changes}`, true);
      state.markProcessed(name);
    },
  }),
  special({ name: 'client-output-buffer-limit', flags: MULTI_ARG }, {
    get: (config) =>
      obufSlot
        .read(config)
        .map((l, i) => `${OBUF_CLASSES[i]} ${l.hard} ${l.soft} ${l.seconds}`)
        .join(' '),
    set(config, args) {
      if (args.length % 4 !== 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
      const limits = [...obufSlot.read(config)];
      const updates: [number, ObufLimit][] = [];
      for (let j = 0; j < args.length; j += 4) {
        const name = args[j].toLowerCase();
        const cls = name === 'normal' ? 0 : name === 'slave' || name === 'replica' ? 1 : name === 'pubsub' ? 2 : -1;
        if (cls < 0) throw new ConfigError('Invalid client class specified in buffer limit configuration.');
        const hard = memtoull(args[j + 1]);
        const soft = memtoull(args[j + 2]);
        const seconds = strtollSaturating(args[j + 3]);
        if (hard === null || soft === null || seconds === null || seconds < 0n) {
          throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
        }
        updates.push([cls, { hard, soft, seconds: BigInt.asIntN(32, seconds) }]);
      }
      for (const [cls, limit] of updates) limits[cls] = limit;
      obufSlot.write(config, limits);
    },
    rewrite(config, state, name) {
      obufSlot.read(config).forEach((l, i) => {
        const d = OBUF_DEFAULTS[i];
        const force = l.hard !== d.hard || l.soft !== d.soft || l.seconds !== d.seconds;
        const cls = i === 1 ? 'replica' : OBUF_CLASSES[i];
        state.rewriteLine(name, `${name} ${cls} ${formatMemory(l.hard)} ${formatMemory(l.soft)} ${l.seconds}`, force);
      });
    },
  }),
  special({ name: 'oom-score-adj-values', flags: MULTI_ARG }, {
    get: (config) => oomSlot.read(config).join(' '),
    set(config, args) {
      if (args.length !== 3) throw new ConfigError('wrong number of arguments');
      const values = args.map((a) => {
        const n = strtollSaturating(a);
        if (n === null || n < -2000n || n > 2000n) throw new ConfigError('Invalid oom-score-adj-values, elements must be between -2000 and 2000.');
        return Number(n);
      });
      oomSlot.write(config, values);
    },
    rewrite(config, state, name) {
      const values = oomSlot.read(config);
      state.rewriteLine(name, `${name} ${values.join(' ')}`, values.join(' ') !== '0 200 800');
    },
  }),
  special({ name: 'notify-keyspace-events' }, {
    // With every class ('A'), Redis does not show the 'n' class (it still applies).
    get: (config) => config.notifyKeyspaceEvents.replace(/^An/, 'A'),
    set(config, args) {
      if (args.length !== 1) throw new ConfigError('wrong number of arguments');
      const canonical = canonicalKeyspaceEvents(args[0]);
      if (canonical === null) throw new ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
      config.notifyKeyspaceEvents = canonical;
    },
    rewrite(config, state, name) {
      const value = config.notifyKeyspaceEvents.replace(/^An/, 'A');
      state.rewriteLine(name, `${name} ${quoteRepr(value)}`, value !== '');
    },
  }),
  special({ name: 'bind', flags: MULTI_ARG, apply: 'listen' }, {
    get: (config) => config.bind,
    set(config, args) {
      if (args.length > 16) throw new ConfigError('Too many bind addresses specified.');
      config.bind = args.length === 1 && args[0] === '' ? '' : args.join(' ');
    },
    rewrite(config, state, name) {
      if (config.bind === '* -::*') state.markProcessed(name);
      else state.rewriteLine(name, `${name} ${config.bind === '' ? '""' : config.bind}`, true);
    },
  }),
  special({ name: 'replicaof', alias: 'slaveof', flags: IMMUTABLE | MULTI_ARG }, {
    get: (config) => replicaofSlot.read(config),
    set(config, args) {
      if (args.length !== 2) throw new ConfigError('wrong number of arguments');
      if (args[0].toLowerCase() === 'no' && args[1].toLowerCase() === 'one') {
        replicaofSlot.write(config, '');
        return;
      }
      const port = /^[ \t\n\v\f\r]*[+-]?\d*$/.test(args[1]) ? Number(args[1].trim() || '0') : NaN;
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('Invalid master port');
      replicaofSlot.write(config, `${args[0]} ${port}`);
    },
    rewrite(config, state, name) {
      const value = replicaofSlot.read(config);
      if (value === '') state.markProcessed(name);
      else state.rewriteLine(name, `${name} ${value}`, true);
    },
  }),
  special({ name: 'latency-tracking-info-percentiles', flags: MULTI_ARG }, {
    get: (config) => percentilesSlot.read(config).map(formatPercentile).join(' '),
    set(config, args) {
      const words = args.length === 1 && args[0] === '' ? [] : args;
      const values = words.map((w) => {
        // string2d: strtod over the whole word, no leading space, no NaN, no overflow.
        if (!FLOAT_SYNTAX.test(w)) throw new ConfigError('Invalid latency-tracking-info-percentiles parameters');
        const lower = w.toLowerCase();
        const p = lower.endsWith('inf') || lower.endsWith('infinity') ? (lower.startsWith('-') ? -Infinity : Infinity) : Number(w);
        if (!lower.includes('inf') && !Number.isFinite(p)) throw new ConfigError('Invalid latency-tracking-info-percentiles parameters');
        if (p > 100 || p < 0) throw new ConfigError('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
        return p;
      });
      percentilesSlot.write(config, values);
    },
    rewrite(config, state, name) {
      const values = percentilesSlot.read(config);
      state.rewriteLine(name, values.length === 0 ? `${name} ""` : `${name} ${values.map(formatPercentile).join(' ')}`, true);
    },
  }),

  // VelocityDB's own
  special({ name: 'durability', apply: 'durability' }, {
    get: (config) => config.durability,
    set(config, [value]) {
      const mode = value.toLowerCase() as Durability;
      if (!DURABILITY_MODES.includes(mode)) throw new ConfigError(`argument(s) must be one of the following: ${DURABILITY_MODES.join(', ')}`);
      config.durability = mode;
    },
    rewrite(config, state, name) {
      state.rewriteLine(name, `${name} ${config.durability}`, config.durability !== 'adaptive');
    },
  }),
  numeric({ name: 'wal-batch-max', apply: 'durability' }, 'int', 0n, INT_MAX, 128n, 'integer', numberField('batchMax')),
  numeric({ name: 'wal-fsync-concurrency', apply: 'durability' }, 'int', 1n, 1024n, BigInt(DEFAULT_FSYNC_CONCURRENCY), 'integer', numberField('fsyncConcurrency')),
];

const saveSlot = kept<[bigint, bigint][]>('save', DEFAULT_SAVE);
const obufSlot = kept<ObufLimit[]>('client-output-buffer-limit', OBUF_DEFAULTS);
const oomSlot = kept<number[]>('oom-score-adj-values', [0, 200, 800]);
const replicaofSlot = kept<string>('replicaof', '');
const percentilesSlot = kept<number[]>('latency-tracking-info-percentiles', [50, 99, 99.9]);

/** Every name CONFIG GET knows: primary names and aliases (an alias entry reports its own name). */
const byName = new Map<string, Parameter>();
for (const p of parameters) {
  byName.set(p.name, p);
  if (p.alias) byName.set(p.alias, { ...p, name: p.alias, alias: p.name });
}

/** The parameter under this name or alias, case-insensitively. */
export function findParameter(name: string): Parameter | undefined {
  return byName.get(name.toLowerCase());
}

/** Every (name, parameter) pair, aliases included, for CONFIG GET patterns. */
export function allParameterNames(): IterableIterator<[string, Parameter]> {
  return byName.entries();
}

/** The value CONFIG GET reports for a parameter (e.g. 'maxmemory-policy'); throws on unknown names. */
export function configValue(config: Config, name: string): string {
  const parameter = findParameter(name);
  if (!parameter) throw new Error(`no config parameter '${name}'`);
  return parameter.get(config);
}

/** CONFIG GET: the matching parameters as [name, value], each once. */
export function configGet(config: Config, patterns: string[]): [string, string][] {
  const matches = new Map<string, [string, Parameter]>();
  for (const pattern of patterns) {
    if (!/[[*?]/.test(pattern)) {
      const key = pattern.toLowerCase();
      const parameter = byName.get(key);
      if (parameter && !matches.has(key)) matches.set(key, [pattern, parameter]);
      continue;
    }
    for (const [name, parameter] of byName) {
      if (parameter.hidden || matches.has(name)) continue;
      if (globMatch(pattern, name, true)) matches.set(name, [name, parameter]);
    }
  }
  return [...matches.values()].map(([name, parameter]) => [name, parameter.get(config)]);
}

/**
 * CONFIG SET: all pairs or none. Returns the parameters that were set (for
 * their `apply`); throws ConfigError with the complete error reply text.
 * allowProtected: whether enable-protected-configs lets this client set dir/dbfilename.
 */
export function configSet(config: Config, pairs: [string, string][], allowProtected: (config: Config) => boolean): Parameter[] {
  const chosen: Parameter[] = [];
  let invalid: string | null = null;
  for (const [name] of pairs) {
    const parameter = findParameter(name);
    if (!parameter) {
      invalid ??= `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
      continue;
    }
    if (invalid !== null) continue;
    let reason: string | null = null;
    if (parameter.immutable) reason = "can't set immutable config";
    else if (parameter.protected && !allowProtected(config)) reason = "can't set protected config";
    // An alias is its own entry, as in Redis: `slave-priority 1 replica-priority 2` is no duplicate.
    else if (chosen.includes(parameter)) reason = 'duplicate parameter';
    if (reason) invalid = `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
    chosen.push(parameter);
  }
  if (invalid !== null) throw new ConfigError(invalid);
  const backup = snapshot(config);
  for (let i = 0; i < chosen.length; i++) {
    const parameter = chosen[i];
    const value = pairs[i][1];
    try {
      parameter.set(config, parameter.multiArg ? value.split(' ') : [value]);
    } catch (error) {
      restore(config, backup);
      if (!(error instanceof ConfigError)) throw error;
      throw new ConfigError(`ERR CONFIG SET failed (possibly related to argument '${parameter.name}') - ${error.message}`);
    }
  }
  return chosen;
}

interface Snapshot {
  fields: Record<string, unknown>;
  settings: Map<string, unknown>;
}

function snapshot(config: Config): Snapshot {
  const { settings, ...fields } = config;
  return { fields, settings: new Map(settings) };
}

function restore(config: Config, backup: Snapshot): void {
  Object.assign(config, backup.fields);
  config.settings.clear();
  for (const [key, value] of backup.settings) config.settings.set(key, value);
}

/** Whether enable-protected-configs allows a client from `address` to set protected parameters. */
export function protectedAllowed(config: Config, address: string | undefined): boolean {
  const mode = configValue(config, 'enable-protected-configs');
  if (mode === 'yes') return true;
  if (mode !== 'local') return false;
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

// ---- redis.conf ----

/** Redis's fatal config error text (loadServerConfigFromString's loaderr). */
function fatal(lineNumber: number, line: string, reason: string): Error {
  return new Error(`\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\nReading the configuration file, at line ${lineNumber}\n>>> '${line}'\n${reason}`);
}

/** Config lines Redis 7.0 still accepts and ignores. */
const DEPRECATED = new Set(['list-max-ziplist-entries', 'list-max-ziplist-value', 'lua-replicate-commands']);

/** Files an include names: the path itself, or the matches of a glob (possibly none). */
function includedFiles(pattern: string): string[] {
  if (!/[*?[]/.test(pattern)) return [pattern];
  const dir = path.dirname(pattern);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries
    .filter((name) => globMatch(path.basename(pattern), name))
    .sort()
    .map((name) => path.join(dir, name));
}

function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'latin1');
  } catch (error) {
    throw new Error(`Fatal error, can't open config file '${file}': ${strerror(error)}`);
  }
}

/**
 * Reads redis.conf-style text into config, as Redis's loadServerConfigFromString.
 * Throws with Redis's FATAL CONFIG FILE ERROR text. Directives VelocityDB
 * cannot honour at all (replication, cluster mode, modules, renamed commands,
 * ACL users) are refused with an explanation rather than silently ignored;
 * ones it can run without (daemonize, supervised, TLS, unix socket) are kept
 * with a warning, passed to `warn`.
 */
export function applyConfigFile(config: Config, text: string, file = '', warn: (message: string) => void = (m) => process.stderr.write(`${m}\n`)): void {
  const state: LoadState = { saveLoaded: false, warnings: [] };
  loadText(config, text, state);
  if (config.hz < 1) config.hz = 1;
  if (config.hz > 500) config.hz = 500;
  const value = (name: string) => configValue(config, name);
  if (value('daemonize') === 'yes') state.warnings.push('daemonize yes is ignored: VelocityDB stays in the foreground (run it under systemd, or with nohup)');
  if (value('supervised') !== 'no') state.warnings.push(`supervised ${value('supervised')} is ignored: VelocityDB does not notify a supervisor`);
  if (value('tls-port') !== '0') state.warnings.push('tls-port is ignored: VelocityDB does not support TLS');
  if (value('unixsocket') !== '') state.warnings.push('unixsocket is ignored: VelocityDB listens on TCP only');
  for (const warning of state.warnings) warn(`Warning${file ? ` (${file})` : ''}: ${warning}`);
}

function loadText(config: Config, text: string, state: LoadState): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '' || line.startsWith('#')) continue;
    const fail = (reason: string) => fatal(i + 1, line, reason);
    const buf = Buffer.from(line, 'latin1');
    const argv = splitInlineArgs(buf, 0, buf.length)?.map((a) => a.toString('latin1'));
    if (!argv) throw fail('Unbalanced quotes in configuration line');
    if (argv.length === 0) continue;
    const name = argv[0].toLowerCase();
    const parameter = findParameter(name);
    if (parameter) {
      if (!parameter.multiArg && argv.length !== 2) throw fail('wrong number of arguments');
      try {
        parameter.set(config, argv.slice(1), state);
      } catch (error) {
        if (error instanceof ConfigError) throw fail(error.message);
        throw error;
      }
      if (parameter.name === 'replicaof' || parameter.name === 'slaveof') {
        if (parameter.get(config) !== '') throw fail('VelocityDB does not support replication: it can only run as a master (replicaof no one)');
      }
      if (parameter.name === 'cluster-enabled' && parameter.get(config) === 'yes') throw fail('VelocityDB does not support cluster mode');
      continue;
    }
    if (DEPRECATED.has(name) && argv.length === 2) continue;
    if (name === 'include' && argv.length === 2) {
      for (const included of includedFiles(argv[1])) loadText(config, readConfigFile(included), state);
    } else if (name === 'rename-command' && argv.length === 3) {
      renameCommand(config, argv[1].toLowerCase(), argv[2].toLowerCase(), fail);
    } else if (name === 'user' && argv.length >= 2) {
      applyUser(config, argv, fail);
    } else if (name === 'loadmodule' && argv.length >= 2) {
      throw fail('VelocityDB does not support modules');
    } else if (name.includes('.')) {
      throw fail(argv.length !== 2 ? 'Module config specified without value' : 'VelocityDB does not support modules');
    } else if (name === 'sentinel') {
      throw fail('sentinel directive while not in sentinel mode');
    } else {
      throw fail('Bad directive or wrong number of arguments');
    }
  }
}

/** rename-command, checked against Redis 7.0's command names (the server applies it to its table). */
function renameCommand(config: Config, from: string, to: string, fail: (reason: string) => Error): void {
  const names = new Set(Object.keys(commandDocs));
  for (const [a, b] of config.renamedCommands) {
    names.delete(a);
    if (b !== '') names.add(b);
  }
  if (!names.has(from)) throw fail('No such command in rename-command');
  names.delete(from);
  if (to !== '' && names.has(to)) throw fail('Target command name already exists');
  config.renamedCommands.push([from, to]);
}

/**
 * `user default ...`: VelocityDB has only the default user with every
 * permission; a declaration of exactly that (optionally with one password)
 * is honoured, anything else is refused.
 */
function applyUser(config: Config, argv: string[], fail: (reason: string) => Error): void {
  if (argv[1] !== 'default') throw fail(`Error in user declaration '${argv[1]}': VelocityDB supports only the default user`);
  const full = new Set(['on', '~*', '&*', '+@all', 'allkeys', 'allchannels', 'allcommands', 'reset', 'resetkeys', 'resetchannels', 'sanitize-payload', 'skip-sanitize-payload']);
  let password: string | null = null;
  for (const rule of argv.slice(2)) {
    if (rule === 'nopass') password = '';
    else if (rule.startsWith('>') && password === null) password = rule.slice(1);
    else if (!full.has(rule)) throw fail(`Error in user declaration '${rule}': VelocityDB supports only the default user with every permission, with no password or one plain-text password`);
  }
  config.requirepass = password ?? '';
}

// ---- CONFIG REWRITE ----

/**
 * Rewrites the config file with the current values, keeping comments, line
 * order and unknown lines as Redis does; the new file replaces the old one
 * atomically (temporary file, fsync, rename). Throws an Error whose message
 * is strerror's text.
 */
export function rewriteConfigFile(config: Config, file: string): void {
  let old = '';
  try {
    old = readFileSync(file, 'latin1');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(strerror(error));
  }
  const state = new RewriteState(old);
  for (const parameter of parameters) parameter.rewrite(config, state, parameter.name);
  state.markProcessed('user');
  state.markProcessed('loadmodule');
  const content = state.content();
  const tmp = `${file}.${randomBytes(3).toString('hex')}`;
  let written = false;
  try {
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      writeSync(fd, Buffer.from(content, 'latin1'));
      fsyncSync(fd);
      fchmodSync(fd, 0o644 & ~process.umask());
    } finally {
      closeSync(fd);
    }
    written = true;
    renameSync(tmp, file);
  } catch (error) {
    if (written || (error as NodeJS.ErrnoException).code !== 'EEXIST') {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing to clean up
      }
    }
    throw new Error(strerror(error));
  }
}
