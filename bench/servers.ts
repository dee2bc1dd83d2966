// Starting the servers a benchmark compares (real redis-server and VelocityDB
// from dist/) on free ports, and running redis-benchmark against them.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RunningServer {
  name: string;
  port: number;
  process: ChildProcess;
  dir: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

async function launch(name: string, command: string, args: (port: number, dir: string) => string[]): Promise<RunningServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'velocitydb-bench-'));
  const child = spawn(command, args(port, dir), { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port, child);
  return {
    name,
    port,
    process: child,
    dir,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** redis-server with extra config directives, e.g. ['--appendonly', 'yes']. */
export function startRedis(name: string, directives: string[]): Promise<RunningServer> {
  return launch(name, 'redis-server', (port, dir) => ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...directives]);
}

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** VelocityDB from dist/ (run `npm run build` first) with extra flags. */
export function startVelocity(name: string, flags: string[]): Promise<RunningServer> {
  return launch(name, process.execPath, (port, dir) => [cli, '--port', String(port), '--dir', dir, ...flags]);
}

export interface BenchResult {
  rps: number;
  p50: number;
  p99: number;
}

/** One redis-benchmark test (e.g. 'set') with -c clients and -P pipeline depth. */
export function redisBenchmark(port: number, test: string, clients: number, pipeline: number, requests: number): BenchResult {
  const out = execFileSync('redis-benchmark', ['-p', String(port), '-t', test, '-c', String(clients), '-P', String(pipeline), '-n', String(requests), '-r', '100000', '--csv'], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  const row = out.trim().split('\n')[1].split(',').map((f) => f.replace(/"/g, ''));
  return { rps: Number(row[1]), p50: Number(row[4]), p99: Number(row[6]) };
}
