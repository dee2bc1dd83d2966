// The server's cost per command without sockets: 50 in-process connections
// fed pipelined SETs, GETs or INCRs through the real parser, dispatcher and keyspace,
// their replies discarded. Separates the JavaScript hot path from the kernel's
// share of a redis-benchmark run; prints the best of several rounds in CPU
// time (user + system, the log's fdatasync threads included) per command.
// Input comes in turns, as the event loop reads it: one pipeline per
// connection, then the turn ends (with --durability adaptive, that seals the
// log's batch). A round ends when everything in it is durable.
//   npm run build && npm run bench:dispatch [-- --keys 100000 --depth 16 --rounds 10 --durability adaptive --only SET|GET|INCR]
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NullSocket } from '../test/helpers/null-socket.js';

// The build in dist/ (`npm run build` first), as the server runs: tsx's own
// transform of src/ measured about twice as slow.
const dist = <T>(path: string): Promise<T> => import(new URL(`../dist/${path}`, import.meta.url).href) as Promise<T>;
const { Config } = await dist<typeof import('../src/config.js')>('config.js');
const { encodeCommand } = await dist<typeof import('../src/resp/encode-command.js')>('resp/encode-command.js');
const { Logger } = await dist<typeof import('../src/server/logger.js')>('server/logger.js');
const { openServer } = await dist<typeof import('../src/start.js')>('start.js');

const { values } = parseArgs({
  options: {
    keys: { type: 'string', default: '100000' },
    depth: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '10' },
    durability: { type: 'string', default: 'none' },
    'fsync-concurrency': { type: 'string', default: String(new Config().fsyncConcurrency) },
    // GET alone would find no keys: SET runs before it either way.
    only: { type: 'string' },
  },
});
const keys = Number(values.keys);
const depth = Number(values.depth);
const rounds = Number(values.rounds);
const CONNECTIONS = 50;
const CHUNKS_PER_ROUND = 20_000;

type Test = 'SET' | 'GET' | 'INCR';

/** A pipeline of `depth` commands on random keys (redis-benchmark's key:%012d and counter:%012d). */
function pipeline(command: Test): Buffer {
  const commands: Buffer[] = [];
  for (let i = 0; i < depth; i++) {
    const n = String(Math.floor(Math.random() * keys)).padStart(12, '0');
    commands.push(encodeCommand(command === 'SET' ? ['SET', `key:${n}`, 'xxx'] : command === 'GET' ? ['GET', `key:${n}`] : ['INCR', `counter:${n}`]));
  }
  return Buffer.concat(commands);
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Best CPU time per command over the rounds, in ns. */
/** Where a connection's input is read into, as the server reads every connection's into one buffer. */
const input = Buffer.allocUnsafe(64 * 1024);

async function measure(connections: ((chunk: Buffer) => void)[], command: Test): Promise<number> {
  const chunks = Array.from({ length: 2000 }, () => pipeline(command));
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const started = process.cpuUsage();
    for (let i = 0; i < CHUNKS_PER_ROUND; i++) {
      const chunk = chunks[i % chunks.length];
      connections[i % CONNECTIONS](input.subarray(0, chunk.copy(input)));
      if (i % CONNECTIONS === CONNECTIONS - 1) await turn();
    }
    while (server.durableSeq < server.lastSeq) await turn();
    const used = process.cpuUsage(started);
    best = Math.min(best, ((used.user + used.system) * 1000) / (CHUNKS_PER_ROUND * depth));
  }
  return best;
}

const dir = mkdtempSync(join(tmpdir(), 'velocitydb-dispatch-'));
const config = new Config({ port: 0, bind: '127.0.0.1', dir, durability: values.durability as 'none' | 'adaptive' });
config.fsyncConcurrency = Number(values['fsync-concurrency']);
const server = await openServer(config, new Logger({ logLevel: 'warning' }));
const connections = Array.from({ length: CONNECTIONS }, () => server.serve(new NullSocket() as unknown as Socket));
console.log(`${CONNECTIONS} connections, pipelines of ${depth}, ${keys} keys, durability ${values.durability}, best of ${rounds} rounds of ${CHUNKS_PER_ROUND} pipelines`);
const tests: Test[] = values.only === undefined ? ['SET', 'GET', 'INCR'] : values.only === 'GET' ? ['SET', 'GET'] : [values.only as Test];
for (const command of tests) {
  console.log(`${command}: ${(await measure(connections, command)).toFixed(0)} ns per command`);
}
await server.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
