#!/usr/bin/env node
// The velocitydb command: flags and a redis.conf-style file -> Config -> start().
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { Config, DURABILITY_MODES, type Durability } from './config.js';
import { applyConfigFile } from './config-table.js';
import { start } from './start.js';
import { DEFAULT_FSYNC_CONCURRENCY } from './wal/write-ahead-log.js';

const argv = yargs(hideBin(process.argv))
  .scriptName('velocitydb')
  .usage('$0 [options]\n\nA Redis-compatible server whose acknowledged writes survive crashes and power loss.')
  .option('port', { type: 'number', description: 'TCP port to listen on (0 picks a free port) [default: 6379]' })
  .option('bind', { type: 'string', description: 'Address to listen on [default: 127.0.0.1]' })
  .option('dir', { type: 'string', description: 'Directory of the write-ahead log [default: ./data]' })
  .option('durability', {
    choices: DURABILITY_MODES,
    description:
      'When a write is acknowledged: adaptive = after the fsync of its batch (batches sealed at --batch-max entries or when the input is drained), always = one fsync per write, everysec = fsync once a second (may lose 1 s), none = memory only [default: adaptive]',
  })
  .option('batch-max', { type: 'number', description: 'Most log entries per fsync batch in adaptive mode; 0 = no cap [default: 128]' })
  .option('fsync-concurrency', { type: 'number', description: `fdatasync calls the log keeps in flight in adaptive mode, at least 1 [default: ${DEFAULT_FSYNC_CONCURRENCY}]` })
  .option('requirepass', { type: 'string', description: 'Password clients must AUTH with (user "default")' })
  .option('config', { type: 'string', description: 'redis.conf-style file with Redis directive names; flags win over it' })
  .option('wal-repair', { type: 'boolean', description: 'Truncate the log at the first corrupt batch (after keeping a copy) instead of refusing to start' })
  .strict()
  .help()
  .version()
  .parseSync();

const config = new Config();
try {
  if (argv.config) {
    applyConfigFile(config, readFileSync(argv.config, 'latin1'), argv.config);
    config.configFile = argv.config;
  }
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
if (argv.port !== undefined) config.port = argv.port;
if (argv.bind !== undefined) config.bind = argv.bind;
if (argv.dir !== undefined) config.dir = argv.dir;
if (argv.durability !== undefined) config.durability = argv.durability as Durability;
if (argv['batch-max'] !== undefined) config.batchMax = argv['batch-max'];
if (argv['fsync-concurrency'] !== undefined) config.fsyncConcurrency = argv['fsync-concurrency'];
if (argv.requirepass !== undefined) config.requirepass = argv.requirepass;
if (argv['wal-repair']) config.walRepair = true;

start(config).catch((error: Error) => {
  process.stderr.write(`Failed to start: ${error.message}\n`);
  process.exit(1);
});
