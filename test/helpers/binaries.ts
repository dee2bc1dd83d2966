// External programs the integration tests drive (redis-cli, redis-benchmark,
// redis-server). In CI a missing binary fails the run; elsewhere the test is
// skipped with a message saying so.
import { execFile, spawnSync } from 'node:child_process';

export function haveBinary(name: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
  if (found) return true;
  if (process.env.CI) throw new Error(`${name} is required in CI (apt-get install redis-server redis-tools)`);
  console.warn(`SKIPPED: ${name} is not installed (apt-get install redis-server redis-tools); these tests did not run`);
  return false;
}

/**
 * Runs a program to completion, resolving to its stdout (rejecting with its
 * stderr on a non-zero exit, or when it runs longer than timeoutMs).
 * Asynchronous, so that a server in this process keeps answering it.
 */
export function run(name: string, args: string[], input?: string | Buffer, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(name, args, { encoding: 'latin1', maxBuffer: 64 << 20, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${name} ${args.join(' ')}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
    child.stdin?.end(input);
  });
}
