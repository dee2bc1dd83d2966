// redis-cli and redis-benchmark, unchanged, against VelocityDB.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { haveBinary, run } from './helpers/binaries.js';
import { startServer, type TestServer } from './helpers/server.js';

const enabled = haveBinary('redis-cli') && haveBinary('redis-benchmark');
let server: TestServer;
const cli = (...args: string[]) => run('redis-cli', ['-p', String(server.port), ...args]);

test.before(async () => {
  server = await startServer();
});
test.after.each(() => server.assertSnapshots());
test.after(async () => {
  await server.stop();
});

if (enabled) {
  test('one-shot commands', async () => {
    assert.is(await cli('set', 'greeting', 'hello world'), 'OK\n');
    assert.is(await cli('get', 'greeting'), 'hello world\n');
    assert.is(await cli('incr', 'count'), '1\n');
    assert.is(await cli('get', 'nothing'), '\n');
    assert.is(await cli('get'), "ERR wrong number of arguments for 'get' command\n\n");
  });

  test('-n selects a database', async () => {
    assert.is(await cli('-n', '2', 'set', 'only-in-2', 'x'), 'OK\n');
    assert.is(await cli('-n', '2', 'get', 'only-in-2'), 'x\n');
    assert.is(await cli('get', 'only-in-2'), '\n');
  });

  test('--scan lists every key, with --pattern', async () => {
    for (let i = 0; i < 150; i++) await cli('set', `scan:${i}`, 'v');
    const all = (await cli('--scan', '--pattern', 'scan:*')).trim().split('\n').sort();
    assert.is(all.length, 150);
    assert.is(new Set(all).size, 150);
    assert.ok(all.includes('scan:149'));
  });

  test('--pipe loads a mass insert', async () => {
    let input = '';
    for (let i = 0; i < 1000; i++) input += `*3\r\n$3\r\nSET\r\n$${`pipe:${i}`.length}\r\npipe:${i}\r\n$1\r\n${i % 10}\r\n`;
    const out = await run('redis-cli', ['-p', String(server.port), '--pipe'], input);
    assert.match(out, /errors: 0, replies: 1000/);
    assert.is(await cli('get', 'pipe:999'), '9\n');
  });

  test('-3 speaks RESP3', async () => {
    assert.equal((await cli('-3', 'hello', '3')).split('\n').slice(0, 3), ['server redis', 'version 7.0.15', 'proto 3']);
    assert.is(await cli('-3', 'config', 'get', 'maxmemory'), 'maxmemory 0\n');
  });

  test('redis-benchmark runs set,get,incr,mset,ping with no error', async () => {
    const out = await run('redis-benchmark', ['-p', String(server.port), '-t', 'set,get,incr,mset,ping', '-n', '10000', '-q']);
    assert.not.match(out, /error/i);
    for (const name of ['SET', 'GET', 'INCR', 'MSET \\(10 keys\\)', 'PING_INLINE', 'PING_MBULK']) assert.match(out, new RegExp(`^${name}: [\\d.]+ requests per second`, 'm'));
  });
}

test.run();
