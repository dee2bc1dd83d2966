// Throwaway servers for compat runs and benchmarks: a real redis-server (the
// oracle) and VelocityDB from dist/, each on a free port with its own
// temporary directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export interface RunningServer {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const READY_TIMEOUT_MS = 1000;
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** A port that was free a moment ago: the kernel's pick for a listener on port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Whether the server on port answers a PING with anything but -LOADING: both
 * servers listen before they have loaded their data, and refuse commands
 * until then. (The floor server answers +OK.) A listener that does not
 * answer within READY_TIMEOUT_MS is not ours: another program has the port.
 */
function ready(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.setTimeout(READY_TIMEOUT_MS, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('data', (reply) => {
      socket.destroy();
      resolve(!reply.toString('latin1').startsWith('-LOADING'));
    });
    socket.once('error', () => resolve(false));
  });
}

/** Tries with another port when the free one was taken before the server could bind it. */
const START_ATTEMPTS = 3;
const ADDRESS_IN_USE = /address already in use/i;

/** Spawns `command args(port, dir)` and resolves once the server is ready for commands; nextPort picks each attempt's port. */
export async function startProcess(
  name: string,
  command: string,
  args: (port: number, dir: string) => string[],
  nextPort: () => Promise<number> = freePort,
): Promise<RunningServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnPort(name, command, args, await nextPort());
    } catch (err) {
      // Between freePort's probe and the server's bind, another socket (an
      // outgoing connection's ephemeral port, say) may have taken the port.
      if (attempt === START_ATTEMPTS || !ADDRESS_IN_USE.test((err as Error).message)) throw err;
    }
  }
}

async function startOnPort(name: string, command: string, args: (port: number, dir: string) => string[], port: number): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'velocitydb-server-'));
  const child: ChildProcess = spawn(command, args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
  // The tail of its output, to explain a failed start.
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await ready(port))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${name} did not start on port ${port}: ${output.trim() || `exit ${child.exitCode ?? child.signalCode}`}`);
    }
    await sleep(50);
  }
  return { port, pid: child.pid!, stop };
}

/** redis-server without RDB snapshots; directives add to its configuration (by default no AOF either). */
export function startRedis(directives = ['--appendonly', 'no'], name = 'redis'): Promise<RunningServer> {
  return startProcess(name, 'redis-server', (port, dir) => ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...directives]);
}

/** VelocityDB as built by `npm run build` with extra flags (by default in memory only). */
export function startVelocityDb(flags = ['--durability', 'none'], name = 'velocitydb'): Promise<RunningServer> {
  return startProcess(name, process.execPath, (port, dir) => [CLI, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...flags]);
}
