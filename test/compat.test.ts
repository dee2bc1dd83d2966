// Replays every committed compat recording (real Redis's replies, see
// compat/README.md) against VelocityDB and requires the same bytes per line.
// COMPAT_PORT=N runs them against a server already listening on port N instead.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readRecording } from '../compat/recording.js';
import { compareResults, runScript } from '../compat/runner.js';
import { listFamilies, loadScript, RECORDINGS_DIR } from '../compat/script.js';
import { startVelocityDb, type RunningServer } from '../compat/servers.js';

// Started by the first test rather than in a before hook: uvu ignores errors thrown by hooks.
let server: Promise<RunningServer> | undefined;

async function serverPort(): Promise<number> {
  if (process.env.COMPAT_PORT) return Number(process.env.COMPAT_PORT);
  server ??= startVelocityDb();
  return (await server).port;
}

test.after(async () => {
  await (await server?.catch(() => undefined))?.stop();
});

for (const family of listFamilies(RECORDINGS_DIR, '.json')) {
  test(`compat ${family}`, async () => {
    const script = loadScript(family);
    const diffs = compareResults(script, readRecording(family).lines, await runScript(script, await serverPort()));
    assert.ok(diffs.length === 0, `${diffs.length} lines differ from redis-server:\n${diffs.join('\n')}`);
  });
}

test.run();
