// The write-ahead log: numbers opaque entries, commits them in adaptive
// batches (DESIGN.md "Durability protocol", seed-adaptive-batch-flushing.md)
// and reports the durable sequence number. It knows nothing about commands.
//
// Files in dir:
//   wal-NNNNNN.log   segments, preallocated with zeros, frames back to back
//   base-NNNNNN.log  a compaction snapshot: the state just before the first
//                    entry of wal-NNNNNN.log
//   *.tmp            unfinished creations and a spare segment, removed at start
// The log is the newest base (if any) followed by every segment numbered from
// it on. A compaction writes base-N as a .tmp, fsyncs it and renames it in
// (then fsyncs the directory), so a crash leaves either the old chain or the
// new one, both complete; older files are removed after that.
//
// Ordering rule that makes recovery decidable: a segment gets no write
// before every write to the previous one is fsynced. A bad frame followed
// only by zeros in the last segment holding data is therefore the torn last
// write of a crash; anywhere else it is corruption.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FrameBuilder, HEADER_SIZE, isZeroFrom, scanSegment, type Payload } from './frame.js';
import { nodeFileLayer, type FileLayer } from './file-layer.js';

export type Durability = 'adaptive' | 'always' | 'everysec' | 'none';
type FileMode = Exclude<Durability, 'none'>;

export interface WalOptions {
  dir: string;
  durability: Durability;
  /** Most entries per batch; 0 means no cap. */
  batchMax: number;
  /** fdatasync calls kept in flight in adaptive mode (default DEFAULT_FSYNC_CONCURRENCY). */
  fsyncConcurrency?: number;
  /** Bytes preallocated per segment (default 64 MiB). */
  segmentSize?: number;
  /** Truncate at corruption instead of refusing to start (keeps a copy). */
  repair?: boolean;
  files?: FileLayer;
  log?: (msg: string) => void;
}

/** Receives one entry during recovery; snapshot entries get the sequence number the snapshot reflects. */
export type ApplyEntry = (payload: Buffer, seq: number) => void;
/**
 * Writes a snapshot through append, which copies each payload before it
 * returns. The snapshot is of the state when the writer is called; it may
 * write it out over later turns, resolving once it is all appended.
 */
export type SnapshotWriter = (append: (payload: Payload) => void) => void | Promise<void>;

export interface WalStats {
  mode: Durability;
  batchMax: number;
  fsyncConcurrency: number;
  healthy: boolean;
  /** Entries and batches (frames) sealed, bytes written to segments, and completed fdatasyncs. */
  entries: number;
  batches: number;
  fsyncs: number;
  bytes: number;
  /** Over the most recent fsyncs (bounded sample), in microseconds. */
  fsyncLatencyUs: { p50: number; p99: number; p999: number };
  /** Sizes of the last 16 batches sealed, oldest first. */
  recentBatchSizes: number[];
  durableSeq: number;
  lastSeq: number;
}

export class WalCorruptionError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    reason: string,
  ) {
    super(
      `write-ahead log is corrupt in ${file} at offset ${offset} (${reason}); refusing to start, since replaying ` +
        `past this point would lose or reorder acknowledged writes. Start with --wal-repair to truncate the log ` +
        `there (the damaged file is kept as a .corrupt-<time> copy).`,
    );
    this.name = 'WalCorruptionError';
  }
}

const DEFAULT_SEGMENT_SIZE = 64 * 1024 * 1024;
/**
 * fdatasyncs kept in flight in adaptive mode. With one, the frames sealed
 * while it runs are written together and covered by the next: against 2,
 * that halved the fdatasyncs and their thread hand-offs on the server's core,
 * and was faster at redis-benchmark -c 50 in 17 of 21 alternating rounds
 * (SET and INCR, -P 1 to -P 1000, one core per server; INCR -P 1 58-62K
 * against 53-56K ops/s, -P 128 909-995K against 795-874K), 5-13% slower at
 * -c 1 -P 1000, where the core has time to spare. (2 had beaten 4 the same way.)
 */
export const DEFAULT_FSYNC_CONCURRENCY = 1;
const SNAPSHOT_FRAME_BYTES = 1 << 20;
/** The smallest buffer a batch's frame starts in (Node's Buffer pool serves it). */
const MIN_BATCH_FRAME = 2048;
const PROGRESS_STEP = 1 << 20;
const LATENCY_SAMPLES = 1024;
const RECENT_BATCHES = 16;
const EVERYSEC_MS = 1000;
const COMPACTION_TMP = 'base-next.log.tmp';

const fileNumber = (no: number): string => String(no).padStart(6, '0');
const segmentName = (no: number): string => `wal-${fileNumber(no)}.log`;
const baseName = (no: number): string => `base-${fileNumber(no)}.log`;
const spareName = (no: number): string => `wal-${fileNumber(no)}.spare.tmp`;
const SEGMENT_RE = /^wal-(\d{6,})\.log$/;
const BASE_RE = /^base-(\d{6,})\.log$/;

