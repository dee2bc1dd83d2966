// Starting and stopping a server: openServer() for any embedding (tests),
// start() for the CLI process with its banner, signals and SHUTDOWN exit.
import { Config } from './config.js';
import { Logger } from './server/logger.js';
import { Server } from './server/server.js';
import { VELOCITYDB_VERSION, REDIS_VERSION } from './version.js';

/** Creates a server listening per config (port 0 picks a free port). */
export async function openServer(config: Config, logger = new Logger(config)): Promise<Server> {
  if (config.durability !== 'none') {
    throw new Error(`--durability ${config.durability} needs the write-ahead log, which this build does not have yet; use --durability none`);
  }
  const server = new Server(config, logger);
  await server.listen();
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
