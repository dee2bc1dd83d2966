// Replays every committed compat recording (real Redis's replies, see
// compat/README.md) against VelocityDB and requires the same bytes per line.
// COMPAT_PORT=N runs them against a server already listening on port N instead.
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readRecording } from '../compat/recording.js';
import { frameEnd } from '../compat/resp-frame.js';
import { compareResults, runScript } from '../compat/runner.js';
import { listFamilies, loadScript, parseScript, RECORDINGS_DIR } from '../compat/script.js';
import { freePort, startProcess, startVelocityDb, type RunningServer } from '../compat/servers.js';

// The harness itself: RESP3 types and attributes that Redis 7.0 never sends
// in the recordings, and the script directives.
test('frameEnd cuts one whole reply or says it is incomplete', () => {
  const frames = [
    '+OK\r\n', '-ERR x\r\n', ':-5\r\n', '_\r\n', ',1.5\r\n', '#t\r\n', '(123\r\n', '$-1\r\n', '*-1\r\n',
    '$3\r\na\r\n\r\n', '!3\r\nerr\r\n', '=7\r\ntxt:abc\r\n', '*2\r\n*1\r\n:1\r\n$0\r\n\r\n', '~0\r\n',
    '%1\r\n+k\r\n*1\r\n:2\r\n', '>2\r\n+a\r\n+b\r\n', '|1\r\n+key\r\n+val\r\n:7\r\n',
  ];
  for (const frame of frames) {
    const buf = Buffer.from(`${frame}+NEXT\r\n`, 'latin1');
    assert.is(frameEnd(buf, 0), frame.length, frame);
    for (let cut = 0; cut < frame.length; cut++) assert.is(frameEnd(buf.subarray(0, cut), 0), -1, `${frame} cut at ${cut}`);
  }
  assert.is(frameEnd(Buffer.from('xx:1\r\n'), 2), 6);
  assert.throws(() => frameEnd(Buffer.from('?1\r\n'), 0));
});

test('script lines: prefixes, @raw repetition, connection directives', () => {
  const steps = parseScript('# comment\n\n@sorted @frames 2 SUBSCRIBE "a b" c\n@raw "*" 3*12 "\\r\\n"\n@resp3\n@newconn\n@sleep 5\nGET k', 'test.txt');
  assert.equal(steps.map((s) => s.kind), ['command', 'raw', 'hello', 'newconn', 'sleep', 'command']);
  const [subscribe, raw] = steps;
  assert.ok(subscribe.kind === 'command' && subscribe.compare === 'sorted' && subscribe.frames === 2 && subscribe.line === 3);
  assert.equal(subscribe.kind === 'command' && subscribe.argv.map(String), ['SUBSCRIBE', 'a b', 'c']);
  assert.is(raw.kind === 'raw' && raw.bytes.toString(), '*121212\r\n');
  assert.throws(() => parseScript('@bogus GET k', 'test.txt'), /test.txt:1: unknown directive @bogus/);
  assert.throws(() => parseScript('GET "k', 'test.txt'), /unbalanced quotes/);
});

test('a server whose port was taken after the probe is started again on another', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const takenPort = (taken.address() as { port: number }).port;
  const ports = [takenPort, await freePort()];
  const offered: number[] = [];
  const nextPort = async (): Promise<number> => {
    const port = ports[offered.length];
    offered.push(port);
    return port;
  };
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  let server: RunningServer | null = null;
  try {
    server = await startProcess('velocitydb', process.execPath, (port, dir) => [cli, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--durability', 'none'], nextPort);
    assert.equal(offered, ports);
    assert.is(server.port, ports[1]);
  } finally {
    await server?.stop();
    taken.close();
  }
});

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
