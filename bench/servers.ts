// The servers a benchmark compares (real redis-server and VelocityDB from
// dist/, started by compat/servers.ts on free ports in temporary directories)
// and redis-benchmark runs against them.
import { execFileSync } from 'node:child_process';
import { startRedis as startRedisServer, startVelocityDb, type RunningServer } from '../compat/servers.js';

export type { RunningServer };

/** redis-server with extra config directives, e.g. ['--appendonly', 'yes']. */
export function startRedis(name: string, directives: string[]): Promise<RunningServer> {
  return startRedisServer(directives, name);
}

/** VelocityDB from dist/ (run `npm run build` first) with extra flags. */
export function startVelocity(name: string, flags: string[]): Promise<RunningServer> {
  return startVelocityDb(flags, name);
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
  const out = execFileSync('redis-benchmark', args, {
    encoding: 'utf8',
    timeout: 600_000,
  });
  // --csv: a header line, then "test","rps","avg","min","p50","p95","p99","max".
  const row = out.trim().split('\n')[1].split(',').map((f) => f.replace(/"/g, ''));
  return { rps: Number(row[1]), p50: Number(row[4]), p99: Number(row[6]) };
}

