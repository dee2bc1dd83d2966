// CONFIG GET/SET parameters under Redis 7.0's names, and redis.conf parsing.
// Parameters VelocityDB acts on read and write the typed Config; the others
// are validated and kept so that a production redis.conf loads and CONFIG GET
// reports them.
import { Config, DURABILITY_MODES, type Durability } from './config.js';
import { splitInlineArgs } from './resp/parser.js';

export interface Parameter {
  name: string;
  get(config: Config): string;
  /** Throws an Error whose message is Redis's reason, e.g. "argument must be a memory value". */
  set(config: Config, value: string): void;
  /** Settable at run time (CONFIG SET); the others only at start. */
  mutable: boolean;
}

function intParameter(name: string, field: 'port' | 'databases' | 'maxclients' | 'hz' | 'batchMax' | 'protoMaxBulkLen', min: number, max: number, mutable = true): Parameter {
  return {
    name,
    mutable,
    get: (config) => String(config[field]),
    set(config, value) {
      if (!/^-?\d+$/.test(value)) throw new Error('argument couldn\'t be parsed into an integer');
      const n = Number(value);
      if (n < min || n > max) throw new Error(`argument must be between ${min} and ${max} inclusive`);
      config[field] = n;
    },
  };
}

function stringParameter(name: string, field: 'bind' | 'dir' | 'requirepass' | 'notifyKeyspaceEvents', mutable = true): Parameter {
  return {
    name,
    mutable,
    get: (config) => config[field],
    set(config, value) {
      config[field] = value;
    },
  };
}

export const parameters: Parameter[] = [
  intParameter('port', 'port', 0, 65535, false),
  stringParameter('bind', 'bind', false),
  stringParameter('dir', 'dir', false),
  stringParameter('requirepass', 'requirepass'),
  intParameter('databases', 'databases', 1, 2147483647, false),
  intParameter('maxclients', 'maxclients', 1, 2147483647),
  intParameter('hz', 'hz', 0, 2147483647),
  intParameter('proto-max-bulk-len', 'protoMaxBulkLen', 1024 * 1024, Number.MAX_SAFE_INTEGER),
  intParameter('wal-batch-max', 'batchMax', 0, 2147483647),
  {
    name: 'durability',
    mutable: true,
    get: (config) => config.durability,
    set(config, value) {
      if (!DURABILITY_MODES.includes(value as Durability)) throw new Error('argument(s) must be one of the following: adaptive, always, everysec, none');
      config.durability = value as Durability;
    },
  },
];

const byName = new Map(parameters.map((p) => [p.name, p]));

export function findParameter(name: string): Parameter | undefined {
  return byName.get(name.toLowerCase());
}

/** Reads redis.conf-style text into config; throws with Redis's FATAL CONFIG FILE ERROR text. */
export function applyConfigFile(config: Config, text: string, file: string): void {
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const buf = Buffer.from(trimmed, 'latin1');
    const args = splitInlineArgs(buf, 0, buf.length);
    const fail = (reason: string) => {
      throw new Error(`\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file ${file}, at line ${i + 1}\n>>> '${trimmed}'\n${reason}`);
    };
    if (args === null) return fail('Unbalanced quotes in configuration line');
    const [name, ...values] = args.map((a) => a.toString('latin1'));
    const parameter = findParameter(name);
    if (!parameter) return fail('Bad directive or wrong number of arguments');
    try {
      parameter.set(config, values.join(' '));
    } catch (error) {
      fail((error as Error).message);
    }
  });
}
