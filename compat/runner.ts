// Runs a compat script against a server over a raw TCP socket, keeping each
// reply's exact bytes, and compares two runs line by line.
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { frameEnd } from './resp-frame.js';
import type { ReplyStep, Script } from './script.js';

/** One compared line and its reply's exact bytes (see bytesToString). */
export interface LineResult {
  line: number;
  text: string;
  reply: string;
  /** The server closed the connection (for @raw lines, by the end of the read). */
  closed?: true;
  /** The reply was not RESP or did not come in time; the connection was dropped. */
  error?: string;
}

/** How long a reply may take before the line fails. */
const REPLY_TIMEOUT_MS = 5000;
/** A @raw line reads until the server has been silent this long. */
const QUIET_MS = 100;

/** Reply bytes as a string of one character per byte, which JSON keeps exactly. */
const bytesToString = (bytes: Buffer): string => bytes.toString('latin1');
const stringToBytes = (text: string): Buffer => Buffer.from(text, 'latin1');

/** JSON in printable ASCII: bytes outside it appear as \r, \n, \u00ff and so on. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function encodeCommand(argv: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from(`*${argv.length}\r\n`), ...argv.flatMap((a) => [Buffer.from(`$${a.length}\r\n`), a, Buffer.from('\r\n')])]);
}

class Connection {
  private buffered = Buffer.alloc(0);
  closed = false;
  private notify: (() => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.notify?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify?.();
    });
    // A reset or a write after the server closed: 'close' follows.
    socket.on('error', () => {});
  }

  static open(host: string, port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
      socket.once('error', reject);
    });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
    this.closed = true;
  }

  /** Resolves true when data arrives or the connection closes, false after ms. */
  private changed(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.notify = null;
        resolve(false);
      }, ms);
      this.notify = () => {
        clearTimeout(timer);
        this.notify = null;
        resolve(true);
      };
    });
  }

  private take(length: number): Buffer {
    const bytes = this.buffered.subarray(0, length);
    this.buffered = this.buffered.subarray(length);
    return bytes;
  }

  /** Reads exactly `count` reply frames; on failure returns what came and why ('closed', or an error). */
  async readFrames(count: number): Promise<{ bytes: Buffer; problem?: string }> {
    const deadline = Date.now() + REPLY_TIMEOUT_MS;
    let end = 0;
    for (let read = 0; read < count; ) {
      let next: number;
      try {
        next = frameEnd(this.buffered, end);
      } catch (err) {
        return { bytes: this.take(this.buffered.length), problem: `malformed reply: ${(err as Error).message}` };
      }
      if (next >= 0) {
        end = next;
        read++;
      } else if (this.closed) {
        return { bytes: this.take(this.buffered.length), problem: 'closed' };
      } else if (!(await this.changed(deadline - Date.now()))) {
        return { bytes: this.take(this.buffered.length), problem: `no complete reply after ${REPLY_TIMEOUT_MS} ms` };
      }
    }
    // Replies to one command arrive together: anything more is a frame too many.
    if (this.buffered.length > end) return { bytes: this.take(this.buffered.length), problem: `more than ${count} reply frame(s)` };
    return { bytes: this.take(end) };
  }

  /** Reads everything until the server is silent for QUIET_MS or closes. */
  async readUntilQuiet(): Promise<Buffer> {
    while (!this.closed && (await this.changed(QUIET_MS)));
    return this.take(this.buffered.length);
  }
}

async function runStep(conn: Connection, step: ReplyStep): Promise<LineResult> {
  const { line, text } = step;
  if (conn.closed) return { line, text, reply: '', closed: true };
  if (step.kind === 'raw') {
    conn.send(step.bytes);
    const reply = bytesToString(await conn.readUntilQuiet());
    return conn.closed ? { line, text, reply, closed: true } : { line, text, reply };
  }
  conn.send(encodeCommand(step.argv));
  const { bytes, problem } = await conn.readFrames(step.frames);
  const reply = bytesToString(bytes);
  if (problem === undefined) return { line, text, reply };
  if (problem === 'closed') return { line, text, reply, closed: true };
  conn.close();
  return { line, text, reply, error: problem };
}

