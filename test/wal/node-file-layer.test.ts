// The real node:fs layer end to end, in a temporary directory.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanSegment } from '../../src/wal/frame.js';
import { WalCorruptionError, WriteAheadLog, type WalOptions } from '../../src/wal/write-ahead-log.js';
import { durable, numbered, texts } from './helpers.js';

const SEGMENT = 64 * 1024;

async function open(dir: string, opts: Partial<WalOptions> = {}): Promise<{ wal: WriteAheadLog; replayed: string[] }> {
  const replayed: string[] = [];
  const wal = await WriteAheadLog.open({ dir, durability: 'adaptive', batchMax: 128, segmentSize: SEGMENT, ...opts }, (payload, seq) =>
    replayed.push(`${seq}:${payload.toString()}`),
  );
  return { wal, replayed };
}

test('node:fs: preallocated segments, replay, corruption refused and repaired, compaction', async () => {
  const root = fs.mkdtempSync(join(tmpdir(), 'velocitydb-wal-'));
  const dir = join(root, 'nested', 'wal');
  try {
    const first = await open(dir);
    const entries = texts('entry-', 3000);
    for (let i = 0; i < entries.length; i += 500) {
      for (const e of entries.slice(i, i + 500)) first.wal.append(Buffer.from(e));
      await durable(first.wal, i + 500);
    }
    await first.wal.close();
    const names = fs.readdirSync(dir).sort();
    assert.ok(names.length >= 2, names.join());
    for (const name of names) assert.is(fs.statSync(join(dir, name)).size, SEGMENT);

    const second = await open(dir);
    assert.equal(second.replayed, numbered(entries));
    await second.wal.close();

    // Bit rot in the first frame of the first segment.
    const seg1 = join(dir, 'wal-000001.log');
    const bytes = fs.readFileSync(seg1);
    bytes[scanSegment(bytes).frames[0].end - 3] ^= 0xff;
    fs.writeFileSync(seg1, bytes);
    await open(dir).then(
      () => assert.unreachable('open should fail'),
      (err: Error) => {
        assert.instance(err, WalCorruptionError);
        assert.ok(err.message.includes(`${seg1} at offset 0`), err.message);
      },
    );
    const repaired = await open(dir, { repair: true });
    assert.equal(repaired.replayed, []);
    assert.ok(fs.readdirSync(dir).some((n) => /^wal-000001\.log\.corrupt-\d+$/.test(n)));

    repaired.wal.append(Buffer.from('k=1'));
    await repaired.wal.compact((append) => append(Buffer.from('k=snapshot')));
    repaired.wal.append(Buffer.from('k=2'));
    await repaired.wal.close();
    assert.equal(
      fs.readdirSync(dir).filter((n) => !n.includes('.corrupt-')).sort(),
      ['base-000003.log', 'wal-000003.log'],
    );
    const last = await open(dir);
    assert.equal(last.replayed, ['1:k=snapshot', '2:k=2']);
    await last.wal.close();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test.run();
