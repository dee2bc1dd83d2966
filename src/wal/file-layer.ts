// Everything the write-ahead log does with files goes through FileLayer, so
// tests can swap in a layer that loses unsynced data, tears writes and fails
// fsyncs on demand. Only the hot path is synchronous: writeSync, so a batch is
// in the page cache before its fdatasync is called.
import * as fs from 'node:fs';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';

export interface FileLayer {
  /** Opens for reading and writing; create makes a new empty file (truncating any old one). */
  open(path: string, create: boolean): Promise<number>;
  close(fd: number): void;
  /** Writes all of data at position or throws. */
  writeSync(fd: number, data: Buffer, position: number): void;
  fdatasync(fd: number): Promise<void>;
  ftruncate(fd: number, length: number): Promise<void>;
  /** Writes zeros over [position, position + length): preallocation without fallocate. */
  zeroFill(fd: number, position: number, length: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readdir(dir: string): Promise<string[]>;
  /** Creates dir and its parents when missing, durably (their parents are fsynced). */
  mkdir(dir: string): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  size(path: string): Promise<number>;
  /** Makes renames, creations and removals in dir durable. */
  fsyncDir(dir: string): Promise<void>;
  /** Copies from to a new file to and makes the copy's contents durable. */
  copyFile(from: string, to: string): Promise<void>;
}

const fsOpen = promisify(fs.open);
const fsFdatasync = promisify(fs.fdatasync);
const fsFtruncate = promisify(fs.ftruncate);
const fsWrite = promisify(fs.write);
const fsClose = promisify(fs.close);
const fsFsync = promisify(fs.fsync);

const ZERO_CHUNK = Buffer.alloc(1 << 20);

async function syncPath(path: string, flags: string): Promise<void> {
  const fd = await fsOpen(path, flags);
  try {
    await fsFsync(fd);
  } finally {
    await fsClose(fd);
  }
}

export const nodeFileLayer: FileLayer = {
  open: (path, create) => fsOpen(path, create ? 'w+' : 'r+'),
  close: (fd) => fs.closeSync(fd),
  writeSync(fd, data, position) {
    for (let done = 0; done < data.length; ) done += fs.writeSync(fd, data, done, data.length - done, position + done);
  },
  fdatasync: (fd) => fsFdatasync(fd),
  ftruncate: (fd, length) => fsFtruncate(fd, length),
  async zeroFill(fd, position, length) {
    for (let done = 0; done < length; ) {
      const { bytesWritten } = await fsWrite(fd, ZERO_CHUNK, 0, Math.min(ZERO_CHUNK.length, length - done), position + done);
      done += bytesWritten;
    }
  },
  rename: (from, to) => fs.promises.rename(from, to),
  unlink: (path) => fs.promises.unlink(path),
  readdir: (dir) => fs.promises.readdir(dir),
  async mkdir(dir) {
    const first = await fs.promises.mkdir(dir, { recursive: true });
    if (first === undefined) return;
    for (let created = resolve(dir); ; created = dirname(created)) {
      await syncPath(dirname(created), 'r');
      if (created === resolve(first)) break;
    }
  },
  readFile: (path) => fs.promises.readFile(path),
  size: async (path) => (await fs.promises.stat(path)).size,
  fsyncDir: (dir) => syncPath(dir, 'r'),
  async copyFile(from, to) {
    await fs.promises.copyFile(from, to);
    await syncPath(to, 'r+');
  },
};
