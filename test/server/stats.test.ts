// INFO commandstats and latencystats: a command's time runs from the end of
// the command before it in the same read, so a command run later, outside
// any read, must not be charged the time in between.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis5';
import { connect, waitFor } from '../durability/helpers.js';
import { startServer } from '../helpers/server.js';

const PAUSE_MS = 600;

/** The fields of INFO commandstats' line for a command. */
function commandStats(text: string, name: string): Record<string, number> {
  const line = text.split('\r\n').find((l) => l.startsWith(`cmdstat_${name}:`));
  if (!line) throw new Error(`no cmdstat_${name} in ${text}`);
  return Object.fromEntries(line.slice(line.indexOf(':') + 1).split(',').map((field) => field.split('=')).map(([k, v]) => [k, Number(v)]));
}

test('commands are counted and timed by themselves, a pipeline and a postponed command alike', async () => {
  const s = await startServer();
  const pauser = await connect(s.port);
  const writer = await connect(s.port);
  const client = new Redis({ port: s.port });
  const info = (section: string): Promise<string> => client.info(section);
  try {
    writer.send(['SET', 'a', '1'], ['GET', 'a'], ['INCR', 'a'], ['HGET', 'a', 'f']);
    const pipelineReplies = '+OK\r\n$1\r\n1\r\n:2\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
    await waitFor(() => writer.received().length >= pipelineReplies.length, 'the pipeline');
    assert.is(writer.received(), pipelineReplies);
    const before = await info('commandstats');
    assert.equal(commandStats(before, 'set').calls, 1);
    assert.equal(commandStats(before, 'get').calls, 1);
    assert.equal(commandStats(before, 'hget').failed_calls, 1);

    // The SET waits for the pause to end and then runs from a timer, not from a read.
    pauser.send(['CLIENT', 'PAUSE', String(PAUSE_MS), 'WRITE']);
    await waitFor(() => pauser.received() === '+OK\r\n', 'CLIENT PAUSE');
    writer.send(['SET', 'b', '2']);
    const all = `${pipelineReplies}+OK\r\n`;
    await waitFor(() => writer.received().length >= all.length, 'the postponed SET');
    const set = commandStats(await info('commandstats'), 'set');
    assert.is(set.calls, 2);
    // Charged the wait, the two SETs would take nearly all of it.
    assert.ok(set.usec < (PAUSE_MS * 1000) / 2, `SET's ${set.usec} usec leave out the ${PAUSE_MS} ms it waited`);
    assert.match(await info('latencystats'), /\r\nlatency_percentiles_usec_set:p50=[\d.]+,p99=[\d.]+,p99\.9=[\d.]+\r\n/);
  } finally {
    pauser.close();
    writer.close();
    client.disconnect();
    await s.stop();
  }
});

test('latency-tracking no hides latencystats and records nothing; CONFIG RESETSTAT drops the histograms', async () => {
  const s = await startServer();
  const client = new Redis({ port: s.port });
  const latencyLines = async (): Promise<string[]> =>
    (await client.info('latencystats')).split('\r\n').filter((line) => line.startsWith('latency_percentiles_usec_'));
  const names = async (): Promise<string[]> => (await latencyLines()).map((line) => line.slice('latency_percentiles_usec_'.length, line.indexOf(':')));
  try {
    await client.set('a', '1');
    assert.ok((await names()).includes('set'));
    await client.config('SET', 'latency-tracking', 'no');
    await client.get('a');
    assert.equal(await latencyLines(), [], 'nothing shown while tracking is off');
    await client.config('SET', 'latency-tracking', 'yes');
    const afterOff = await names();
    assert.ok(afterOff.includes('set'), 'what was recorded before is kept');
    assert.not.ok(afterOff.includes('get'), 'the GET ran while tracking was off');
    await client.config('RESETSTAT');
    await client.get('a');
    const afterReset = await names();
    assert.ok(afterReset.includes('get'));
    assert.not.ok(afterReset.includes('set'), 'RESETSTAT dropped the histograms');
  } finally {
    client.disconnect();
    await s.stop();
  }
});

test.run();