interface Segment {
  no: number;
  path: string;
  fd: number;
  size: number;
  /** Where the next frame is written. */
  offset: number;
}

interface OpenBatch {
  firstSeq: number;
  frame: FrameBuilder;
}

interface SealedFrame {
  kind: 'frame';
  frame: Buffer;
  lastSeq: number;
  count: number;
}

/** A queue marker: frames after it go to segment no. */
interface Roll {
  kind: 'roll';
  no: number;
  segment: Segment | null;
  /** Held until a compaction has installed its base (see runCompaction). */
  gated: boolean;
  /** Dropped from the queue; its segment, once ready, is just closed. */
  cancelled: boolean;
  ready: Promise<Segment>;
}

interface SyncTicket {
  /** The last sequence number written when the fdatasync was called. */
  seq: number;
  done: boolean;
  startedAt: number;
}

interface FileEnd {
  end: number;
  hasData: boolean;
  torn: string | null;
}

interface LogFile {
  path: string;
  no: number;
  isBase: boolean;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

export class WriteAheadLog {
  private mode: Durability;
  private batchMax: number;
  private readonly dir: string;
  private concurrency: number;
  private readonly segmentSize: number;
  private readonly repair: boolean;
  private readonly files: FileLayer;
  private readonly log: (msg: string) => void;

  private last = 0;
  /** Durable point in the file modes (in none, everything is). */
  private durable = 0;
  /** Last sequence number written to a segment, and the last one an issued fdatasync covers. */
  private written = 0;
  private syncRequested = 0;
  /** Highest sequence number reported through onFailure. */
  private failedThrough = 0;

  private open: OpenBatch = this.newBatch();
  private turnEndScheduled = false;
  /** Sealed frames and segment switches, in log order, not yet carried out. */
  private pending: (SealedFrame | Roll)[] = [];
  private pumping = false;
  private segment: Segment | null = null;
  /** Where the last queued frame will land: decides rolls at seal time. */
  private planned = { no: 0, offset: 0, size: 0 };
  private prepared: { no: number; ready: Promise<Segment> } | null = null;
  /** A segment a compaction retired, kept to be made the next one (see createSegment). */
  private spare: string | null = null;
  private tickets: SyncTicket[] = [];
  private inflight = 0;

  private failure: Error | null = null;
  /** The gated roll of a running compaction: frames sealed meanwhile wait behind it. */
  private gate: Roll | null = null;
  /** Compactions and durability switches run one at a time. */
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private closing = false;
  private closed = false;
  private waiters: { cond: () => boolean; resolve: () => void }[] = [];
  private readonly durableListeners: ((durableSeq: number) => void)[] = [];
  private readonly failureListeners: ((err: Error, fromSeq: number, toSeq: number) => void)[] = [];

  private entryCount = 0;
  private batchCount = 0;
  private fsyncCount = 0;
  private byteCount = 0;
  private readonly latencies = new Float64Array(LATENCY_SAMPLES);
  private recentSizes: number[] = [];

  /**
   * Opens the log in opts.dir, replaying every entry through apply (snapshot
   * first, then the segments in order). A torn last write is truncated;
   * corruption before that rejects with WalCorruptionError unless opts.repair.
   * In 'none' mode nothing is read or created.
   */
  static async open(
    opts: WalOptions,
    apply: ApplyEntry,
    progress?: (loadedBytes: number, totalBytes: number) => void,
  ): Promise<WriteAheadLog> {
    const wal = new WriteAheadLog(opts);
    if (opts.durability !== 'none') await wal.recover(apply, progress ?? (() => {}));
    if (opts.durability === 'everysec') wal.startTimer();
    return wal;
  }

  private constructor(opts: WalOptions) {
    this.mode = opts.durability;
    this.batchMax = checkCount('batchMax', opts.batchMax, 0);
    this.dir = opts.dir;
    this.concurrency = checkCount('fsyncConcurrency', opts.fsyncConcurrency ?? DEFAULT_FSYNC_CONCURRENCY, 1);
    this.segmentSize = checkCount('segmentSize', opts.segmentSize ?? DEFAULT_SEGMENT_SIZE, 1);
    this.repair = opts.repair ?? false;
    this.files = opts.files ?? nodeFileLayer;
    this.log = opts.log ?? (() => {});
  }

  get lastSeq(): number {
    return this.last;
  }

  get durableSeq(): number {
    return this.mode === 'none' ? this.last : this.durable;
  }

  /** False after a write or fdatasync failure, until a compaction succeeds. */
  get healthy(): boolean {
    return this.failure === null;
  }

  /** The failure that made the log unhealthy. */
  get error(): Error | null {
    return this.failure;
  }

  get durability(): Durability {
    return this.mode;
  }

  /** Called with the new durable sequence number whenever it advances. */
  onDurable(cb: (durableSeq: number) => void): void {
    this.durableListeners.push(cb);
  }

