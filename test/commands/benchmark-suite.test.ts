// redis-benchmark's default test set (no -t) against an in-process
// VelocityDB in every durability mode: every named test reports its
// requests per second, and no line reports an error (redis-benchmark 7.0
// stops at the first error reply, printing it; stderr is merged into what is
// checked).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Durability } from '../../src/config.js';
import { haveBinary, run } from '../helpers/binaries.js';
import { startServer } from '../helpers/server.js';

/** The tests `redis-benchmark -q` runs without -t (redis-benchmark 7.0), in order. */
const DEFAULT_TESTS = [
  'PING_INLINE',
  'PING_MBULK',
  'SET',
  'GET',
  'INCR',
  'LPUSH',
  'RPUSH',
  'LPOP',
  'RPOP',
  'SADD',
  'HSET',
  'SPOP',
  'ZADD',
  'ZPOPMIN',
  'LPUSH (needed to benchmark LRANGE)',
  'LRANGE_100 (first 100 elements)',
  'LRANGE_300 (first 300 elements)',
  'LRANGE_500 (first 500 elements)',
  'LRANGE_600 (first 600 elements)',
  'MSET (10 keys)',
];

/**
 * Requests per test. `always` fsyncs once per write before its reply, so with
 * redis-benchmark's 50 clients each write waits for a disk flush of its own
 * batch: 10000 requests per test would take minutes there, and 2000 already
 * runs every test (and every fsync path) many times over.
 */
const REQUESTS: Record<Durability, number> = { none: 10000, adaptive: 10000, everysec: 10000, always: 2000 };
/**
 * The twenty tests take 15-35 s against the server run from src/ on a quiet
 * machine, and twice that on a busy one: the limit only catches a hang.
 */
const BENCHMARK_TIMEOUT_MS = 180_000;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

if (haveBinary('redis-benchmark')) {
  for (const durability of ['none', 'adaptive', 'always', 'everysec'] as const) {
    test(`default test set, durability ${durability}`, async () => {
      const s = await startServer({ durability });
      try {
        const started = Date.now();
        const args = ['-p', String(s.port), '-n', String(REQUESTS[durability]), '-q'];
        const out = await run('sh', ['-c', `exec redis-benchmark ${args.join(' ')} 2>&1`], undefined, BENCHMARK_TIMEOUT_MS);
        // -q rewrites its progress line with \r; the result lines are what is left.
        const lines = out.split(/[\r\n]+/).map((line) => line.trim()).filter((line) => line !== '' && !/: rps=/.test(line));
        const errors = lines.filter((line) => /error|ERR|WRONGTYPE|closed|reset/i.test(line));
        assert.equal(errors, [], `redis-benchmark reported errors (durability ${durability})`);
        for (const name of DEFAULT_TESTS) {
          assert.ok(
            lines.some((line) => new RegExp(`^${escape(name)}: [\\d.]+ requests per second`).test(line)),
            `no requests-per-second line for ${name} (durability ${durability}):\n${lines.join('\n')}`,
          );
        }
        assert.is(lines.filter((line) => / requests per second/.test(line)).length, DEFAULT_TESTS.length, 'one result line per test');
        // For the record in the test output when it is slow.
        if (process.env.BENCH_SUITE_VERBOSE) console.log(`durability ${durability}: ${Date.now() - started} ms`);
      } finally {
        await s.stop();
      }
    });
  }
}

test.run();
