// Parses compat scripts (format in compat/README.md): one command per line in
// redis-cli syntax, `#` comments, and `@` directives.
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitInlineArgs } from '../src/resp/parser.js';

export const SCRIPTS_DIR = fileURLToPath(new URL('./scripts/', import.meta.url));
export const RECORDINGS_DIR = fileURLToPath(new URL('./recordings/', import.meta.url));

/** How a command's reply is compared. */
export type Compare = 'exact' | 'type' | 'sorted' | 'ignore';

/** A step whose reply is recorded and compared. */
export type ReplyStep =
  | { kind: 'command'; line: number; text: string; argv: Buffer[]; compare: Compare; frames: number }
  | { kind: 'raw'; line: number; text: string; bytes: Buffer };

export type Step =
  | ReplyStep
  | { kind: 'hello'; protocol: 2 | 3 }
  | { kind: 'newconn' }
  | { kind: 'sleep'; ms: number };

export interface Script {
  family: string;
  steps: Step[];
}

const COMPARE_PREFIXES: Record<string, Compare> = { '@type': 'type', '@sorted': 'sorted', '@ignore': 'ignore' };

/** `keys`, `keys.txt` and `compat/scripts/keys.txt` all name the family `keys`. */
export function familyName(arg: string): string {
  return basename(arg).replace(/\.(txt|json)$/, '');
}

export function listFamilies(dir: string, extension: '.txt' | '.json'): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(extension))
    .map(familyName)
    .sort();
}

export function loadScript(family: string): Script {
  const source = readFileSync(`${SCRIPTS_DIR}${family}.txt`, 'utf8');
  return { family, steps: parseScript(source, `${family}.txt`) };
}

export function parseScript(source: string, name: string): Step[] {
  const steps: Step[] = [];
  source.split('\n').forEach((raw, index) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    try {
      steps.push(parseLine(text, index + 1));
    } catch (err) {
      throw new Error(`${name}:${index + 1}: ${(err as Error).message}`);
    }
  });
  return steps;
}

function split(text: string): Buffer[] {
  const bytes = Buffer.from(text);
  const args = splitInlineArgs(bytes, 0, bytes.length);
  if (args === null) throw new Error('unbalanced quotes');
  return args;
}

/** `N*text` in a @raw line stands for text repeated N times. */
function rawPiece(piece: Buffer): Buffer {
  const m = /^(\d+)\*/.exec(piece.toString('latin1'));
  return m ? Buffer.alloc(Number(m[1]) * (piece.length - m[0].length), piece.subarray(m[0].length)) : piece;
}

function parseLine(text: string, line: number): Step {
  const args = split(text);
  const word = args[0].toString('latin1');
  switch (word) {
    case '@newconn':
      return { kind: 'newconn' };
    case '@resp2':
    case '@resp3':
      return { kind: 'hello', protocol: word === '@resp2' ? 2 : 3 };
    case '@sleep':
      return { kind: 'sleep', ms: count(args[1]) };
    case '@raw':
      return { kind: 'raw', line, text, bytes: Buffer.concat(args.slice(1).map(rawPiece)) };
  }
  let compare: Compare = 'exact';
  let frames = 1;
  let command = text;
  for (let m; (m = /^(@\S+)\s+/.exec(command)); ) {
    command = command.slice(m[0].length);
    if (m[1] === '@frames') {
      const n = /^(\S+)\s+/.exec(command);
      frames = count(n?.[1]);
      command = command.slice(n![0].length);
    } else if (m[1] in COMPARE_PREFIXES) compare = COMPARE_PREFIXES[m[1]];
    else throw new Error(`unknown directive ${m[1]}`);
  }
  if (command.startsWith('@')) throw new Error(`unknown directive ${command}`);
  return { kind: 'command', line, text, argv: split(command), compare, frames };
}

function count(arg: Buffer | string | undefined): number {
  const n = Number(arg?.toString());
  if (arg === undefined || !Number.isInteger(n) || n < 0) throw new Error(`expected a count, got ${arg}`);
  return n;
}
