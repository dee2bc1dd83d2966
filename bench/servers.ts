// The servers a benchmark compares (real redis-server and VelocityDB from
// dist/, started by compat/servers.ts on free ports in temporary directories)
// and redis-benchmark runs against them.
//
// pinCpus() (both redis-benchmark comparisons): with two or more CPUs, every
// server then runs on CPU 0 (all its threads) and redis-benchmark on CPU 1,
// so each server has one core to itself and the load generator the other,
// as clients on other machines would leave it. Unpinned, the threads a
// Node.js server keeps besides its event loop (V8's garbage collector
// helpers, libuv's threads running the log's fdatasyncs) take turns with the
// load generator on both cores, and a single-threaded redis-server does not:
// at -c 50 -P 1 with the log (3 alternating rounds each way), VelocityDB ran
// 13% slower unpinned and redis-server with appendfsync always 17% faster.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startProcess, startRedis as startRedisServer, startVelocityDb, type RunningServer } from '../compat/servers.js';

export type { RunningServer };

let PINNED = false;

/** Pins servers started from now on, and redis-benchmark; returns what it did, for the report. */
export function pinCpus(): string {
  PINNED = availableParallelism() >= 2;
  return PINNED ? 'servers pinned to CPU 0 (all threads), redis-benchmark to CPU 1 (taskset)' : 'one CPU: nothing pinned';
}

function pinned(server: RunningServer): RunningServer {
  if (PINNED) execFileSync('taskset', ['--all-tasks', '--cpu-list', '-p', '0', String(server.pid)], { stdio: 'ignore' });
  return server;
}

/** redis-server with extra config directives, e.g. ['--appendonly', 'yes']. */
export async function startRedis(name: string, directives: string[]): Promise<RunningServer> {
  return pinned(await startRedisServer(directives, name));
}

/** VelocityDB from dist/ (run `npm run build` first) with extra flags. */
export async function startVelocity(name: string, flags: string[]): Promise<RunningServer> {
  return pinned(await startVelocityDb(flags, name));
}

/** bench/floor-server.mjs: VelocityDB's sockets and parser answering +OK to everything. */
export async function startFloor(name: string): Promise<RunningServer> {
  const script = fileURLToPath(new URL('./floor-server.mjs', import.meta.url));
  return pinned(await startProcess(name, process.execPath, (port) => [script, String(port)]));
}

export interface BenchResult {
  rps: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
}

/** One redis-benchmark test (e.g. 'set') with -c clients and -P pipeline depth. */
export function redisBenchmark(port: number, test: string, clients: number, pipeline: number, requests: number): BenchResult {
  const args = ['-p', String(port), '-t', test, '-c', String(clients), '-P', String(pipeline), '-n', String(requests), '-r', '100000', '--csv'];
  const out = execFileSync(PINNED ? 'taskset' : 'redis-benchmark', PINNED ? ['--cpu-list', '1', 'redis-benchmark', ...args] : args, {
    encoding: 'utf8',
    timeout: 600_000,
  });
  // --csv: a header line, then "test","rps","avg","min","p50","p95","p99","max".
  const row = out.trim().split('\n')[1].split(',').map((f) => f.replace(/"/g, ''));
  return { rps: Number(row[1]), p50: Number(row[4]), p99: Number(row[6]) };
}

