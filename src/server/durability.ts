// The write-ahead log wired into the server: recovery at start (every record
// replayed with `loading` set), held replies released as the durable point
// advances, writes refused after a log failure until a compaction heals it,
// run-time switches of mode and batch-max (CONFIG SET), automatic compaction
// as the log grows (Redis's auto-aof-rewrite-percentage/min-size), and the
// log's INFO persistence fields (with Redis's loading_* while recovery runs).
import { performance } from 'node:perf_hooks';
import { configValue, strerror } from '../config-table.js';
import { addInfoLines } from '../commands/info.js';
import { resetStats } from '../commands/config.js';
import type { Payload } from '../wal/frame.js';
import { WriteAheadLog, type WalOptions } from '../wal/write-ahead-log.js';
import type { Server } from './server.js';
import { writeSnapshot } from './snapshot.js';

/** How often an unhealthy log is retried with a compaction, as Redis retries a failed AOF write. */
const HEAL_RETRY_MS = 1000;
/** Progress lines during recovery, at most this often. */
const PROGRESS_LOG_MS = 1000;

/** Progress of a recovery in course, for INFO's loading_* fields (shown only while loading, as Redis does). */
interface LoadingProgress {
  /** Unix time in seconds. */
  startTime: number;
  totalBytes: number;
  loadedBytes: number;
}

const loadingProgress = new WeakMap<Server, LoadingProgress>();

/** Redis 7.0's loading_* fields of INFO persistence (rdbLoadProgressCallback's numbers, genRedisInfoString's ETA). */
function loadingLines(server: Server): string[] {
  const p = loadingProgress.get(server);
  if (!server.loading || !p) return [];
  const perc = p.totalBytes > 0 ? (p.loadedBytes / p.totalBytes) * 100 : 0;
  const remaining = p.totalBytes > 0 ? p.totalBytes - p.loadedBytes : 1;
  const elapsed = Math.floor(Date.now() / 1000) - p.startTime;
  const eta = elapsed === 0 ? 1 : Math.floor((elapsed * remaining) / (p.loadedBytes + 1));
  return [
    `loading_start_time:${p.startTime}`,
    `loading_total_bytes:${p.totalBytes}`,
    'loading_rdb_used_mem:0',
    `loading_loaded_bytes:${p.loadedBytes}`,
    `loading_loaded_perc:${perc.toFixed(2)}`,
    `loading_eta_seconds:${eta}`,
  ];
}

export class DurableLog {
  /** The running compaction, if any (BGREWRITEAOF, automatic, healing). */
  private rewriting: Promise<void> | null = null;
  private rewrites = 0;
  private rewriteFailures = 0;
  private lastRewriteStatus: 'ok' | 'err' = 'ok';
  private lastRewriteSec = -1;
  private rewriteStarted = 0;
  /** Size of the log's base (the replayed log at start, then each snapshot), and the segment bytes written when it was taken. */
  private baseSize = 0;
  private bytesAtBase = 0;
  private lastHealAttempt = 0;
  /**
   * Set while a switch from none to a file mode runs: writes until its
   * snapshot is taken are numbered in mode none, but their replies wait until
   * the new log holds them (CONFIG SET said OK to a mode that fsyncs).
   */
  private enteringLog = false;

  private constructor(
    private readonly server: Server,
    private readonly wal: WriteAheadLog,
  ) {
    wal.onDurable((seq) => {
      if (!this.enteringLog) server.logDurable(seq);
    });
    // The log itself reports the failure; writes are refused from here on.
    wal.onFailure((err, _from, to) => server.logFailed(to, strerror(err)));
  }

