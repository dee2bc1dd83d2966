// Starting and stopping a server: openServer() for any embedding (tests),
// start() for the CLI process with its banner, signals and SHUTDOWN exit.
import { Config } from './config.js';
import { Logger } from './server/logger.js';
import { DurableLog } from './server/durability.js';
import { Server } from './server/server.js';
import type { WalOptions } from './wal/write-ahead-log.js';
import { VELOCITYDB_VERSION, REDIS_VERSION } from './version.js';

/** What tests change under the log: the file layer (to inject faults) and the segment size. */
export type OpenOptions = Pick<WalOptions, 'files' | 'segmentSize'>;

/**
 * Listens per config (port 0 picks a free port), then recovers the log of
 * config.dir. As in Redis, clients can connect meanwhile: INFO says
 * loading:1 and commands without the loading flag answer -LOADING.
 */
export async function openServer(config: Config, logger = new Logger(config), options: OpenOptions = {}): Promise<Server> {
  const server = new Server(config, logger);
  server.loading = true;
  await server.listen();
  try {
    await DurableLog.open(server, options);
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}

export async function start(config: Config): Promise<Server> {
  const logger = new Logger(config);
  const server = await openServer(config, logger);
  logger.notice(
    `VelocityDB ${VELOCITYDB_VERSION} (Redis ${REDIS_VERSION} protocol) started: port=${server.port} bind=${config.bind} durability=${config.durability} batch-max=${config.batchMax} dir=${config.dir} pid=${process.pid}`,
  );
  logger.notice(`Ready to accept connections tcp port=${server.port}`);
  const stop = (signal: string) => {
    logger.notice(`Received ${signal}, shutting down`);
    void server.shutdown();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  // SHUTDOWN and the signals all end here.
  void server.stopped.then(() => process.exit(0));
  return server;
}