  /**
   * Called with sequence numbers that will never become durable: the entries
   * pending when a write or fdatasync failed, and every entry appended while
   * the log is unhealthy (at the end of the turn that appended it).
   */
  onFailure(cb: (err: Error, fromSeq: number, toSeq: number) => void): void {
    this.failureListeners.push(cb);
  }

  /**
   * Gives the entry its sequence number. The log keeps a reference to payload
   * until the batch is sealed (at the latest when the current event-loop turn
   * ends): do not modify it before then.
   */
  append(payload: Payload): number {
    this.frameForEntry()?.add(payload);
    return this.entryAdded();
  }

  /** append(buf.subarray(start, end)), without the view; the bytes are copied at once. */
  appendRange(buf: Buffer, start: number, end: number): number {
    this.frameForEntry()?.addRange(buf, start, end);
    return this.entryAdded();
  }

  /** The open batch's frame, for the next entry (null in none). */
  private frameForEntry(): FrameBuilder | null {
    this.assertOpen();
    if (this.mode === 'none') return null;
    const batch = this.open;
    if (batch.frame.count === 0) batch.firstSeq = this.last + 1;
    return batch.frame;
  }

  /** Numbers the entry just added; seals its batch when full. */
  private entryAdded(): number {
    const seq = ++this.last;
    const max = this.mode === 'always' ? 1 : this.batchMax;
    if (this.mode !== 'none' && max > 0 && this.open.frame.count >= max) this.seal();
    else this.scheduleTurnEnd();
    return seq;
  }

  setBatchMax(n: number): void {
    this.batchMax = checkCount('batchMax', n, 0);
    if (n > 0 && this.open.frame.count >= n) this.seal();
  }

  /** Changes how many fdatasyncs adaptive mode keeps in flight; those running finish as they are. */
  setFsyncConcurrency(n: number): void {
    this.concurrency = checkCount('fsyncConcurrency', n, 1);
    this.syncIfSlot(false);
  }

  /**
   * Switches the durability mode. Between file modes it takes effect at once.
   * To 'none' it stops logging and closes the files (they stay on disk, now
   * stale). From 'none' the files lack everything written meanwhile, so the
   * switch needs writeSnapshot and starts a new log from it, as compact() does;
   * entries appended during that switch are acknowledged once it completes.
   */
  setDurability(mode: Durability, writeSnapshot?: SnapshotWriter): Promise<void> {
    return this.serial(async () => {
      this.assertOpen();
      if (mode === this.mode) return;
      if (mode === 'none') {
        await this.stopLogging();
      } else if (this.mode === 'none') {
        if (!writeSnapshot) {
          throw new Error(`switching durability from none to ${mode} needs a snapshot: the log files lack what was written without them`);
        }
        await this.listDirectory();
        await this.runCompaction(writeSnapshot, mode);
      } else {
        this.switchFileMode(mode);
      }
    });
  }

  /**
   * Replaces the log with a base holding the snapshot writeSnapshot produces
   * (it must describe the state after lastSeq when it is called), followed
   * by the entries appended after it, then removes the older files. On an
   * unhealthy log this is the way back to health: entries appended while it
   * runs are held and written once the base is in place.
   */
  compact(writeSnapshot: SnapshotWriter): Promise<void> {
    return this.serial(async () => {
      this.assertOpen();
      if (this.mode === 'none') throw new Error('compact() needs a durability mode with files');
      await this.runCompaction(writeSnapshot);
    });
  }

  stats(): WalStats {
    const sample = Array.from(this.latencies.subarray(0, Math.min(this.fsyncCount, LATENCY_SAMPLES))).sort((a, b) => a - b);
    const at = (p: number): number => (sample.length === 0 ? 0 : Math.round(sample[Math.min(sample.length - 1, Math.floor(p * sample.length))]));
    return {
      mode: this.mode,
      batchMax: this.batchMax,
      fsyncConcurrency: this.concurrency,
      healthy: this.healthy,
      entries: this.entryCount,
      batches: this.batchCount,
      fsyncs: this.fsyncCount,
      bytes: this.byteCount,
      fsyncLatencyUs: { p50: at(0.5), p99: at(0.99), p999: at(0.999) },
      recentBatchSizes: [...this.recentSizes],
      durableSeq: this.durableSeq,
      lastSeq: this.last,
    };
  }

  /** Commits what is open, waits for the fdatasyncs in flight and closes the files. Appending afterwards throws. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    this.closing = true;
    this.stopTimer();
    this.seal();
    this.syncIfSlot(true);
    await this.until(() => this.pending.length === 0 && this.inflight === 0 && (this.failure !== null || this.written === this.syncRequested));
    await this.releaseFiles();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('write-ahead log is closed');
  }

  // ---- batching -------------------------------------------------------------

  private scheduleTurnEnd(): void {
    if (this.turnEndScheduled) return;
    this.turnEndScheduled = true;
    setImmediate(this.onTurnEnd);
  }

  /**
   * Seals now what the end of this turn would seal: for a caller that
   * handled input in a setImmediate of its own, whose appends would
   * otherwise wait for the end of the next turn.
   */
  endTurn(): void {
    if (this.turnEndScheduled) this.onTurnEnd();
  }

