// Shared test scaffolding: a WAL over the fault layer whose replay is recorded,
// and a tiny key=value state machine to check snapshots against.
import { scanSegment } from '../../src/wal/frame.js';
import { WriteAheadLog, type WalOptions } from '../../src/wal/write-ahead-log.js';
import type { FaultFileLayer } from './fault-file-layer.js';

export const DIR = '/data/wal';

/** Lets pending setImmediate callbacks (turn ends, fsync completions) run. */
export function tick(turns = 1): Promise<void> {
  return turns <= 0 ? Promise.resolve() : new Promise((resolve) => setImmediate(() => resolve(tick(turns - 1))));
}

export interface Opened {
  wal: WriteAheadLog;
  /** Replayed entries, as seq:text. */
  replayed: string[];
  logs: string[];
  failures: [number, number][];
  durables: number[];
}

export async function openLog(files: FaultFileLayer, opts: Partial<WalOptions> = {}): Promise<Opened> {
  const replayed: string[] = [];
  const logs: string[] = [];
  const wal = await WriteAheadLog.open(
    { dir: DIR, durability: 'adaptive', batchMax: 128, segmentSize: 1 << 16, files, log: (m) => logs.push(m), ...opts },
    (payload, seq) => replayed.push(`${seq}:${payload.toString()}`),
  );
  const opened: Opened = { wal, replayed, logs, failures: [], durables: [] };
  wal.onFailure((_err, from, to) => opened.failures.push([from, to]));
  wal.onDurable((seq) => opened.durables.push(seq));
  return opened;
}

/** Resolves once durableSeq reaches seq (the test times out otherwise). */
export function durable(wal: WriteAheadLog, seq: number): Promise<void> {
  return new Promise((resolve) => {
    if (wal.durableSeq >= seq) return resolve();
    wal.onDurable((d) => d >= seq && resolve());
  });
}

export function appendAll(wal: WriteAheadLog, texts: string[]): number[] {
  return texts.map((t) => wal.append(Buffer.from(t)));
}

export function texts(prefix: string, n: number, from = 1): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${from + i}`);
}

/** The entries a recovery replays, as seq:text, when the log holds texts as seqs from.. */
export function numbered(list: string[], from = 1): string[] {
  return list.map((t, i) => `${from + i}:${t}`);
}

/** Entry counts of the frames in a segment file. */
export function frameSizes(files: FaultFileLayer, name: string): number[] {
  return scanSegment(files.read(`${DIR}/${name}`)).frames.map((f) => f.entries.length);
}

/** key=value entries applied in order. */
export function applyKv(replayed: string[]): Map<string, string> {
  const state = new Map<string, string>();
  for (const r of replayed) {
    const [k, v] = r.slice(r.indexOf(':') + 1).split('=');
    state.set(k, v);
  }
  return state;
}

/**
 * The seed's scenario table as the project reads it: a pipeline of `depth`
 * writes arriving in one turn commits as these batches (batch-max 128).
 */
export const SEED_SCENARIOS: [depth: number, batches: number[]][] = [
  [1, [1]],
  [2, [2]],
  [4, [4]],
  [32, [32]],
  [128, [128]],
  [256, [128, 128]],
  [512, [128, 128, 128, 128]],
  [1000, [128, 128, 128, 128, 128, 128, 128, 104]],
];
