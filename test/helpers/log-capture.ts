// Captures what a server would write to its log: a fake write-ahead log that
// keeps each record and reports it durable at once (unless told otherwise),
// plus a decoder of the records' RESP commands.
import type { Server } from '../../src/server/server.js';
import type { Payload } from '../../src/wal/frame.js';

export interface LogCapture {
  /** Raw records, one per logged command (a transaction is one record). */
  readonly records: Buffer[];
  /** Every logged command, in order, as latin1 strings (SELECTs included). */
  commands(): string[][];
  clear(): void;
  /** Whether appended records count as durable at once (default true); else the test moves server.durableSeq. */
  durableAtOnce: boolean;
  /** Puts the server's own log back. */
  restore(): void;
}

export function captureLog(server: Server): LogCapture {
  const records: Buffer[] = [];
  const previous = server.wal;
  let seq = server.lastSeq;
  const capture: LogCapture = {
    records,
    commands: () => records.flatMap(decodeCommands),
    clear: () => {
      records.length = 0;
    },
    durableAtOnce: true,
    restore: () => {
      server.wal = previous;
    },
  };
  server.wal = {
    append(payload: Payload): number {
      records.push(copyPayload(payload));
      server.lastSeq = ++seq;
      if (capture.durableAtOnce) server.durableSeq = seq;
      return seq;
    },
    appendRange(buf: Buffer, start: number, end: number): number {
      return this.append(buf.subarray(start, end));
    },
    // Every record is its own batch.
    endTurn(): void {},
  };
  return capture;
}

/** A payload's bytes in a Buffer of their own: writers reuse theirs. */
export function copyPayload(payload: Payload): Buffer {
  return Buffer.isBuffer(payload) ? Buffer.from(payload) : Buffer.concat(payload);
}

/** The RESP arrays of bulk strings in a record. */
export function decodeCommands(record: Buffer): string[][] {
  const commands: string[][] = [];
  let pos = 0;
  const line = (): string => {
    const end = record.indexOf('\r\n', pos, 'latin1');
    if (end < 0) throw new Error(`unterminated line at ${pos}`);
    const text = record.toString('latin1', pos, end);
    pos = end + 2;
    return text;
  };
  while (pos < record.length) {
    const header = line();
    if (header[0] !== '*') throw new Error(`expected an array, got ${JSON.stringify(header)}`);
    const argv: string[] = [];
    for (let n = Number(header.slice(1)); n > 0; n--) {
      const length = Number(line().slice(1));
      argv.push(record.toString('latin1', pos, pos + length));
      pos += length + 2;
    }
    commands.push(argv);
  }
  return commands;
}