  // setImmediate runs after the I/O callbacks of this loop iteration, so every
  // connection's input read in this turn is in the batch it seals.
  private readonly onTurnEnd = (): void => {
    this.turnEndScheduled = false;
    if (this.mode === 'none') this.advanceDurable(this.last);
    else this.seal();
  };

  /** An empty open batch; sizeHint: the last one's frame size, likely this one's too. */
  private newBatch(sizeHint = 0): OpenBatch {
    return { firstSeq: 0, frame: new FrameBuilder(Math.max(sizeHint, MIN_BATCH_FRAME)) };
  }

  private seal(): void {
    const batch = this.open;
    const count = batch.frame.count;
    if (count === 0) return;
    this.open = this.newBatch(batch.frame.length);
    const lastSeq = batch.firstSeq + count - 1;
    if (this.failure && !this.gate) {
      this.reportFailure(this.failure, batch.firstSeq, lastSeq);
      return;
    }
    const frame = batch.frame.finish(batch.firstSeq);
    if (this.planned.offset + frame.length > this.planned.size) this.pushRoll(this.planned.no + 1, Math.max(this.segmentSize, frame.length), false);
    this.pending.push({ kind: 'frame', frame, lastSeq, count });
    this.planned.offset += frame.length;
    this.entryCount += count;
    this.batchCount++;
    this.recentSizes.push(count);
    if (this.recentSizes.length > RECENT_BATCHES) this.recentSizes.shift();
    this.pump();
  }

  /** Carries out queued frames and segment switches as far as the rules allow. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let item = this.pending[0]; item !== undefined; item = this.pending[0]) {
        if (item.kind === 'roll') {
          const next = this.rollTarget(item);
          if (!next) break;
          this.pending.shift();
          if (this.segment) this.files.close(this.segment.fd);
          this.segment = next;
        } else {
          // 'always' is the one-fsync-per-write baseline: nothing is written
          // while an fdatasync is in flight. In adaptive, frames sealed while
          // every fdatasync slot is busy wait, to be written together, in one
          // write, when one frees: no fdatasync could cover them sooner.
          if (this.mode === 'always' && this.inflight > 0) break;
          if (this.mode === 'adaptive' && this.inflight >= this.concurrency) break;
          this.write(this.takeFrames());
        }
      }
    } finally {
      this.pumping = false;
    }
    this.settle();
  }

  /** The frame at the head of the queue; in adaptive, every frame up to the next segment switch. */
  private takeFrames(): SealedFrame[] {
    const frames = [this.pending.shift() as SealedFrame];
    if (this.mode !== 'adaptive') return frames;
    for (let item = this.pending[0]; item?.kind === 'frame'; item = this.pending[0]) frames.push(this.pending.shift() as SealedFrame);
    return frames;
  }

  private write(frames: SealedFrame[]): void {
    const segment = this.segment;
    if (!segment) throw new Error('write-ahead log: a frame was queued without a segment');
    const bytes = frames.length === 1 ? frames[0].frame : Buffer.concat(frames.map((f) => f.frame));
    try {
      this.files.writeSync(segment.fd, bytes, segment.offset);
    } catch (err) {
      this.fail(asError(err));
      return;
    }
    segment.offset += bytes.length;
    this.byteCount += bytes.length;
    this.written = frames[frames.length - 1].lastSeq;
    if (this.mode === 'everysec') this.advanceDurable(this.written);
    else this.syncIfSlot(false);
    this.prepareAhead(segment);
  }

  // ---- fdatasync ------------------------------------------------------------

  /**
   * Starts an fdatasync covering everything written, when there is something
   * new and a free slot. everysec only syncs on its timer, before a segment
   * switch and at close (evenInEverysec).
   */
  private syncIfSlot(evenInEverysec: boolean): void {
    const segment = this.segment;
    if (!segment || this.failure || this.written === this.syncRequested) return;
    if (this.mode === 'everysec' && !evenInEverysec && !this.closing) return;
    if (this.inflight >= (this.mode === 'adaptive' ? this.concurrency : 1)) return;
    const ticket: SyncTicket = { seq: this.written, done: false, startedAt: performance.now() };
    this.syncRequested = this.written;
    this.inflight++;
    this.tickets.push(ticket);
    this.files.fdatasync(segment.fd).then(
      () => this.synced(ticket, null),
      (err: unknown) => this.synced(ticket, asError(err)),
    );
  }