  /** Opens the log of config.dir and replays it into the server; in mode none nothing is read. */
  static async open(server: Server, options: Pick<WalOptions, 'files' | 'segmentSize'> = {}): Promise<DurableLog> {
    const { config, logger } = server;
    const started = performance.now();
    let records = 0;
    let bytes = 0;
    let lastProgress = started;
    const loading: LoadingProgress = { startTime: Math.floor(Date.now() / 1000), totalBytes: 0, loadedBytes: 0 };
    loadingProgress.set(server, loading);
    server.loading = true;
    let wal: WriteAheadLog;
    try {
      wal = await WriteAheadLog.open(
        {
          dir: config.dir,
          durability: config.durability,
          batchMax: config.batchMax,
          fsyncConcurrency: config.fsyncConcurrency,
          repair: config.walRepair,
          ...options,
          log: (message) => logger.warning(message),
        },
        (payload) => {
          server.replay(payload);
          records++;
          bytes += payload.length;
        },
        (loaded, total) => {
          loading.loadedBytes = loaded;
          loading.totalBytes = total;
          const now = performance.now();
          if (total === 0 || now - lastProgress < PROGRESS_LOG_MS) return;
          lastProgress = now;
          logger.notice(`Loading the write-ahead log: ${records} records, ${loaded} of ${total} file bytes read (${((loaded * 100) / total).toFixed(2)}%)`);
        },
      );
    } finally {
      server.loading = false;
      loadingProgress.delete(server);
    }
    if (config.durability !== 'none') {
      logger.notice(`DB loaded from the write-ahead log in ${config.dir}: ${records} records in ${((performance.now() - started) / 1000).toFixed(3)} seconds`);
    }
    // Replay is not activity: counters start from zero, as after Redis's load.
    server.dirty = 0;
    resetStats(server);
    const log = new DurableLog(server, wal);
    log.baseSize = bytes;
    server.lastSeq = server.durableSeq = wal.lastSeq;
    server.wal = wal.durability === 'none' ? null : wal;
    server.durableLog = log;
    // CONFIG SET during recovery changed the settings of a log not yet open.
    log.reconfigure();
    return log;
  }

  /**
   * Replaces the log with a snapshot of the keyspace (BGREWRITEAOF, growth,
   * healing); resolves when done, also on failure (which is logged and kept
   * for INFO). Joins a compaction already running.
   */
  rewrite(): Promise<void> {
    if (this.rewriting) return this.rewriting;
    this.rewriteStarted = performance.now();
    this.rewriting = this.wal.compact(this.snapshot).then(
      () => {
        this.rewrites++;
        this.rewriteFailures = 0;
        this.finishRewrite('ok');
        this.server.logger.notice(`Write-ahead log compacted: a ${this.baseSize}-byte base replaces the older segments`);
      },
      (err: Error) => {
        this.rewriteFailures++;
        this.finishRewrite('err');
        if (this.snapshotAbort.signal.aborted) this.server.logger.notice(`Write-ahead log compaction given up: ${err.message}`);
        else this.server.logger.warning(`Write-ahead log compaction failed: ${err.message}`);
      },
    );
    return this.rewriting;
  }

  /** Gives up the snapshot of a running compaction, and any not begun yet (at shutdown). */
  private readonly snapshotAbort = new AbortController();

  /** The snapshot writer of compactions and switches from none; it becomes the base growth is measured from. */
  private readonly snapshot = async (append: (payload: Payload) => void): Promise<void> => {
    const bytesAtStart = this.wal.stats().bytes;
    const { signal } = this.snapshotAbort;
    signal.throwIfAborted();
    this.baseSize = await writeSnapshot(this.server.keyspace, append, { signal });
    this.bytesAtBase = bytesAtStart;
  };

  private finishRewrite(status: 'ok' | 'err'): void {
    this.rewriting = null;
    this.lastRewriteStatus = status;
    this.lastRewriteSec = Math.round((performance.now() - this.rewriteStarted) / 1000);
    this.noteHealth();
  }

  /** A compaction or mode switch may have healed the log: writes are accepted again. */
  private noteHealth(): void {
    if (!this.wal.healthy || !this.server.logUnhealthy) return;
    this.server.logFailure = '';
    this.server.logger.notice('The write-ahead log is healthy again: writes are accepted');
  }

  /** From the server cron: retries an unhealthy log, compacts a grown one. */
  cron(now: number): void {
    if (this.rewriting || this.wal.durability === 'none') return;
    if (!this.wal.healthy) {
      if (now - this.lastHealAttempt < HEAL_RETRY_MS) return;
      this.lastHealAttempt = now;
      void this.rewrite();
      return;
    }
    const percentage = Number(configValue(this.server.config, 'auto-aof-rewrite-percentage'));
    if (percentage <= 0) return;
    const size = this.currentSize;
    if (size < Number(configValue(this.server.config, 'auto-aof-rewrite-min-size'))) return;
    // serverCron's rule: growth over the base, in percent.
    const growth = (size * 100) / (this.baseSize || 1) - 100;
    if (growth >= percentage) {
      this.server.logger.notice(`Starting automatic compaction of the write-ahead log: ${growth.toFixed(0)}% growth`);
      void this.rewrite();
    }
  }

