// The seed's comparison, measured: redis-benchmark SET and INCR at -c 1/50 and
// -P 1/16/128/1000 against VelocityDB in its durability modes and real
// redis-server with its persistence settings. All servers are started once,
// with their data in temporary directories on one disk, and alternated within
// each configuration. Prints a markdown table as it goes and writes
// bench/results/durability.md and bench/results/durability.svg.
//   npm run build && npm run bench:durability [-- --quick --rounds R --requests N --batch-max N[,N...]]
// --quick: SET, -c 50, -P 1 and 128 only. --rounds R: each server runs each
// configuration R times, the servers alternating, and its best run counts (default 1).
// --requests N: -n N for every run (by default each run is sized to last
// about RUN_SECONDS). --batch-max N[,N]: the adaptive rows besides batch-max
// 128 (default BEST_BATCH_MAX).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pinCpus, redisBenchmark, startRedis, startVelocity, type BenchResult, type RunningServer } from './servers.js';

/**
 * The batch-max of the "best setting" row besides the default 128. Against 0
 * (no cap) and 512 at -c 50 -P 1/16/128/1000 on the shared 2-core machine, no
 * value won consistently (within about 20% of each other) and 256 was never
 * far behind; `--batch-max 0,256,512` measures all three again. The other
 * knob, --fsync-concurrency, has its default chosen by measurement (see
 * DEFAULT_FSYNC_CONCURRENCY in src/wal/write-ahead-log.ts); the rows keep it.
 */
const BEST_BATCH_MAX = 256;

const { values } = parseArgs({
  options: {
    requests: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    quick: { type: 'boolean', default: false },
    'batch-max': { type: 'string', default: String(BEST_BATCH_MAX) },
  },
});
const rounds = Number(values.rounds);
if (!(Number.isSafeInteger(rounds) && rounds > 0)) throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
const fixedRequests = values.requests === undefined ? undefined : Number(values.requests);
if (fixedRequests !== undefined && !(Number.isSafeInteger(fixedRequests) && fixedRequests > 0)) throw new Error(`--requests must be a positive integer, got ${values.requests}`);

/** What a write waits for before its reply: nothing, a batch's fsync, or its own fsync. */
type Sync = 'none' | 'batch' | 'write';

interface Contender {
  label: string;
  sync: Sync;
  /** VelocityDB reports wal_* counters in INFO persistence. */
  velocity: boolean;
  color: string;
  start(): Promise<RunningServer>;
}

function velocityDb(label: string, sync: Sync, color: string, flags: string[]): Contender {
  return { label, sync, velocity: true, color, start: () => startVelocity(label, flags) };
}

function redis(label: string, sync: Sync, color: string, directives: string[]): Contender {
  return { label, sync, velocity: false, color, start: () => startRedis(label, directives) };
}

const batchMaxes = values['batch-max'].split(',').map(Number);
if (!batchMaxes.every((n) => Number.isSafeInteger(n) && n >= 0)) throw new Error(`--batch-max takes integers >= 0, comma-separated, got ${values['batch-max']}`);
const BATCH_MAX_COLORS = ['#41ab5d', '#a1d99b', '#006d2c', '#807dba'];

const redisNo = redis('redis appendonly no', 'none', '#fdae6b', ['--appendonly', 'no']);
const redisAlways = redis('redis appendfsync always', 'batch', '#a63603', ['--appendonly', 'yes', '--appendfsync', 'always']);
const contenders: Contender[] = [
  velocityDb('VelocityDB none', 'none', '#9ecae1', ['--durability', 'none']),
  velocityDb('VelocityDB always', 'write', '#08306b', ['--durability', 'always']),
  velocityDb('VelocityDB adaptive, batch-max 128', 'batch', '#2171b5', ['--durability', 'adaptive', '--batch-max', '128']),
  ...batchMaxes.map((n, i) => velocityDb(`VelocityDB adaptive, batch-max ${n}`, 'batch', BATCH_MAX_COLORS[i % BATCH_MAX_COLORS.length], ['--durability', 'adaptive', '--batch-max', String(n)])),
  redisNo,
  redis('redis appendfsync everysec', 'none', '#f16913', ['--appendonly', 'yes', '--appendfsync', 'everysec']),
  redisAlways,
];