  private synced(ticket: SyncTicket, err: Error | null): void {
    ticket.done = true;
    this.inflight--;
    this.latencies[this.fsyncCount % LATENCY_SAMPLES] = (performance.now() - ticket.startedAt) * 1000;
    this.fsyncCount++;
    if (err) this.fail(err);
    // Completions may come out of order; the durable point only moves over a
    // prefix of completed fdatasyncs, and never past a failed one.
    let covered = 0;
    while (this.tickets.length > 0 && this.tickets[0].done) {
      covered = this.tickets[0].seq;
      this.tickets.shift();
    }
    // The replies this one covers are released before the next fdatasync
    // starts (after writing the frames that waited for the slot). Started
    // first, its thread took the core from the event loop for the syscall's
    // ~55 us of CPU before those replies left; released first, -c 50 -P 16
    // ran 2-14% faster (12 of 12 alternating rounds, SET and INCR), -P 1,
    // -P 128 and -P 1000 the same within the noise.
    if (!this.failure && this.mode !== 'everysec') this.advanceDurable(covered);
    this.pump();
    this.syncIfSlot(false);
    this.settle();
  }

  private advanceDurable(seq: number): void {
    if (seq <= this.durable) return;
    this.durable = seq;
    for (const cb of this.durableListeners) cb(seq);
  }

  // ---- segments -------------------------------------------------------------

  /** Queues a switch to segment no; frames sealed after this go there. */
  private pushRoll(no: number, size: number, gated: boolean): Roll {
    const roll: Roll = { kind: 'roll', no, segment: null, gated, cancelled: false, ready: this.segmentFor(no, size) };
    roll.ready.then(
      (segment) => {
        if (roll.cancelled) {
          this.files.close(segment.fd);
          return;
        }
        roll.segment = segment;
        this.pump();
      },
      (err: unknown) => {
        if (roll.cancelled) return;
        // Nothing can be written past a segment that cannot be created.
        this.pending = this.pending.filter((item) => item !== roll);
        this.fail(asError(err));
        this.pump();
      },
    );
    this.pending.push(roll);
    this.planned = { no, offset: 0, size };
    return roll;
  }

  /** The segment to switch to, once the switch is allowed. */
  private rollTarget(roll: Roll): Segment | null {
    if (this.segment) {
      // The ordering rule: the old segment must be fully synced first.
      this.syncIfSlot(true);
      if (this.inflight > 0 || (!this.failure && this.written !== this.syncRequested)) return null;
    }
    return roll.gated ? null : roll.segment;
  }

  private async segmentFor(no: number, size: number): Promise<Segment> {
    const prepared = this.prepared?.no === no ? this.prepared.ready : null;
    if (prepared) this.prepared = null;
    const segment = await (prepared ?? this.createSegment(no, size));
    if (segment.size < size) {
      // A batch larger than the prepared segment: grow it.
      await this.files.zeroFill(segment.fd, segment.size, size - segment.size);
      await this.files.fdatasync(segment.fd);
      segment.size = size;
    }
    return segment;
  }

  /**
   * Zero-filled, synced and renamed into place, so a crash never leaves a
   * half-made segment. A retired segment is zero-filled in place of a new
   * file: its pages are in the page cache, where a new file's must be
   * allocated first (64 MiB took 15-110 ms of kernel time that way here,
   * with the state of free memory, against 8-10 ms over cached pages).
   */
  private async createSegment(no: number, size: number): Promise<Segment> {
    const path = join(this.dir, segmentName(no));
    const spare = await this.takeSpare();
    const tmp = spare?.path ?? `${path}.tmp`;
    const fd = spare?.fd ?? (await this.files.open(tmp, true));
    try {
      if (spare !== null) await this.files.ftruncate(fd, size);
      await this.files.zeroFill(fd, 0, size);
      await this.files.fdatasync(fd);
      await this.files.rename(tmp, path);
      await this.files.fsyncDir(this.dir);
    } catch (err) {
      this.files.close(fd);
      throw err;
    }
    return { no, path, fd, size, offset: 0 };
  }

  /** The spare segment, opened, or null when there is none or it cannot be opened (it is only a shortcut). */
  private async takeSpare(): Promise<{ path: string; fd: number } | null> {
    const path = this.spare;
    this.spare = null;
    if (path === null) return null;
    try {
      return { path, fd: await this.files.open(path, false) };
    } catch {
      return null;
    }
  }

  /** Past half of the live segment, make the next one in the background. */
  private prepareAhead(segment: Segment): void {
    if (this.prepared || this.planned.no !== segment.no || segment.offset * 2 < segment.size) return;
    this.prepare(segment.no + 1);
  }

  private prepare(no: number): { no: number; ready: Promise<Segment> } {
    const ready = this.createSegment(no, this.segmentSize);
    // A failure surfaces when a roll takes this segment.
    ready.catch(() => {});
    return (this.prepared = { no, ready });
  }

