// Records the metadata of every Redis 7 command (COMMAND INFO + COMMAND DOCS)
// from a running redis-server into src/commands/redis-commands.json. The
// command table joins it with our handlers, so arity, flags, key specs and the
// docs that redis-cli shows as hints are Redis's own.
//   npx tsx compat/dump-command-table.ts [port]      (needs redis-cli 7)
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type InfoTuple = [string, number, string[], number, number, number, string[], string[], unknown[], InfoTuple[]];

const port = process.argv[2] ?? '6379';
const cli = (...args: string[]): unknown =>
  JSON.parse(execFileSync('redis-cli', ['-p', port, '-3', '--json', ...args], { maxBuffer: 64 << 20 }).toString());

function infoEntry([name, arity, flags, firstKey, lastKey, keyStep, aclCategories, tips, keySpecs, subcommands]: InfoTuple): Record<string, unknown> {
  return { name, arity, flags, firstKey, lastKey, keyStep, aclCategories, tips, keySpecs, subcommands: subcommands.map(infoEntry) };
}

const commands = (cli('command', 'info') as InfoTuple[]).map(infoEntry).sort((a, b) => String(a.name).localeCompare(String(b.name)));
const docs = cli('command', 'docs');
const version = String(execFileSync('redis-cli', ['-p', port, 'info', 'server'])).match(/redis_version:(\S+)/)?.[1];
const out = fileURLToPath(new URL('../src/commands/redis-commands.json', import.meta.url));
writeFileSync(out, JSON.stringify({ recordedFrom: `redis-server ${version}`, commands, docs }) + '\n');
console.log(`wrote ${commands.length} commands to ${out}`);
