// SmallReads: the small reads of a turn wait for its end and are handed
// over together, each connection's in order, after one look at all of them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SmallReads, type ReadTaker } from '../../src/server/input.js';

const turnEnd = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A ReadTaker that records what it was handed, as text, into log. */
function taker(name: string, log: string[]): ReadTaker & { views: Buffer[] } {
  const views: Buffer[] = [];
  return {
    gathered: false,
    views,
    take(chunk) {
      views.push(chunk);
      log.push(`${name}:${chunk.toString()}`);
    },
  };
}

function gatherer(bytes?: number): { reads: SmallReads; log: string[] } {
  const log: string[] = [];
  const reads = new SmallReads(
    (gathered) => log.push(`inspect:${gathered.toString()}`),
    () => log.push('done'),
    bytes,
  );
  return { reads, log };
}

test('small reads wait for the end of the turn, then go in order after one look at all of them', async () => {
  const { reads, log } = gatherer();
  const a = taker('a', log);
  const b = taker('b', log);
  const chunk = Buffer.from('PING');
  reads.read(a, chunk);
  chunk.write('ECHO'); // a read's bytes are reused once the call returns
  reads.read(b, chunk);
  reads.read(a, Buffer.from('INCR'));
  assert.equal(log, [], 'nothing before the end of the turn');
  assert.ok(a.gathered && b.gathered);
  await turnEnd();
  assert.equal(log, ['inspect:PINGECHOINCR', 'a:PING', 'b:ECHO', 'a:INCR', 'done']);
  assert.ok(!a.gathered && !b.gathered);
  assert.is(a.views[0].toString(), '\0\0\0\0', 'what was handed over is zeroed after');
  await turnEnd();
  assert.is(log.length, 5, 'one hand-over a turn, and none without reads');
});

test("a large read goes at once, after its own connection's gathered reads", async () => {
  const { reads, log } = gatherer();
  const a = taker('a', log);
  const b = taker('b', log);
  const large = Buffer.alloc(600, 'x');
  reads.read(a, Buffer.from('one'));
  reads.read(b, large);
  assert.equal(log, [`b:${large}`], "another connection's large read does not wait, nor hands over a's");
  reads.read(a, large);
  assert.equal(log, [`b:${large}`, 'inspect:one', 'a:one', `a:${large}`]);
  await turnEnd();
  assert.equal(log.slice(4), ['done']);
});

test('reads past the room gathered hand over what was gathered first', async () => {
  const { reads, log } = gatherer(8);
  const a = taker('a', log);
  reads.read(a, Buffer.from('12345'));
  reads.read(a, Buffer.from('6789'));
  assert.equal(log, ['inspect:12345', 'a:12345']);
  await turnEnd();
  assert.equal(log, ['inspect:12345', 'a:12345', 'inspect:6789', 'a:6789', 'done']);
});

test.run();