  /**
   * Waits until the segment after the planned one has been made (zero-filled
   * and synced: about half a second for 64 MiB here), so that a roll to it
   * makes no write wait for that.
   */
  private async prepareNext(): Promise<void> {
    for (;;) {
      const no = this.planned.no + 1;
      const prepared = this.prepared ?? this.prepare(no);
      if (prepared.no !== no) throw new Error(`segment ${prepared.no} was prepared, ${no} is next`);
      try {
        await prepared.ready;
      } catch (err) {
        // The next attempt makes it afresh.
        if (this.prepared === prepared) this.prepared = null;
        throw err;
      }
      // A roll may have taken it meanwhile: then the one after it is next.
      if (this.prepared === prepared && this.planned.no + 1 === no) return;
    }
  }

  private cancelRolls(): void {
    for (const item of this.pending) {
      if (item.kind !== 'roll') continue;
      item.cancelled = true;
      if (item.segment) this.files.close(item.segment.fd);
    }
  }

  // ---- failure --------------------------------------------------------------

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.log(`write-ahead log failed (${err.message}); writes fail until a compaction succeeds`);
    this.dropUnwritten();
  }

  /** Fails the open batch and every queued frame. */
  private dropUnwritten(): void {
    this.open = this.newBatch();
    this.pending = this.pending.filter((item) => item.kind === 'roll');
    if (this.failure) this.reportFailure(this.failure, this.durable + 1, this.last);
  }

  private reportFailure(err: Error, fromSeq: number, toSeq: number): void {
    const from = Math.max(fromSeq, this.failedThrough + 1);
    if (from > toSeq) return;
    this.failedThrough = toSeq;
    for (const cb of this.failureListeners) cb(err, from, toSeq);
  }

  // ---- compaction and mode switches ------------------------------------------

