// Client input: every connection reads into one shared buffer, as Redis 7.4
// reads into its reusable query buffer. Node's default read allocates 64 KiB
// per read, shrinks it to what came, and pushes it through a Readable stream;
// reading into a buffer handed to the socket (its documented `onread` option)
// skips all of that. Measured with redis-benchmark -c 50 SET and GET against
// the server pinned to one core, 3 alternating rounds: CPU time per request
// 25.7-30.3 -> 21.1-28.4 us at -P 1, 3.1-5.0 -> 2.5-4.1 us at -P 16.
//
// A read's bytes are valid only while onInput runs: the next read, of any
// connection, overwrites them. So whatever outlives the call is copied: the
// parser copies the unparsed rest, the dispatcher the commands it keeps
// (MULTI, blocked and paused clients), the reply writer the long bulks it
// would otherwise reference, and stored values are copies anyway. The bytes
// are zeroed after each use, so that a view kept by mistake reads zeros at
// once, where tests see it, rather than another client's later input.
import net from 'node:net';
import { copyBytes, view, viewOf } from '../resp/bytes.js';

/** Redis reads 16 KiB at a time (PROTO_IOBUF_LEN); Node, 64 KiB. */
const INPUT_BYTES = 64 * 1024;
const input = Buffer.allocUnsafeSlow(INPUT_BYTES);
const inputMemory = input.buffer as ArrayBuffer;

/** Whether b's bytes lie in the shared input buffer (and so change with the next read). */
export function isSharedInput(b: Uint8Array): boolean {
  return b.buffer === inputMemory;
}

/**
 * Takes over a connection a listener accepted paused (`pauseOnConnect`): the
 * returned socket has its handle and delivers every read's bytes to onInput,
 * as a view of the shared buffer. The accepted socket is let go (the listener
 * stops counting it).
 */
export function readIntoSharedInput(accepted: net.Socket, onInput: (chunk: Buffer) => void): net.Socket {
  const owner = accepted as unknown as { _handle: unknown };
  const handle = owner._handle;
  owner._handle = null;
  accepted.destroy();
  const options = {
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer: input,
      callback: (n: number): void => {
        try {
          onInput(viewOf(inputMemory, input.byteOffset, n));
        } finally {
          input.fill(0, 0, n);
        }
      },
    },
  };
  return new net.Socket(options as net.SocketConstructorOpts);
}

/** A command kept past the read it came in: copies of its arguments and of its raw bytes (source[start, end)). */
export interface KeptCommand {
  argv: Buffer[];
  source: Buffer | null;
  start: number;
  end: number;
}

/** Copies of a command's arguments, for a command queued in MULTI. */
export function keepArgs(argv: Buffer[]): Buffer[] {
  return argv.map(copyBytes);
}

/** Copies what a command that waits (blocked or paused client) needs from its input: its arguments and raw bytes. */
export function keepCommand(argv: Buffer[], source: Buffer | null, start: number, end: number): KeptCommand {
  const kept = keepArgs(argv);
  if (source === null) return { argv: kept, source: null, start: 0, end: 0 };
  return { argv: kept, source: copyBytes(view(source, start, end - start)), start: 0, end: end - start };
}

/** Reads at most this long are gathered for the end of the turn (see SmallReads). */
const SMALL_READ = 512;
/** What the small reads of one turn may take in all; past it, those gathered are handed over at once. */
const SMALL_READS_BYTES = 64 * 1024;

/** A connection's end of SmallReads. */
export interface ReadTaker {
  /** Whether reads of its own wait in a SmallReads. */
  gathered: boolean;
  /** Takes a read's bytes, valid only during the call. */
  take(chunk: Buffer): void;
}

/**
 * The small reads of a turn, gathered and handed over together after the
 * turn's I/O callbacks (setImmediate). With many clients sending a command
 * at a time, each read holds one command, whose key's lookup would wait on
 * its cache misses alone; gathered, the keys of all of them are read ahead
 * at once (`inspect`), as Redis 8 prefetches the keys of a batch of clients'
 * commands. A connection's reads keep their order: a large one that comes
 * while reads of its own are gathered has them handed over first. What is
 * handed over is valid only during the call, and zeroed after, as a read is.
 */
export class SmallReads {
  private readonly memory: Buffer;
  private used = 0;
  private takers: (ReadTaker | null)[] = [];
  /** Where each gathered read ends in memory. */
  private ends: number[] = [];
  private count = 0;
  private scheduled = false;

  constructor(
    /** Sees what was gathered before it is handed over: memory[0, length), the reads back to back, first's taker first. */
    private readonly inspect: (gathered: Buffer, first: ReadTaker) => void,
    /** Called once a turn's gathered reads were all handed over. */
    private readonly turnDone: () => void,
    bytes = SMALL_READS_BYTES,
  ) {
    this.memory = Buffer.allocUnsafeSlow(bytes);
  }

  /** Hands chunk (valid only during the call) to taker: now, or with the turn's other small reads. */
  read(taker: ReadTaker, chunk: Buffer): void {
    const n = chunk.length;
    if (n > SMALL_READ) {
      if (taker.gathered) this.handOver();
      return taker.take(chunk);
    }
    if (this.used + n > this.memory.length) this.handOver();
    chunk.copy(this.memory, this.used);
    this.used += n;
    this.takers[this.count] = taker;
    this.ends[this.count++] = this.used;
    taker.gathered = true;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.endOfTurn);
    }
  }

  private readonly endOfTurn = (): void => {
    this.scheduled = false;
    this.handOver();
    this.turnDone();
  };

  private handOver(): void {
    const count = this.count;
    if (count === 0) return;
    const used = this.used;
    this.count = this.used = 0;
    const memory = this.memory;
    this.inspect(view(memory, 0, used), this.takers[0] as ReadTaker);
    try {
      let start = 0;
      for (let i = 0; i < count; i++) {
        const taker = this.takers[i] as ReadTaker;
        const end = this.ends[i];
        this.takers[i] = null;
        taker.gathered = false;
        taker.take(view(memory, start, end - start));
        start = end;
      }
    } finally {
      memory.fill(0, 0, used);
    }
  }
}
