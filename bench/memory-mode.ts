// VelocityDB without persistence (--durability none) against redis-server
// without persistence: redis-benchmark SET and GET, 50 clients, pipelines of
// 1, 16 and 128, servers alternated within one run. Prints requests/s and the
// ratio as a markdown table. A third server, bench/floor-server.mjs, answers +OK
// to every request: VelocityDB's sockets and parser without any command, the
// most a Node.js server can reach here.
//   npm run build && npm run bench:memory [-- --requests N --rounds R]
// Without --requests, each run lasts about 2 s here: runs of half a second
// (500,000 requests at -P 128) left the ratios to the noise of a moment.
import { parseArgs } from 'node:util';
import { pinCpus, redisBenchmark, startFloor, startRedis, startVelocity } from './servers.js';

const { values } = parseArgs({ options: { requests: { type: 'string' }, rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
const PIPELINES = [1, 16, 128];
/** -n per pipeline depth: about 2 s of redis-server on a 2-core Xeon. */
const REQUESTS_AT: Record<number, number> = { 1: 400_000, 16: 2_500_000, 128: 4_000_000 };
const requestsAt = (pipeline: number): number => (values.requests === undefined ? REQUESTS_AT[pipeline] : Number(values.requests));

const pinning = pinCpus();
const redis = await startRedis('redis-server (no persistence)', ['--appendonly', 'no']);
const velocity = await startVelocity('VelocityDB (--durability none)', ['--durability', 'none']);
const floor = await startFloor('Node.js floor (bench/floor-server.mjs)');
try {
  const sizes = PIPELINES.map((pipeline) => `${requestsAt(pipeline)} at -P ${pipeline}`).join(', ');
  console.log(`redis-benchmark -c 50 -r 100000, -n ${sizes}, best of ${rounds} alternating rounds; ${pinning}\n`);
  console.log('| test | pipeline | redis-server rps | VelocityDB rps | ratio | Node.js floor rps | floor ratio |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const test of ['set', 'get']) {
    for (const pipeline of PIPELINES) {
      const best = { redis: 0, velocity: 0, floor: 0 };
      const requests = requestsAt(pipeline);
      for (let round = 0; round < rounds; round++) {
        best.redis = Math.max(best.redis, redisBenchmark(redis.port, test, 50, pipeline, requests).rps);
        best.velocity = Math.max(best.velocity, redisBenchmark(velocity.port, test, 50, pipeline, requests).rps);
        best.floor = Math.max(best.floor, redisBenchmark(floor.port, test, 50, pipeline, requests).rps);
      }
      const ratio = (rps: number) => `${(rps / best.redis).toFixed(2)}x`;
      console.log(`| ${test.toUpperCase()} | ${pipeline} | ${Math.round(best.redis)} | ${Math.round(best.velocity)} | ${ratio(best.velocity)} | ${Math.round(best.floor)} | ${ratio(best.floor)} |`);
    }
  }
} finally {
  await Promise.all([redis.stop(), velocity.stop(), floor.stop()]);
}
