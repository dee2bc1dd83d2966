// An in-process VelocityDB on a free loopback port, for integration tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config } from '../../src/config.js';
import { Logger } from '../../src/server/logger.js';
import type { Server } from '../../src/server/server.js';
import { openServer, type OpenOptions } from '../../src/start.js';

export interface TestServer {
  port: number;
  server: Server;
  dir: string;
  stop(): Promise<void>;
}

export async function startServer(overrides: Partial<Config> = {}, options: OpenOptions = {}): Promise<TestServer> {
  const dir = overrides.dir ?? mkdtempSync(join(tmpdir(), 'velocitydb-test-'));
  const config = new Config({ port: 0, bind: '127.0.0.1', durability: 'none', ...overrides, dir });
  const server = await openServer(config, new Logger({ logLevel: 'warning' }), options);
  return {
    port: server.port,
    server,
    dir,
    async stop() {
      await server.shutdown();
      if (!overrides.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
