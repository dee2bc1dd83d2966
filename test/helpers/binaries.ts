// External programs the integration tests drive (redis-cli, redis-benchmark,
// redis-server). In CI a missing binary fails the run; elsewhere the test is
// skipped with a message saying so.
import { execFileSync, spawnSync } from 'node:child_process';

export function haveBinary(name: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
  if (found) return true;
  if (process.env.CI) throw new Error(`${name} is required in CI (apt-get install redis-server redis-tools)`);
  console.warn(`SKIPPED: ${name} is not installed (apt-get install redis-server redis-tools); these tests did not run`);
  return false;
}

/** Runs a program to completion; returns stdout (throws with stderr on a non-zero exit). */
export function run(name: string, args: string[], input?: string | Buffer): string {
  return execFileSync(name, args, { input, encoding: 'latin1', maxBuffer: 64 << 20, timeout: 60_000 });
}