interface Configuration {
  test: string;
  clients: number;
  pipeline: number;
}

const configurations: Configuration[] = [];
for (const test of values.quick ? ['set'] : ['set', 'incr']) {
  for (const clients of values.quick ? [50] : [1, 50]) {
    for (const pipeline of values.quick ? [1, 128] : [1, 16, 128, 1000]) configurations.push({ test, clients, pipeline });
  }
}

const WARM_UP: Configuration = { test: 'set', clients: 50, pipeline: 16 };

/** Target length of one run when --requests is not given. */
const RUN_SECONDS = 2;

/**
 * -n for one run: RUN_SECONDS at a rough expected rate (measured on 2 cores:
 * unsynced servers reach about 25K round trips/s per client up to 4 clients,
 * 1M ops/s at most; a batch mode commits what arrived together, each
 * pipeline at most once a millisecond, and reached 0.4-1.2M ops/s at -c 50
 * -P 16 to 1000, so 60% of the unsynced rate: sized at a third, those runs
 * lasted 0.6 s, and one compaction or a moment's noise decided the ratio;
 * one fsync per write runs at about 2.5K/s).
 */
function requestsFor(sync: Sync, { clients, pipeline }: Configuration): number {
  if (fixedRequests !== undefined) return fixedRequests;
  const unsynced = Math.min(1_000_000, 25_000 * Math.min(clients, 4) * pipeline);
  const rate = sync === 'none' ? unsynced : sync === 'batch' ? Math.min(unsynced * 0.6, 1_000 * clients * pipeline) : 2_500;
  // -n counts replies: a smaller one would end the run inside the first round
  // of pipelines.
  return Math.max(clients * pipeline, Math.ceil((RUN_SECONDS * rate) / 1000) * 1000);
}

function infoFields(port: number, section: string): Map<string, string> {
  const text = execFileSync('redis-cli', ['-p', String(port), 'info', section], { encoding: 'utf8' });
  return new Map(text.split(/\r?\n/).flatMap((line) => (line.includes(':') ? [line.split(':', 2) as [string, string]] : [])));
}

interface WalCounters {
  fsyncs: number;
  entries: number;
  batches: number;
}

function walCounters(port: number): WalCounters {
  const info = infoFields(port, 'persistence');
  return { fsyncs: Number(info.get('wal_fsyncs')), entries: Number(info.get('wal_entries')), batches: Number(info.get('wal_batches')) };
}

// redis-server 7.0 counts no fsyncs, so its fsync and fdatasync syscalls are
// counted by perf (kernel tracepoints, no ptrace). perf runs during every run,
// VelocityDB's too, so its small cost on every syscall hits all servers alike.
const FSYNC_EVENTS = 'syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync';
const perfWorks = (() => {
  const probe = spawnSync('perf', ['stat', '-x,', '-e', FSYNC_EVENTS, '--', 'true'], { encoding: 'utf8' });
  return probe.status === 0 && probe.stderr.split('\n').filter((line) => /^\d+,/.test(line)).length === 2;
})();
const scratch = mkdtempSync(join(tmpdir(), 'velocitydb-bench-'));

