// Runs the compat scripts against a real redis-server and VelocityDB side by
// side and prints every line whose replies differ (exit 1 if any):
//   npm run compat:live [-- [--port N] [script...]]
// Both servers are started here (VelocityDB from dist/, so build first);
// --port N uses a server already listening on port N instead of VelocityDB.
import { compareResults, normalizeAll, runScript } from './runner.js';
import { familyName, listFamilies, loadScript, SCRIPTS_DIR } from './script.js';
import { startRedis, startVelocityDb, type RunningServer } from './servers.js';

const args = process.argv.slice(2);
const portFlag = args.indexOf('--port');
const targetPort = portFlag >= 0 ? Number(args.splice(portFlag, 2)[1]) : undefined;
const families = args.length > 0 ? args.map(familyName) : listFamilies(SCRIPTS_DIR, '.txt');

const servers: RunningServer[] = [];
let differing = 0;
try {
  const redis = await startRedis();
  servers.push(redis);
  let port = targetPort;
  if (port === undefined) {
    const velocity = await startVelocityDb();
    servers.push(velocity);
    port = velocity.port;
  }
  for (const family of families) {
    const script = loadScript(family);
    const expected = normalizeAll(script, await runScript(script, redis.port));
    const diffs = compareResults(script, expected, await runScript(script, port));
    differing += diffs.length;
    console.log(diffs.length === 0 ? `ok    ${family} (${expected.length} lines)` : `FAIL  ${family}: ${diffs.length} of ${expected.length} lines differ`);
    for (const diff of diffs) console.log(diff);
  }
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}
process.exitCode = differing > 0 ? 1 : 0;
