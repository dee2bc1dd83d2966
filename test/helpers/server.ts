// An in-process VelocityDB on a free loopback port, for integration tests.
// Without durability it takes snapshots all along, checked (snapshot-check.ts):
// suites call assertSnapshots after each test, and stop() fails on what is left.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config } from '../../src/config.js';
import { Logger } from '../../src/server/logger.js';
import type { Server } from '../../src/server/server.js';
import { openServer, type OpenOptions } from '../../src/start.js';
import { checkSnapshots } from './snapshot-check.js';

export interface TestServer {
  port: number;
  server: Server;
  dir: string;
  /** Fails if a snapshot taken since the last call did not match the keyspace it began from. */
  assertSnapshots(): Promise<void>;
  stop(): Promise<void>;
}

function assertNone(problems: string[]): void {
  if (problems.length > 0) throw new Error(`snapshots taken meanwhile were wrong:\n${problems.join('\n')}`);
}

export async function startServer(overrides: Partial<Config> = {}, options: OpenOptions = {}): Promise<TestServer> {
  const dir = overrides.dir ?? mkdtempSync(join(tmpdir(), 'velocitydb-test-'));
  const config = new Config({ port: 0, bind: '127.0.0.1', durability: 'none', ...overrides, dir });
  const server = await openServer(config, new Logger({ logLevel: 'warning' }), options);
  // A log's own compactions take snapshots: one at a time.
  const snapshots = config.durability === 'none' ? checkSnapshots(server) : null;
  return {
    port: server.port,
    server,
    dir,
    async assertSnapshots() {
      assertNone((await snapshots?.settle()) ?? []);
    },
    async stop() {
      await snapshots?.stop();
      const problems = (await snapshots?.settle()) ?? [];
      await server.shutdown();
      if (!overrides.dir) rmSync(dir, { recursive: true, force: true });
      assertNone(problems);
    },
  };
}
