// Typed settings of VelocityDB with their defaults. The CONFIG GET/SET
// parameter table (Redis 7.0's names) lives in config-table.ts and reads and
// writes these fields.
import { DEFAULT_FSYNC_CONCURRENCY } from './wal/write-ahead-log.js';

export type Durability = 'adaptive' | 'always' | 'everysec' | 'none';
export const DURABILITY_MODES: readonly Durability[] = ['adaptive', 'always', 'everysec', 'none'];

export class Config {
  port = 6379;
  bind = '127.0.0.1';
  dir = './data';
  durability: Durability = 'adaptive';
  /** Entries per log batch at most; 0 = no cap. */
  batchMax = 128;
  /** fdatasync calls kept in flight by the log. */
  fsyncConcurrency = DEFAULT_FSYNC_CONCURRENCY;
  walRepair = false;
  requirepass = '';
  databases = 16;
  maxclients = 10000;
  hz = 10;
  protoMaxBulkLen = 512 * 1024 * 1024;
  notifyKeyspaceEvents = '';
  /** INFO latencystats: per-command latency histograms. */
  latencyTracking = true;
  /** The config file given at start, for CONFIG REWRITE. */
  configFile = '';
  logLevel: 'debug' | 'verbose' | 'notice' | 'warning' = 'notice';
  /** Values of the Redis parameters VelocityDB keeps without acting on them, by name (config-table.ts). */
  readonly settings = new Map<string, unknown>();
  /** rename-command directives of the config file: [name, new name ('' removes it)], lowercase. */
  renamedCommands: [string, string][] = [];

  constructor(init: Partial<Config> = {}) {
    Object.assign(this, init);
  }
}
