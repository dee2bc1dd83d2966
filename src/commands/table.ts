// The command table: Redis 7.0's own metadata (redis-commands.json, recorded
// from redis-server by compat/dump-command-table.ts) joined with our handlers.
// It is the single source of arity, flags and key positions for dispatch,
// COMMAND INFO/DOCS/GETKEYS, MULTI and logging. Commands without a handler are
// not in the table, so they answer Redis's unknown-command error.
import { readFileSync } from 'node:fs';
import { LastName } from '../resp/last-name.js';
import type { Client } from '../server/client.js';
import type { LatencyHistogram } from '../server/latency-histogram.js';

export type Handler = (c: Client, argv: Buffer[]) => void;
export type HandlerTable = Record<string, Handler>;

interface KeySpec {
  flags: string[];
  begin_search: { type: 'index'; spec: { index: number } } | { type: 'keyword'; spec: { keyword: string; startfrom: number } } | { type: 'unknown'; spec: object };
  find_keys:
    | { type: 'range'; spec: { lastkey: number; keystep: number; limit: number } }
    | { type: 'keynum'; spec: { keynumidx: number; firstkey: number; keystep: number } }
    | { type: 'unknown'; spec: object };
  notes?: string;
}

/** One entry of COMMAND INFO as recorded from Redis. */
export interface CommandInfo {
  name: string;
  arity: number;
  flags: string[];
  firstKey: number;
  lastKey: number;
  keyStep: number;
  aclCategories: string[];
  tips: string[];
  keySpecs: KeySpec[];
  subcommands: CommandInfo[];
}

export interface CommandStats {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
  /** Made at the first call timed with latency-tracking on; dropped by CONFIG RESETSTAT. */
  latency: LatencyHistogram | null;
}

export interface Command {
  /** Lowercase full name: `get`, `client|setname`. */
  readonly name: string;
  readonly info: CommandInfo;
  readonly handler: Handler | null;
  readonly subcommands: Map<string, Command> | null;
  readonly isWrite: boolean;
  readonly isReadonly: boolean;
  readonly flags: ReadonlySet<string>;
  readonly stats: CommandStats;
}

interface Recorded {
  recordedFrom: string;
  commands: CommandInfo[];
  docs: Record<string, Record<string, unknown>>;
}

const recorded = JSON.parse(readFileSync(new URL('./redis-commands.json', import.meta.url), 'utf8')) as Recorded;
export const commandDocs = recorded.docs;

function makeCommand(info: CommandInfo, handlers: HandlerTable): Command | null {
  let subcommands: Map<string, Command> | null = null;
  for (const subInfo of info.subcommands) {
    const sub = makeCommand(subInfo, handlers);
    if (!sub) continue;
    subcommands ??= new Map();
    subcommands.set(subInfo.name.slice(subInfo.name.indexOf('|') + 1), sub);
  }
  const handler = handlers[info.name] ?? null;
  if (!handler && !subcommands) return null;
  const flags = new Set(info.flags);
  return {
    name: info.name,
    info: subcommands ? { ...info, subcommands: [...subcommands.values()].map((s) => s.info) } : info,
    handler,
    subcommands,
    isWrite: flags.has('write'),
    isReadonly: flags.has('readonly'),
    flags,
    stats: { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0, latency: null },
  };
}

export class CommandTable {
  readonly commands = new Map<string, Command>();

  constructor(handlers: HandlerTable) {
    for (const info of recorded.commands) {
      const command = makeCommand(info, handlers);
      if (command) this.commands.set(info.name, command);
    }
    for (const name of Object.keys(handlers)) {
      if (!this.lookupName(name)) throw new Error(`handler for '${name}', which Redis 7.0 does not have`);
    }
  }

  private lookupName(fullName: string): Command | undefined {
    const [name, sub] = fullName.split('|');
    const command = this.commands.get(name);
    return sub === undefined ? command : command?.subcommands?.get(sub);
  }

  /** The command argv names (container commands resolve their subcommand), or undefined. */
  lookup(argv: Buffer[]): Command | undefined {
    const command = this.lastTop.get(argv[0], 0, argv[0].length);
    if (!command?.subcommands || argv.length < 2) return command;
    return command.subcommands.get(argv[1].toString('latin1').toLowerCase()) ?? command;
  }

  /** The top-level command of the name looked up last. */
  private readonly lastTop = new LastName((buf, start, end) => this.lookupRange(buf, start, end));

  /** The command named by buf[start, end), in any case, without its subcommand (for hints read ahead of dispatch). */
  lookupRange(buf: Buffer, start: number, end: number): Command | undefined {
    return this.commands.get(buf.toString('latin1', start, end).toLowerCase());
  }

  /** Every command and subcommand, for INFO commandstats. */
  *all(): Iterable<Command> {
    for (const command of this.commands.values()) {
      yield command;
      if (command.subcommands) yield* command.subcommands.values();
    }
  }
}
