// Starting and stopping a server process: banner, signals, SHUTDOWN.
import { Config } from './config.js';
import { Logger } from './server/logger.js';
import { Server } from './server/server.js';
import { VELOCITYDB_VERSION, REDIS_VERSION } from './version.js';

export async function start(config: Config): Promise<Server> {
  const logger = new Logger(config);
  if (config.durability !== 'none') {
    throw new Error(`--durability ${config.durability} needs the write-ahead log, which this build does not have yet; use --durability none`);
  }
  const server = new Server(config, logger);
  await server.listen();
  logger.notice(
    `VelocityDB ${VELOCITYDB_VERSION} (Redis ${REDIS_VERSION} protocol) started: port=${server.port} bind=${config.bind} durability=${config.durability} batch-max=${config.batchMax} dir=${config.dir} pid=${process.pid}`,
  );
  logger.notice(`Ready to accept connections tcp port=${server.port}`);
  const stop = (signal: string) => {
    logger.notice(`Received ${signal}, shutting down`);
    void server.shutdown().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return server;
}
