// INFO: Redis 7.0's sections and field names, in Redis's order, with CRLF
// lines, "# Section" headers and a blank line between sections (RESP3: a
// verbatim string). Fields VelocityDB has no mechanism for report what an
// idle Redis without that feature reports. Other modules add their own fields
// to a section with addInfoLines (the write-ahead log adds its persistence
// fields that way).
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { configValue } from '../config-table.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { REDIS_VERSION, VELOCITYDB_VERSION } from '../version.js';
import { keyword } from './args.js';
import type { HandlerTable } from './table.js';

type Lines = (server: Server) => string[];

interface Section {
  name: string;
  title: string;
  /** Part of INFO / INFO default. */
  inDefault: boolean;
  /** Part of INFO all (everything is a superset). */
  inAll: boolean;
  lines: Lines;
}

const extensions = new Map<string, Lines[]>();

/**
 * Adds fields to an INFO section ('server', 'persistence', 'stats', ...):
 * `lines(server)` returns "field:value" strings, appended after the section's
 * own fields, in the order producers were added.
 */
export function addInfoLines(section: string, lines: Lines): void {
  const list = extensions.get(section) ?? [];
  list.push(lines);
  extensions.set(section, list);
}

/** Per-server values fixed at first use: run id and replication id. */
const identities = new WeakMap<Server, { runId: string; replId: string; peakMemory: number }>();

function identity(server: Server) {
  let id = identities.get(server);
  if (!id) identities.set(server, (id = { runId: randomBytes(20).toString('hex'), replId: randomBytes(20).toString('hex'), peakMemory: 0 }));
  return id;
}

/** bytesToHuman. */
export function bytesToHuman(n: bigint | number): string {
  const v = BigInt(n);
  const units: [bigint, string][] = [
    [1n << 50n, 'P'],
    [1n << 40n, 'T'],
    [1n << 30n, 'G'],
    [1n << 20n, 'M'],
    [1n << 10n, 'K'],
  ];
  if (v < 1024n) return `${v}B`;
  if (v >= 1n << 60n) return `${v}B`;
  for (const [size, unit] of units) if (v >= size) return `${(Number(v) / Number(size)).toFixed(2)}${unit}`;
  return `${v}B`;
}

const BUILD_ID = createHash('sha1').update(`velocitydb-${VELOCITYDB_VERSION}`).digest('hex').slice(0, 15);

function serverSection(server: Server): string[] {
  const now = Date.now();
  const uptime = Math.floor((now - server.stats.startedAt) / 1000);
  const hz = server.config.hz;
  const configFile = server.config.configFile ? path.resolve(server.config.configFile) : '';
  return [
    `redis_version:${REDIS_VERSION}`,
    `velocitydb_version:${VELOCITYDB_VERSION}`,
    'redis_git_sha1:00000000',
    'redis_git_dirty:0',
    `redis_build_id:${BUILD_ID}`,
    'redis_mode:standalone',
    `os:${os.type()} ${os.release()} ${os.machine()}`,
    `arch_bits:${process.arch.includes('64') ? 64 : 32}`,
    'monotonic_clock:POSIX clock_gettime',
    `multiplexing_api:${process.platform === 'linux' ? 'epoll' : process.platform === 'win32' ? 'winsock' : 'kqueue'}`,
    'atomicvar_api:c11-builtin',
    'gcc_version:0.0.0',
    `process_id:${process.pid}`,
    'process_supervised:no',
    `run_id:${identity(server).runId}`,
    `tcp_port:${server.port}`,
    `server_time_usec:${now * 1000}`,
    `uptime_in_seconds:${uptime}`,
    `uptime_in_days:${Math.floor(uptime / 86400)}`,
    `hz:${hz}`,
    `configured_hz:${hz}`,
    `lru_clock:${Math.floor(now / 1000) & 0xffffff}`,
    `executable:${path.resolve(process.argv[1] ?? process.execPath)}`,
    `config_file:${configFile}`,
    'io_threads_active:0',
  ];
}

function clientsSection(server: Server): string[] {
  let maxInput = 0;
  let maxOutput = 0;
  for (const c of server.clients.values()) {
    maxInput = Math.max(maxInput, server.parsers.get(c)?.buffered ?? 0);
    maxOutput = Math.max(maxOutput, c.reply.pendingBytes);
  }
  return [
    `connected_clients:${server.clients.size}`,
    'cluster_connections:0',
    `maxclients:${server.config.maxclients}`,
    `client_recent_max_input_buffer:${maxInput}`,
    `client_recent_max_output_buffer:${maxOutput}`,
    `blocked_clients:${server.postponed.size}`,
    'tracking_clients:0',
    'clients_in_timeout_table:0',
  ];
}