  /** Bytes of the log: its base plus the segment bytes written since. */
  private get currentSize(): number {
    return this.baseSize + this.wal.stats().bytes - this.bytesAtBase;
  }

  /** After CONFIG SET: carries config.durability, batchMax and fsyncConcurrency over to the log. */
  reconfigure(): void {
    const { config, logger } = this.server;
    const stats = this.wal.stats();
    if (config.batchMax !== stats.batchMax) this.wal.setBatchMax(config.batchMax);
    if (config.fsyncConcurrency !== stats.fsyncConcurrency) this.wal.setFsyncConcurrency(config.fsyncConcurrency);
    const mode = config.durability;
    const from = this.wal.durability;
    if (mode === from) return;
    // Records get their numbers in the order the switch happens: from none,
    // the snapshot taken by the switch covers what is written until then.
    this.server.wal = mode === 'none' ? null : this.wal;
    if (from === 'none') this.enteringLog = true;
    this.wal
      .setDurability(mode, this.snapshot)
      .then(
        () => {
          logger.notice(`Durability switched from ${from} to ${mode}`);
          this.noteHealth();
        },
        (err: Error) => {
          logger.warning(`Switching durability from ${from} to ${mode} failed, staying at ${this.wal.durability}: ${err.message}`);
          config.durability = this.wal.durability;
          this.server.wal = this.wal.durability === 'none' ? null : this.wal;
        },
      )
      .finally(() => {
        if (from !== 'none') return;
        this.enteringLog = false;
        this.server.logDurable(this.wal.durableSeq);
      });
  }

  /** Commits what is pending and closes the files; a compaction under way is given up. */
  async close(): Promise<void> {
    this.snapshotAbort.abort(new Error('the server is shutting down'));
    await this.rewriting;
    await this.wal.close();
  }

  /** The log's INFO persistence fields: Redis's aof_* for an enabled AOF, then VelocityDB's wal_*. */
  infoLines(): string[] {
    const s = this.wal.stats();
    const lines: string[] = [];
    if (s.mode !== 'none') {
      lines.push(
        `aof_current_size:${this.currentSize}`,
        `aof_base_size:${this.baseSize}`,
        'aof_pending_rewrite:0',
        'aof_buffer_length:0',
        'aof_pending_bio_fsync:0',
        'aof_delayed_fsync:0',
      );
    }
    lines.push(
      `wal_durability:${s.mode}`,
      `wal_batch_max:${s.batchMax}`,
      `wal_fsync_concurrency:${s.fsyncConcurrency}`,
      `wal_entries:${s.entries}`,
      `wal_batches:${s.batches}`,
      `wal_fsyncs:${s.fsyncs}`,
      `wal_bytes:${s.bytes}`,
      `wal_fsync_latency_p50_usec:${s.fsyncLatencyUs.p50}`,
      `wal_fsync_latency_p99_usec:${s.fsyncLatencyUs.p99}`,
      `wal_fsync_latency_p999_usec:${s.fsyncLatencyUs.p999}`,
      `wal_recent_batch_sizes:${s.recentBatchSizes.join(',')}`,
      `wal_durable_seq:${s.durableSeq}`,
      `wal_last_seq:${s.lastSeq}`,
    );
    return lines;
  }

  /** Redis's aof_rewrite* fields, for the persistence section's own lines. */
  get rewriteInfo(): { inProgress: boolean; rewrites: number; failures: number; lastStatus: string; lastSec: number; currentSec: number } {
    return {
      inProgress: this.rewriting !== null,
      rewrites: this.rewrites,
      failures: this.rewriteFailures,
      lastStatus: this.lastRewriteStatus,
      lastSec: this.lastRewriteSec,
      currentSec: this.rewriting ? Math.round((performance.now() - this.rewriteStarted) / 1000) : -1,
    };
  }
}

addInfoLines('persistence', (server) => server.durableLog?.infoLines() ?? loadingLines(server));
