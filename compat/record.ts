// Records real Redis's replies to the compat scripts:
//   npm run compat:record [script...]     (all scripts when none is named)
// Starts its own throwaway redis-server, so no running Redis is touched.
import { execFileSync } from 'node:child_process';
import { relative } from 'node:path';
import { writeRecording } from './recording.js';
import { normalizeAll, runScript } from './runner.js';
import { familyName, listFamilies, loadScript, SCRIPTS_DIR } from './script.js';
import { startRedis } from './servers.js';

const version = /v=(\S+)/.exec(execFileSync('redis-server', ['--version']).toString())?.[1];
const names = process.argv.slice(2);
const families = names.length > 0 ? names.map(familyName) : listFamilies(SCRIPTS_DIR, '.txt');
const redis = await startRedis();
try {
  for (const family of families) {
    const script = loadScript(family);
    const results = await runScript(script, redis.port);
    const failed = results.find((r) => r.error !== undefined);
    if (failed) throw new Error(`${family}.txt:${failed.line}: ${failed.error} (check its @frames count)`);
    const path = writeRecording(family, { recordedFrom: `redis-server ${version}`, script: `${family}.txt`, lines: normalizeAll(script, results) });
    console.log(`${relative(process.cwd(), path)}: ${results.length} replies`);
  }
} finally {
  await redis.stop();
}