/** Runs a script from a FLUSHALL on a fresh connection; one result per reply step. */
export async function runScript(script: Script, port: number, host = '127.0.0.1'): Promise<LineResult[]> {
  const results: LineResult[] = [];
  let conn = await Connection.open(host, port);
  try {
    conn.send(encodeCommand([Buffer.from('FLUSHALL')]));
    const flushed = await conn.readFrames(1);
    if (flushed.bytes.toString() !== '+OK\r\n') throw new Error(`FLUSHALL before ${script.family} answered ${asciiJson(bytesToString(flushed.bytes))}`);
    for (const step of script.steps) {
      if (step.kind === 'newconn') {
        conn.close();
        conn = await Connection.open(host, port);
      } else if (step.kind === 'sleep') {
        await sleep(step.ms);
      } else if (step.kind === 'hello') {
        if (conn.closed) continue;
        conn.send(encodeCommand([Buffer.from('HELLO'), Buffer.from(String(step.protocol))]));
        // Its reply is not compared, but without one the connection is out of step.
        if ((await conn.readFrames(1)).problem !== undefined) conn.close();
      } else {
        results.push(await runStep(conn, step));
      }
    }
  } finally {
    conn.close();
  }
  return results;
}

function replySteps(script: Script): ReplyStep[] {
  return script.steps.filter((s): s is ReplyStep => s.kind === 'command' || s.kind === 'raw');
}

const SORTED_TYPES = new Set('*~>%'.split('').map((c) => c.charCodeAt(0)));

/** A frame with the elements of every aggregate in it sorted (map entries as key+value units). */
function sortedFrame(frame: Buffer): Buffer {
  if (!SORTED_TYPES.has(frame[0])) return frame;
  const headerEnd = frame.indexOf('\r\n') + 2;
  const children = splitFrames(frame.subarray(headerEnd)).map(sortedFrame);
  const units = frame[0] === 37 /* % */ ? children.flatMap((c, i) => (i % 2 ? [] : [Buffer.concat([c, children[i + 1]])])) : children;
  return Buffer.concat([frame.subarray(0, headerEnd), ...units.sort(Buffer.compare)]);
}

function splitFrames(bytes: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  for (let pos = 0; pos < bytes.length; ) {
    const end = frameEnd(bytes, pos);
    frames.push(bytes.subarray(pos, end));
    pos = end;
  }
  return frames;
}

/** What is recorded and compared for a line: its reply reduced as its directive says. */
function normalize(step: ReplyStep, result: LineResult): LineResult {
  if (step.kind === 'raw' || step.compare === 'exact' || result.closed || result.error) return result;
  const frames = splitFrames(stringToBytes(result.reply));
  const reply =
    step.compare === 'ignore'
      ? ''
      : step.compare === 'type'
        ? frames.map((f) => String.fromCharCode(f[0])).join('')
        : bytesToString(Buffer.concat(frames.map(sortedFrame)));
  return { ...result, reply };
}

function describe(result: LineResult): string {
  const reply = result.reply.length > 1000 ? `${result.reply.slice(0, 1000)}...` : result.reply;
  return `${asciiJson(reply)}${result.closed ? ' (connection closed)' : ''}${result.error ? ` (${result.error})` : ''}`;
}

/**
 * Compares a run against expected (already normalized) results and returns
 * one readable message per differing line: empty when they agree.
 */
export function compareResults(script: Script, expected: LineResult[], actual: LineResult[]): string[] {
  const steps = replySteps(script);
  const stale = expected.length !== steps.length || steps.some((s, i) => s.line !== expected[i].line || s.text !== expected[i].text);
  if (stale) return [`${script.family}.txt changed since it was recorded: run npm run compat:record ${script.family}`];
  return steps.flatMap((step, i) => {
    const want = expected[i];
    const got = normalize(step, actual[i]);
    if (got.reply === want.reply && got.closed === want.closed && got.error === want.error) return [];
    return [`${script.family}.txt:${step.line}  ${step.text}\n  expected: ${describe(want)}\n  actual:   ${describe(actual[i])}`];
  });
}

export function normalizeAll(script: Script, results: LineResult[]): LineResult[] {
  const steps = replySteps(script);
  return results.map((r, i) => normalize(steps[i], r));
}