function memorySection(server: Server): string[] {
  const usage = process.memoryUsage();
  const used = usage.heapUsed + usage.external;
  const id = identity(server);
  id.peakMemory = Math.max(id.peakMemory, used);
  const startup = Math.min(server.stats.startupMemory, used);
  let clientMemory = 0;
  for (const c of server.clients.values()) clientMemory += c.reply.pendingBytes + (server.parsers.get(c)?.buffered ?? 0);
  const overhead = startup + clientMemory;
  const dataset = Math.max(0, used - overhead);
  const maxmemory = BigInt(configValue(server.config, 'maxmemory'));
  const percent = (a: number, b: number) => (b > 0 ? ((a * 100) / b).toFixed(2) : '0.00');
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '0.00');
  const total = os.totalmem();
  return [
    `used_memory:${used}`,
    `used_memory_human:${bytesToHuman(used)}`,
    `used_memory_rss:${usage.rss}`,
    `used_memory_rss_human:${bytesToHuman(usage.rss)}`,
    `used_memory_peak:${id.peakMemory}`,
    `used_memory_peak_human:${bytesToHuman(id.peakMemory)}`,
    `used_memory_peak_perc:${percent(used, id.peakMemory)}%`,
    `used_memory_overhead:${overhead}`,
    `used_memory_startup:${startup}`,
    `used_memory_dataset:${dataset}`,
    `used_memory_dataset_perc:${percent(dataset, used - startup)}%`,
    `allocator_allocated:${usage.heapUsed}`,
    `allocator_active:${usage.heapTotal}`,
    `allocator_resident:${usage.rss}`,
    `total_system_memory:${total}`,
    `total_system_memory_human:${bytesToHuman(total)}`,
    'used_memory_lua:32768',
    'used_memory_vm_eval:32768',
    'used_memory_lua_human:32.00K',
    'used_memory_scripts_eval:0',
    'number_of_cached_scripts:0',
    'number_of_functions:0',
    'number_of_libraries:0',
    'used_memory_vm_functions:33792',
    'used_memory_vm_total:66560',
    'used_memory_vm_total_human:65.00K',
    'used_memory_functions:200',
    'used_memory_scripts:200',
    'used_memory_scripts_human:200B',
    `maxmemory:${maxmemory}`,
    `maxmemory_human:${bytesToHuman(maxmemory)}`,
    `maxmemory_policy:${configValue(server.config, 'maxmemory-policy')}`,
    `allocator_frag_ratio:${ratio(usage.heapTotal, usage.heapUsed)}`,
    `allocator_frag_bytes:${usage.heapTotal - usage.heapUsed}`,
    `allocator_rss_ratio:${ratio(usage.rss, usage.heapTotal)}`,
    `allocator_rss_bytes:${usage.rss - usage.heapTotal}`,
    'rss_overhead_ratio:1.00',
    'rss_overhead_bytes:0',
    `mem_fragmentation_ratio:${ratio(usage.rss, used)}`,
    `mem_fragmentation_bytes:${usage.rss - used}`,
    'mem_not_counted_for_evict:0',
    'mem_replication_backlog:0',
    'mem_total_replication_buffers:0',
    'mem_clients_slaves:0',
    `mem_clients_normal:${clientMemory}`,
    'mem_cluster_links:0',
    'mem_aof_buffer:0',
    'mem_allocator:libc',
    'active_defrag_running:0',
    'lazyfree_pending_objects:0',
    'lazyfreed_objects:0',
  ];
}

function persistenceSection(server: Server): string[] {
  const rewrite = server.durableLog?.rewriteInfo;
  return [
    `loading:${server.loading ? 1 : 0}`,
    'async_loading:0',
    'current_cow_peak:0',
    'current_cow_size:0',
    'current_cow_size_age:0',
    'current_fork_perc:0.00',
    'current_save_keys_processed:0',
    'current_save_keys_total:0',
    `rdb_changes_since_last_save:${server.dirty}`,
    'rdb_bgsave_in_progress:0',
    `rdb_last_save_time:${server.lastSave}`,
    'rdb_last_bgsave_status:ok',
    'rdb_last_bgsave_time_sec:-1',
    'rdb_current_bgsave_time_sec:-1',
    'rdb_saves:0',
    'rdb_last_cow_size:0',
    'rdb_last_load_keys_expired:0',
    'rdb_last_load_keys_loaded:0',
    `aof_enabled:${server.config.durability === 'none' ? 0 : 1}`,
    `aof_rewrite_in_progress:${rewrite?.inProgress ? 1 : 0}`,
    'aof_rewrite_scheduled:0',
    `aof_last_rewrite_time_sec:${rewrite?.lastSec ?? -1}`,
    `aof_current_rewrite_time_sec:${rewrite?.currentSec ?? -1}`,
    `aof_last_bgrewrite_status:${rewrite?.lastStatus ?? 'ok'}`,
    `aof_rewrites:${rewrite?.rewrites ?? 0}`,
    `aof_rewrites_consecutive_failures:${rewrite?.failures ?? 0}`,
    `aof_last_write_status:${server.logUnhealthy ? 'err' : 'ok'}`,
    'aof_last_cow_size:0',
    'module_fork_in_progress:0',
    'module_fork_last_cow_size:0',
  ];
}