/** Starts counting pid's fsync syscalls; the returned function stops and gives the count. */
async function countFsyncs(pid: number): Promise<() => Promise<number>> {
  const file = join(scratch, `perf-${pid}.csv`);
  const perf = spawn('perf', ['stat', '-x,', '-I', '100', '-e', FSYNC_EVENTS, '-p', String(pid), '-o', file], { stdio: 'ignore' });
  const exited = new Promise((resolve) => perf.once('exit', resolve));
  const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line.includes(',syscalls:')) : []);
  // The first interval line means the counters are attached.
  while (lines().length === 0) {
    if (perf.exitCode !== null) throw new Error(`perf stat -p ${pid} exited with ${perf.exitCode}`);
    await sleep(10);
  }
  return async () => {
    perf.kill('SIGINT');
    await exited;
    // Interval lines: time,count,unit,event,... ("<not counted>" while the process sleeps).
    const total = lines().reduce((sum, line) => sum + (Number(line.split(',')[1]) || 0), 0);
    rmSync(file);
    return total;
  };
}

interface Row extends BenchResult {
  contender: Contender;
  requests: number;
  /** Per second of the benchmark's own duration; undefined where not measurable. */
  fsyncsPerSec: number | undefined;
  meanBatch: number | undefined;
}

async function run(contender: Contender, server: RunningServer, config: Configuration): Promise<Row> {
  const requests = requestsFor(contender.sync, config);
  const before = contender.velocity ? walCounters(server.port) : undefined;
  const stopCount = perfWorks ? await countFsyncs(server.pid) : undefined;
  const result = redisBenchmark(server.port, config.test, config.clients, config.pipeline, requests);
  const syscalls = await stopCount?.();
  const seconds = requests / result.rps;
  let row: Row = { ...result, contender, requests, fsyncsPerSec: syscalls === undefined ? undefined : syscalls / seconds, meanBatch: undefined };
  if (before) {
    const after = walCounters(server.port);
    const batches = after.batches - before.batches;
    row = { ...row, fsyncsPerSec: (after.fsyncs - before.fsyncs) / seconds, meanBatch: batches > 0 ? (after.entries - before.entries) / batches : undefined };
  }
  await settle(contender, server.port);
  return row;
}

/**
 * Waits until the server has worked off what a run left behind: redis-benchmark
 * 7.0 stops at -n replies while the other clients' pipelines are still in the
 * server (VelocityDB always, at -c 50 -P 1000, has up to 49K commands to go),
 * and they must not slow the server's next run.
 */
async function settle(contender: Contender, port: number): Promise<void> {
  // Each poll's INFO commands count as processed commands too.
  const ownCommands = contender.velocity ? 2 : 1;
  let previous = -Infinity;
  for (;;) {
    const processed = Number(infoFields(port, 'stats').get('total_commands_processed'));
    const wal = contender.velocity ? infoFields(port, 'persistence') : undefined;
    const synced = wal === undefined || wal.get('wal_durable_seq') === wal.get('wal_last_seq');
    if (synced && processed - previous <= ownCommands) return;
    previous = processed;
    await sleep(100);
  }
}

const TABLE_HEADER = [
  '| test | -c | -P | server | -n | ops/s | vs redis always | vs redis no | p50 ms | p99 ms | fsyncs/s | mean batch |',
  '|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
];

/** redis-benchmark's latency histogram ends at 3 s: it reports anything longer as 3000.319. */
const latency = (ms: number) => (ms >= 3000 ? '> 3000' : ms.toFixed(3));

function tableLines(config: Configuration, rows: Row[]): string[] {
  const rps = (c: Contender) => rows.find((r) => r.contender === c)!.rps;
  const optional = (v: number | undefined, digits: number) => (v === undefined ? 'n/a' : v.toFixed(digits));
  return rows.map((r) =>
    [
      '',
      config.test.toUpperCase(),
      config.clients,
      config.pipeline,
      r.contender.label,
      r.requests,
      Math.round(r.rps),
      `${(r.rps / rps(redisAlways)).toFixed(2)}x`,
      `${(r.rps / rps(redisNo)).toFixed(2)}x`,
      latency(r.p50),
      latency(r.p99),
      optional(r.fsyncsPerSec, 0),
      r.contender.velocity ? optional(r.meanBatch, 1) : '',
      '',
    ]
      .join(' | ')
      .trim(),
  );
}

