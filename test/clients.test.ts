// Real clients with their default options against VelocityDB: ioredis 5
// (RESP2) and 6 (RESP3 by default), node-redis 5 (RESP2) and 6 (RESP3 by
// default), each in RESP2 and RESP3.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis as Redis5 } from 'ioredis5';
import { Redis as Redis6 } from 'ioredis';
import { createClient as createClient5 } from 'redis5';
import { createClient as createClient6 } from 'redis';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
test.before(async () => {
  server = await startServer({ requirepass: '' });
});
test.after.each(() => server.assertSnapshots());
test.after(async () => {
  await server.stop();
});

interface Basic {
  set(k: string, v: string): Promise<unknown>;
  get(k: string): Promise<unknown>;
  incr(k: string): Promise<unknown>;
  quit(): Promise<unknown>;
}

async function exercise(client: Basic, prefix: string): Promise<void> {
  assert.is(await client.set(`${prefix}:k`, 'v'), 'OK');
  assert.is(await client.get(`${prefix}:k`), 'v');
  assert.is(await client.get(`${prefix}:missing`), null);
  assert.is(await client.incr(`${prefix}:n`), 1);
  assert.is(await client.incr(`${prefix}:n`), 2);
}

for (const [name, Redis, options] of [
  ['ioredis 5 (RESP2)', Redis5, {}],
  ['ioredis 6 default (RESP3)', Redis6, {}],
  ['ioredis 6 RESP2', Redis6, { protocol: 2 }],
] as const) {
  test(`${name}: connects with defaults and works`, async () => {
    const client = new (Redis as typeof Redis6)({ port: server.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, ...options });
    client.on('error', () => {});
    await client.connect();
    await exercise(client, name);
    const hello = await client.call('HELLO');
    assert.ok(hello, 'HELLO answers');
    const [selected] = await Promise.all([client.select(1), client.set('db1', 'x')]);
    assert.is(selected, 'OK');
    await client.quit();
  });
}

for (const [name, createClient, options] of [
  ['node-redis 5 (RESP2)', createClient5, {}],
  ['node-redis 5 RESP3', createClient5, { RESP: 3 }],
  ['node-redis 6 default (RESP3)', createClient6, {}],
  ['node-redis 6 RESP2', createClient6, { RESP: 2 }],
] as const) {
  test(`${name}: connects with defaults and works`, async () => {
    const client = (createClient as typeof createClient6)({ socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: false }, ...options } as never);
    client.on('error', () => {});
    await client.connect();
    await exercise(client as unknown as Basic, name);
    assert.is(await client.sendCommand(['ECHO', 'hi']), 'hi');
    await client.close();
  });
}

test('node-redis 6 with a database and a name selects and names the connection', async () => {
  const client = createClient6({ socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: false }, database: 3, name: 'app-1' });
  client.on('error', () => {});
  await client.connect();
  await client.set('indb3', 'yes');
  assert.is(await client.sendCommand(['CLIENT', 'GETNAME']), 'app-1');
  await client.close();
  const check = new Redis5({ port: server.port, db: 3, lazyConnect: true });
  await check.connect();
  assert.is(await check.get('indb3'), 'yes');
  await check.quit();
});

test('ioredis pipelines keep reply order', async () => {
  const client = new Redis6({ port: server.port, lazyConnect: true });
  await client.connect();
  const pipeline = client.pipeline();
  for (let i = 0; i < 500; i++) pipeline.set(`p${i}`, String(i)).get(`p${i}`);
  const results = await pipeline.exec();
  assert.is(results?.length, 1000);
  results?.forEach(([error, value], i) => {
    assert.is(error, null);
    assert.is(value, i % 2 === 0 ? 'OK' : String((i - 1) / 2));
  });
  await client.quit();
});

test.run();