  private serial(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task);
    // The next task runs whatever the outcome of this one.
    this.chain = run.catch(() => {});
    return run;
  }

  /**
   * With a healthy live segment, entries after the snapshot keep flowing into
   * the next segment and are acknowledged as usual: until the base is
   * installed, recovery replays the old chain, which that segment continues.
   * Without one (unhealthy, or no files yet) the old chain is not a prefix of
   * the state, so the switch to the next segment is gated: those entries wait
   * until the base is in place.
   */
  private async runCompaction(writeSnapshot: SnapshotWriter, enterMode?: FileMode): Promise<void> {
    // Entries after the snapshot go to the next segment: made first, while they still flow into this one.
    if (this.segment !== null && this.failure === null) await this.prepareNext();
    const tmp = join(this.dir, COMPACTION_TMP);
    const fd = await this.files.open(tmp, true);
    let fdOpen = true;
    let roll: Roll | null = null;
    try {
      // From here to the snapshot writer's call nothing yields: the snapshot
      // is the state after exactly snapshotSeq.
      if (enterMode) {
        this.durable = this.last;
        this.mode = enterMode;
        if (enterMode === 'everysec') this.startTimer();
      }
      const gated = this.failure !== null || this.segment === null;
      this.seal();
      if (gated) {
        this.cancelRolls();
        this.pending = [];
      }
      roll = this.pushRoll(this.planned.no + 1, this.segmentSize, gated);
      if (gated) this.gate = roll;
      const snapshotSeq = this.last;
      await this.writeSnapshot(fd, writeSnapshot, snapshotSeq + 1);

      await this.files.fdatasync(fd);
      fdOpen = false;
      this.files.close(fd);
      if (gated) {
        await roll.ready;
        // Errors of fdatasyncs on the abandoned chain must not reach the new one.
        await this.until(() => this.inflight === 0);
      }
      await this.files.rename(tmp, join(this.dir, baseName(roll.no)));
      await this.files.fsyncDir(this.dir);
      if (gated) {
        this.gate = null;
        roll.gated = false;
        // The base covers the old chain: nothing written there needs an fdatasync now.
        this.syncRequested = this.written;
        this.failure = null;
        this.advanceDurable(snapshotSeq);
        this.pump();
      }
    } catch (err) {
      if (fdOpen) this.files.close(fd);
      await this.files.unlink(tmp).catch(() => {});
      if (roll?.gated) {
        roll.gated = false;
        this.gate = null;
        this.failure ??= asError(err);
        this.dropUnwritten();
        this.pump();
      }
      throw err;
    }
    await this.removeOlderThan(roll.no);
  }

  /** Writes the snapshot frames; each frame's firstSeq is the seq the log continues at. */
  private async writeSnapshot(fd: number, writeSnapshot: SnapshotWriter, nextSeq: number): Promise<void> {
    let builder = new FrameBuilder();
    let pos = 0;
    let finished = false;
    const flush = (): void => {
      const frame = builder.finish(nextSeq);
      this.files.writeSync(fd, frame, pos);
      pos += frame.length;
      builder = new FrameBuilder(frame.length);
    };
    try {
      await writeSnapshot((payload) => {
        if (finished) throw new Error('snapshot append called after writeSnapshot returned');
        builder.add(payload);
        if (builder.length - HEADER_SIZE >= SNAPSHOT_FRAME_BYTES) flush();
      });
    } finally {
      finished = true;
    }
    // Even an empty snapshot gets a frame: it records where the log continues.
    if (builder.count > 0 || pos === 0) flush();
  }

  /**
   * Best effort: leftovers are harmless, recovery ignores and removes them.
   * One retired segment is kept as the spare, under a name of its own (a
   * .tmp: a restart removes it, as closing the log does), for createSegment
   * to reuse: one the log has rolled past, so nothing writes to it or syncs
   * it any more.
   */
  private async removeOlderThan(no: number): Promise<void> {
    try {
      for (const name of await this.files.readdir(this.dir)) {
        const segment = SEGMENT_RE.exec(name);
        const match = segment ?? BASE_RE.exec(name);
        const fileNo = match ? Number(match[1]) : no;
        if (fileNo >= no) continue;
        const path = join(this.dir, name);
        if (segment && this.spare === null && this.segment !== null && fileNo < this.segment.no) {
          const spare = join(this.dir, spareName(fileNo));
          await this.files.rename(path, spare);
          this.spare = spare;
        } else await this.files.unlink(path);
      }
    } catch (err) {
      this.log(`compaction could not remove the files it replaced: ${asError(err).message}`);
    }
  }

  private switchFileMode(mode: FileMode): void {
    if (this.mode === 'everysec') this.stopTimer();
    this.mode = mode;
    if (mode === 'everysec') {
      this.startTimer();
      if (!this.failure) this.advanceDurable(this.written);
    }
    this.syncIfSlot(false);
    this.pump();
  }

  private async stopLogging(): Promise<void> {
    this.stopTimer();
    this.mode = 'none';
    this.open = this.newBatch();
    this.cancelRolls();
    this.pending = [];
    this.advanceDurable(this.last);
    await this.until(() => this.inflight === 0);
    await this.releaseFiles();
    this.failure = null;
  }

  private async releaseFiles(): Promise<void> {
    if (this.segment) this.files.close(this.segment.fd);
    this.segment = null;
    const prepared = this.prepared;
    this.prepared = null;
    if (prepared) await prepared.ready.then((segment) => this.files.close(segment.fd), () => {});
    // Best effort, as its removal at the next start.
    const spare = this.spare;
    this.spare = null;
    if (spare !== null) await this.files.unlink(spare).catch(() => {});
  }

  private startTimer(): void {
    this.timer = setInterval(() => this.syncIfSlot(true), EVERYSEC_MS);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private until(cond: () => boolean): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ cond, resolve }));
  }

  private settle(): void {
    if (this.waiters.length === 0) return;
    this.waiters = this.waiters.filter((w) => {
      if (!w.cond()) return true;
      w.resolve();
      return false;
    });
  }

  // ---- recovery -------------------------------------------------------------

  /** Creates dir, removes unfinished files and returns the log chain: newest base, then its segments. */
  private async listDirectory(): Promise<LogFile[]> {
    await this.files.mkdir(this.dir);
    const bases: number[] = [];
    const segments: number[] = [];
    for (const name of await this.files.readdir(this.dir)) {
      if (name.endsWith('.tmp')) await this.files.unlink(join(this.dir, name));
      const base = BASE_RE.exec(name);
      if (base) bases.push(Number(base[1]));
      const segment = SEGMENT_RE.exec(name);
      if (segment) segments.push(Number(segment[1]));
    }
    // What the last run renamed into place may not be durable yet: make it so
    // before removing files on the strength of it.
    await this.files.fsyncDir(this.dir);
    const base = bases.length > 0 ? Math.max(...bases) : null;
    this.planned = { no: Math.max(0, ...bases, ...segments), offset: 0, size: 0 };
    const chain: LogFile[] = base === null ? [] : [{ path: join(this.dir, baseName(base)), no: base, isBase: true }];
    for (const no of segments.sort((a, b) => a - b)) {
      if (base === null || no >= base) chain.push({ path: join(this.dir, segmentName(no)), no, isBase: false });
    }
    if (base !== null) {
      for (const no of bases) if (no < base) await this.files.unlink(join(this.dir, baseName(no)));
      for (const no of segments) if (no < base) await this.files.unlink(join(this.dir, segmentName(no)));
    }
    return chain;
  }

  private async recover(apply: ApplyEntry, progress: (loadedBytes: number, totalBytes: number) => void): Promise<void> {
    let chain = await this.listDirectory();
    const sizes = await Promise.all(chain.map((file) => this.files.size(file.path)));
    const total = sizes.reduce((a, b) => a + b, 0);
    // The size of the whole load is known before the first byte is read.
    progress(0, total);
    let loaded = 0;
    let reported = 0;
    let expected: number | null = null;
    /** Per file: where its valid data ends, whether it holds any, and why its tail is torn. */
    const ends: FileEnd[] = [];

    for (let i = 0; i < chain.length; i++) {
      const file = chain[i];
      const prev = chain[i - 1];
      let bad: { offset: number; reason: string } | null = null;
      if (prev && !file.isBase && file.no !== (prev.isBase ? prev.no : prev.no + 1)) {
        bad = { offset: 0, reason: `${segmentName(prev.isBase ? prev.no : prev.no + 1)} is missing before it` };
      }
      let end = 0;
      let hasData = false;
      let torn: string | null = null;
      if (!bad) {
        const scan = scanSegment(await this.files.readFile(file.path));
        for (const frame of scan.frames) {
          if (expected !== null && frame.firstSeq !== expected) {
            bad = { offset: frame.offset, reason: `frame starts at sequence ${frame.firstSeq}, ${expected} expected` };
            break;
          }
          // Snapshot entries all describe the state just before firstSeq.
          for (let k = 0; k < frame.entries.length; k++) apply(frame.entries[k], file.isBase ? frame.firstSeq - 1 : frame.firstSeq + k);
          expected = file.isBase ? frame.firstSeq : frame.firstSeq + frame.entries.length;
          end = frame.end;
          hasData = true;
          if (loaded + end - reported >= PROGRESS_STEP) {
            reported = loaded + end;
            progress(reported, total);
          }
        }
        if (!bad && scan.tail.kind !== 'clean') {
          if (scan.tail.kind === 'corrupt') bad = scan.tail;
          else if (file.isBase) bad = { offset: scan.tail.offset, reason: `${scan.tail.reason} in a snapshot, which is written whole` };
          else if (await this.laterHoldsData(chain.slice(i + 1))) bad = { offset: scan.tail.offset, reason: `${scan.tail.reason}, with data in later segments` };
          else {
            torn = scan.tail.reason;
            hasData = true;
          }
        }
      }
      if (bad) {
        if (!this.repair) throw new WalCorruptionError(file.path, bad.offset, bad.reason);
        await this.repairAt(chain, i, bad.offset, bad.reason, sizes[i]);
        if (bad.offset > 0) ends.push({ end: bad.offset, hasData: true, torn: null });
        chain = chain.slice(0, bad.offset > 0 ? i + 1 : i);
        break;
      }
      ends.push({ end, hasData, torn });
      loaded += sizes[i];
      reported = loaded;
      progress(loaded, total);
    }

    this.last = this.durable = this.written = this.syncRequested = this.failedThrough = expected === null ? 0 : expected - 1;
    await this.adoptLiveSegment(chain, ends, sizes);
  }

  private async laterHoldsData(later: LogFile[]): Promise<boolean> {
    for (const file of later) if (!isZeroFrom(await this.files.readFile(file.path), 0)) return true;
    return false;
  }

  /** --wal-repair: keep a copy, cut the log at offset of chain[i] and set the files after it aside. */
  private async repairAt(chain: LogFile[], i: number, offset: number, reason: string, size: number): Promise<void> {
    const suffix = `.corrupt-${Date.now()}`;
    const file = chain[i];
    if (offset > 0) {
      await this.files.copyFile(file.path, file.path + suffix);
      await this.files.fsyncDir(this.dir);
      const fd = await this.files.open(file.path, false);
      try {
        await this.files.ftruncate(fd, offset);
        // A segment stays preallocated; a base just ends there.
        if (!file.isBase) await this.files.zeroFill(fd, offset, size - offset);
        await this.files.fdatasync(fd);
      } finally {
        this.files.close(fd);
      }
      this.log(`wal repair: ${file.path} is corrupt at offset ${offset} (${reason}); truncated there, the original is kept as ${file.path}${suffix}`);
    }
    for (const later of chain.slice(offset > 0 ? i + 1 : i)) {
      await this.files.rename(later.path, later.path + suffix);
      this.log(`wal repair: ${later.path} follows the corruption; moved aside as ${later.path}${suffix}`);
    }
    await this.files.fsyncDir(this.dir);
  }

  /** Continues writing after the data of the last segment that holds any, or in a new one. */
  private async adoptLiveSegment(chain: LogFile[], ends: FileEnd[], sizes: number[]): Promise<void> {
    let live = -1;
    for (let i = 0; i < chain.length; i++) if (!chain[i].isBase && (live < 0 || ends[i].hasData)) live = i;
    if (live < 0) {
      // Only a base (its segments start at its number) or nothing at all.
      const no = chain.length > 0 ? chain[0].no : this.planned.no + 1;
      this.segment = await this.createSegment(no, this.segmentSize);
      this.planned = { no, offset: 0, size: this.segmentSize };
      return;
    }
    for (const empty of chain.slice(live + 1)) await this.files.unlink(empty.path);
    const { path, no } = chain[live];
    const { end, torn } = ends[live];
    const size = sizes[live];
    const fd = await this.files.open(path, false);
    if (torn) {
      this.log(`${path}: dropped a torn write at offset ${end} (${torn}), the last write before a crash`);
      await this.files.ftruncate(fd, end);
      await this.files.zeroFill(fd, end, size - end);
    }
    // A crashed process may have left replayed data only in the page cache.
    await this.files.fdatasync(fd);
    this.segment = { no, path, fd, size, offset: end };
    this.planned = { no, offset: end, size };
  }
}