function configName({ test, clients, pipeline }: Configuration): string {
  return `${test.toUpperCase()} -c ${clients} -P ${pipeline}`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Grouped bars, one group per configuration, on a log scale of ops/s; notes are lines under the title. */
function chart(results: { config: Configuration; rows: Row[] }[], notes: string[]): string {
  const [left, right, top, plotHeight, legendEntry] = [80, 20, 50 + 18 * notes.length, 360, 260];
  const width = Math.max(960, left + right + results.length * (contenders.length * 8 + 18));
  const groupWidth = (width - left - right) / results.length;
  const bar = Math.min(24, (groupWidth - 18) / contenders.length);
  const legendColumns = Math.floor((width - left) / legendEntry);
  const legendTop = top + plotHeight + 76;
  const height = legendTop + Math.ceil(contenders.length / legendColumns) * 22;
  const all = results.flatMap((g) => g.rows.map((r) => r.rps));
  const lo = Math.floor(Math.log10(Math.min(...all)));
  const hi = Math.ceil(Math.log10(Math.max(...all)));
  const y = (v: number) => top + plotHeight - ((Math.log10(v) - lo) / (hi - lo)) * plotHeight;
  const compact = (v: number) => (v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}K` : String(v));
  const text = (x: number, ty: number, content: string, attributes = '') =>
    `<text x="${x.toFixed(1)}" y="${ty.toFixed(1)}"${attributes ? ` ${attributes}` : ''}>${escapeXml(content)}</text>`;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    text(width / 2, 24, 'Write throughput by durability setting: VelocityDB and redis-server', 'text-anchor="middle" font-size="16" font-weight="bold"'),
    ...notes.map((note, i) => text(width / 2, 44 + 18 * i, note, 'text-anchor="middle" fill="#555"')),
    `<text transform="translate(24 ${top + plotHeight / 2}) rotate(-90)" text-anchor="middle">operations per second (redis-benchmark, log scale)</text>`,
  ];
  for (let decade = lo; decade <= hi; decade++) {
    const v = 10 ** decade;
    out.push(`<line x1="${left}" x2="${width - right}" y1="${y(v)}" y2="${y(v)}" stroke="#ccc"/>`, text(left - 6, y(v) + 4, compact(v), 'text-anchor="end"'));
  }
  results.forEach(({ config, rows }, g) => {
    const x0 = left + g * groupWidth + (groupWidth - contenders.length * bar) / 2;
    rows.forEach((r, i) => {
      const barTop = y(r.rps);
      out.push(
        `<rect x="${(x0 + i * bar).toFixed(1)}" y="${barTop.toFixed(1)}" width="${(bar - 1).toFixed(1)}" height="${(top + plotHeight - barTop).toFixed(1)}" fill="${r.contender.color}">` +
          `<title>${escapeXml(`${configName(config)}, ${r.contender.label}: ${Math.round(r.rps)} ops/s`)}</title></rect>`,
      );
    });
    const cx = left + (g + 0.5) * groupWidth;
    out.push(text(cx, top + plotHeight + 16, `${config.test.toUpperCase()} -c ${config.clients}`, 'text-anchor="middle"'), text(cx, top + plotHeight + 30, `-P ${config.pipeline}`, 'text-anchor="middle"'));
  });
  out.push(text(left + (width - right - left) / 2, top + plotHeight + 52, 'redis-benchmark test, clients (-c), pipeline depth (-P)', 'text-anchor="middle"'));
  contenders.forEach((c, i) => {
    const x = left + (i % legendColumns) * legendEntry;
    const ly = legendTop + Math.floor(i / legendColumns) * 22;
    out.push(`<rect x="${x}" y="${ly - 11}" width="14" height="14" fill="${c.color}"/>`, text(x + 20, ly, c.label));
  });
  out.push('</svg>', '');
  return out.join('\n');
}

const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
const redisVersion = /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
const machine = `${availableParallelism()} cores (nproc), ${cpu}, Linux ${release()}, Node ${process.version}, redis-server ${redisVersion}`;

const command = ['npm run bench:durability', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
const date = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
const disk = execFileSync('findmnt', ['-no', 'SOURCE,FSTYPE', '-T', tmpdir()], { encoding: 'utf8' }).trim();
const pinning = pinCpus();
const servers: RunningServer[] = [];
const results: { config: Configuration; rows: Row[] }[] = [];
try {
  for (const c of contenders) servers.push(await c.start());
  // Unmeasured first runs, so that no configuration measures Node's JIT warming up.
  for (const [i, c] of contenders.entries()) {
    redisBenchmark(servers[i].port, WARM_UP.test, WARM_UP.clients, WARM_UP.pipeline, requestsFor(c.sync, WARM_UP));
    await settle(c, servers[i].port);
  }
  console.log(`${command}: ${configurations.length} configurations x ${contenders.length} servers, ${machine}; ${pinning}`);
  if (!perfWorks) console.log('perf cannot count syscalls here: fsyncs/s of redis-server is n/a');
  console.log(['', ...TABLE_HEADER].join('\n'));
  for (const [index, config] of configurations.entries()) {
    const rows: Row[] = new Array(contenders.length);
    // The first server of a round rotates, so no server always runs right
    // after the same neighbour; each keeps its best round.
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < contenders.length; k++) {
        const i = (index + round + k) % contenders.length;
        const row = await run(contenders[i], servers[i], config);
        if (rows[i] === undefined || row.rps > rows[i].rps) rows[i] = row;
      }
    }
    results.push({ config, rows });
    console.log(tableLines(config, rows).join('\n'));
  }
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(scratch, { recursive: true, force: true });
}

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const markdown = [
  '# Durability benchmark',
  '',
  `Produced by \`${command}\` (after \`npm run build\`) on ${date}.`,
  '',
  `- Machine: ${machine}.`,
  `- Data: a temporary directory per server on ${disk}, the same disk for all.`,
  `- CPUs: ${pinning}.`,
  `- Each row is ${rounds === 1 ? 'one run' : `the best of ${rounds} runs`} of \`redis-benchmark -t <test> -c <clients> -P <pipeline> -n <requests> -r 100000 --csv\`;`,
  '  within a configuration the servers run one after the other, round by round, the first one rotating. Each',
  '  server has an unmeasured warm-up run first and is left to finish the commands a run leaves',
  '  behind (redis-benchmark stops at -n replies) before its next run.',
  '- vs redis always / vs redis no: ops/s divided by that of redis-server with `appendfsync always` /',
  '  `appendonly no` in the same configuration.',
  `- fsyncs/s: VelocityDB's \`wal_fsyncs\` (INFO persistence) over the run; for redis-server, its fsync and fdatasync${perfWorks ? ' syscalls counted by `perf stat`' : ' syscalls (n/a: perf could not count them)'}.`,
  '  Per second of the benchmark\'s duration (requests / ops/s).',
  '- p50/p99: redis-benchmark\'s latency percentiles; its histogram ends at 3 s (> 3000).',
  '- mean batch: VelocityDB\'s wal_entries / wal_batches over the run.',
  '',
  ...TABLE_HEADER,
  ...results.flatMap(({ config, rows }) => tableLines(config, rows)),
  '',
  '![ops/s by configuration and server](durability.svg)',
  '',
].join('\n');
writeFileSync(join(resultsDir, 'durability.md'), markdown);
writeFileSync(join(resultsDir, 'durability.svg'), chart(results, [machine, `${date}: ${command}`]));
console.log(`\nwrote ${join(resultsDir, 'durability.md')} and durability.svg`);