function statsSection(server: Server): string[] {
  const stats = server.stats;
  const kbps = stats.instantaneousKbps;
  const channels = new Set<string>();
  const patterns = new Set<string>();
  const shardChannels = new Set<string>();
  for (const c of server.clients.values()) {
    for (const ch of c.channels) channels.add(ch);
    for (const p of c.patterns) patterns.add(p);
    for (const ch of c.shardChannels) shardChannels.add(ch);
  }
  return [
    `total_connections_received:${stats.connectionsReceived}`,
    `total_commands_processed:${stats.commandsProcessed}`,
    `instantaneous_ops_per_sec:${stats.instantaneousOps}`,
    `total_net_input_bytes:${stats.netInputBytes}`,
    `total_net_output_bytes:${server.netOutputBytes}`,
    'total_net_repl_input_bytes:0',
    'total_net_repl_output_bytes:0',
    `instantaneous_input_kbps:${kbps.input.toFixed(2)}`,
    `instantaneous_output_kbps:${kbps.output.toFixed(2)}`,
    'instantaneous_input_repl_kbps:0.00',
    'instantaneous_output_repl_kbps:0.00',
    `rejected_connections:${stats.rejectedConnections}`,
    'sync_full:0',
    'sync_partial_ok:0',
    'sync_partial_err:0',
    `expired_keys:${stats.expiredKeys}`,
    'expired_stale_perc:0.00',
    'expired_time_cap_reached_count:0',
    'expire_cycle_cpu_milliseconds:0',
    'evicted_keys:0',
    'evicted_clients:0',
    'total_eviction_exceeded_time:0',
    'current_eviction_exceeded_time:0',
    `keyspace_hits:${stats.keyspaceHits}`,
    `keyspace_misses:${stats.keyspaceMisses}`,
    `pubsub_channels:${channels.size}`,
    `pubsub_patterns:${patterns.size}`,
    `pubsubshard_channels:${shardChannels.size}`,
    'latest_fork_usec:0',
    'total_forks:0',
    'migrate_cached_sockets:0',
    'slave_expires_tracked_keys:0',
    'active_defrag_hits:0',
    'active_defrag_misses:0',
    'active_defrag_key_hits:0',
    'active_defrag_key_misses:0',
    'total_active_defrag_time:0',
    'current_active_defrag_time:0',
    'tracking_total_keys:0',
    'tracking_total_items:0',
    'tracking_total_prefixes:0',
    'unexpected_error_replies:0',
    `total_error_replies:${stats.totalErrorReplies}`,
    'dump_payload_sanitizations:0',
    `total_reads_processed:${stats.readsProcessed}`,
    `total_writes_processed:${stats.readsProcessed}`,
    'io_threaded_reads_processed:0',
    'io_threaded_writes_processed:0',
    'reply_buffer_shrinks:0',
    'reply_buffer_expands:0',
  ];
}

function replicationSection(server: Server): string[] {
  return [
    'role:master',
    'connected_slaves:0',
    'master_failover_state:no-failover',
    `master_replid:${identity(server).replId}`,
    'master_replid2:0000000000000000000000000000000000000000',
    'master_repl_offset:0',
    'second_repl_offset:-1',
    'repl_backlog_active:0',
    `repl_backlog_size:${configValue(server.config, 'repl-backlog-size')}`,
    'repl_backlog_first_byte_offset:0',
    'repl_backlog_histlen:0',
  ];
}

function cpuSection(): string[] {
  const usage = process.cpuUsage();
  const seconds = (micros: number) => (micros / 1e6).toFixed(6);
  return [
    `used_cpu_sys:${seconds(usage.system)}`,
    `used_cpu_user:${seconds(usage.user)}`,
    'used_cpu_sys_children:0.000000',
    'used_cpu_user_children:0.000000',
    `used_cpu_sys_main_thread:${seconds(usage.system)}`,
    `used_cpu_user_main_thread:${seconds(usage.user)}`,
  ];
}

function commandstatsSection(server: Server): string[] {
  const lines: string[] = [];
  for (const command of server.table.all()) {
    const s = command.stats;
    if (!s.calls && !s.failedCalls && !s.rejectedCalls) continue;
    const usec = Math.round(s.usec);
    const perCall = s.calls === 0 ? 0 : s.usec / s.calls;
    lines.push(
      `cmdstat_${command.name}:calls=${s.calls},usec=${usec},usec_per_call=${perCall.toFixed(2)},rejected_calls=${s.rejectedCalls},failed_calls=${s.failedCalls}`,
    );
  }
  return lines;
}

function errorstatsSection(server: Server): string[] {
  return [...server.stats.errors]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([code, count]) => `errorstat_${code}:count=${count}`);
}

function keyspaceSection(server: Server): string[] {
  const lines: string[] = [];
  const now = Date.now();
  for (const db of server.keyspace.databases) {
    if (db.size === 0) continue;
    // Redis reports an estimate from its expiry sampling; a bounded sample here.
    let sum = 0;
    let sampled = 0;
    for (const when of db.expires.values()) {
      if (when > now) {
        sum += when - now;
        sampled++;
      }
      if (sampled >= 1000) break;
    }
    const avgTtl = sampled > 0 ? Math.floor(sum / sampled) : 0;
    lines.push(`db${db.index}:keys=${db.size},expires=${db.expires.size},avg_ttl=${avgTtl}`);
  }
  return lines;
}

// ---- latency percentiles (Redis 7.0 keeps an HdrHistogram per command) ----

function latencystatsSection(server: Server): string[] {
  // As Redis: with tracking off, nothing is shown, not even what was recorded before.
  if (!server.config.latencyTracking) return [];
  const percentiles = configValue(server.config, 'latency-tracking-info-percentiles').split(' ').filter((p) => p !== '');
  const lines: string[] = [];
  for (const command of server.table.all()) {
    const histogram = command.stats.latency;
    if (!histogram) continue;
    const values = percentiles.map((p) => `p${p}=${(histogram.percentile(Number(p)) / 1000).toFixed(3)}`);
    lines.push(`latency_percentiles_usec_${command.name}:${values.join(',')}`);
  }
  return lines;
}

const SECTIONS: Section[] = [
  { name: 'server', title: 'Server', inDefault: true, inAll: true, lines: serverSection },
  { name: 'clients', title: 'Clients', inDefault: true, inAll: true, lines: clientsSection },
  { name: 'memory', title: 'Memory', inDefault: true, inAll: true, lines: memorySection },
  { name: 'persistence', title: 'Persistence', inDefault: true, inAll: true, lines: persistenceSection },
  { name: 'stats', title: 'Stats', inDefault: true, inAll: true, lines: statsSection },
  { name: 'replication', title: 'Replication', inDefault: true, inAll: true, lines: replicationSection },
  { name: 'cpu', title: 'CPU', inDefault: true, inAll: true, lines: cpuSection },
  { name: 'modules', title: 'Modules', inDefault: true, inAll: true, lines: () => [] },
  { name: 'commandstats', title: 'Commandstats', inDefault: false, inAll: true, lines: commandstatsSection },
  { name: 'errorstats', title: 'Errorstats', inDefault: true, inAll: true, lines: errorstatsSection },
  { name: 'latencystats', title: 'Latencystats', inDefault: false, inAll: true, lines: latencystatsSection },
  { name: 'cluster', title: 'Cluster', inDefault: true, inAll: true, lines: () => ['cluster_enabled:0'] },
  { name: 'keyspace', title: 'Keyspace', inDefault: true, inAll: true, lines: keyspaceSection },
];

/** The INFO text for the requested sections (none: the default ones). */
export function infoText(server: Server, requested: string[]): string {
  const names = new Set(requested.map((s) => s.toLowerCase()));
  if (names.size === 0) names.add('default');
  const everything = names.has('everything') || names.has('all');
  const chosen = SECTIONS.filter((s) => names.has(s.name) || (s.inDefault && names.has('default')) || (s.inAll && everything));
  return chosen
    .map((section) => {
      const lines = section.lines(server);
      for (const extra of extensions.get(section.name) ?? []) lines.push(...extra(server));
      return `# ${section.title}\r\n${lines.map((l) => `${l}\r\n`).join('')}`;
    })
    .join('\r\n');
}

function info(c: Client, argv: Buffer[]): void {
  c.reply.verbatim(infoText(c.server, argv.slice(1).map(keyword)));
}

export const infoCommands: HandlerTable = { info };
