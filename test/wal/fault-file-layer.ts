// An in-memory FileLayer that knows what a power cut would keep: file
// contents as of their last completed fdatasync, directory entries as of the
// last directory fsync. Faults are injected one at a time: torn writes, write
// errors, fsync errors, fsyncs held until the test releases them, and a power
// cut at the n-th operation.
import { basename, dirname } from 'node:path';
import type { FileLayer } from '../../src/wal/file-layer.js';

interface Inode {
  data: Buffer;
  size: number;
  /** Contents as of the last completed fdatasync (what a power cut keeps). */
  durable: Buffer;
  /** Bumped by every change; a completed fdatasync makes its version durable. */
  version: number;
  durableVersion: number;
  name: string;
}

interface Dir {
  live: Map<string, Inode>;
  durable: Map<string, Inode>;
}

interface HeldFsync {
  path: string;
  complete: () => void;
}

function fsError(code: string, what: string): Error {
  return Object.assign(new Error(`${code}: ${what}`), { code });
}

/** A promise that never settles: the operation of a process that lost power. */
const never = <T>(): Promise<T> => new Promise<T>(() => {});

export class FaultFileLayer implements FileLayer {
  private dirs = new Map<string, Dir>();
  private fds = new Map<number, Inode>();
  private deadFds = new Set<number>();
  private nextFd = 3;
  private torn: { inode: Inode; pos: number; bytes: Buffer; version: number }[] = [];
  private held: HeldFsync[] = [];
  private holdFilter: ((path: string) => boolean) | null = null;
  private tearNext: number | null = null;
  private writeFault: { code: string; bytes: number } | null = null;
  private fsyncFault: string | null = null;
  private cutAt: number | null = null;
  private dead = false;
  private inflight = 0;
  /** Bumped by a power cut: completions from before it never arrive. */
  private generation = 0;

  /** fdatasync calls on files (not directories), and the path of each. */
  fsyncCalls = 0;
  fsyncPaths: string[] = [];
  /** The file of every write, in call order. */
  writePaths: string[] = [];
  dirFsyncCalls = 0;
  maxInflightFsyncs = 0;
  /** Every FileLayer call, for cutPowerAtOp. */
  ops = 0;

  // ---- fault injection ------------------------------------------------------

  /** The next write succeeds, but a power cut before its fdatasync completes keeps only its first keep bytes. */
  tearNextWrite(keep: number): void {
    this.tearNext = keep;
  }

  /** The next write stores its first written bytes, then throws (ENOSPC by default). */
  failNextWrite(code = 'ENOSPC', written = 0): void {
    this.writeFault = { code, bytes: written };
  }

  /** The next fdatasync makes nothing durable and fails (EIO by default). */
  failNextFsync(code = 'EIO'): void {
    this.fsyncFault = code;
  }

  /** From now on fdatasyncs on matching files only complete when released. */
  holdFsyncs(filter: (path: string) => boolean = () => true): void {
    this.holdFilter = filter;
  }

  stopHolding(): void {
    this.holdFilter = null;
    this.releaseAll();
  }

  get heldFsyncs(): string[] {
    return this.held.map((h) => h.path);
  }

  /** Completes the held fdatasync at index (in call order). */
  release(index: number): void {
    const [h] = this.held.splice(index, 1);
    if (!h) throw new Error(`no held fsync at ${index}`);
    h.complete();
  }

  releaseAll(): void {
    for (const h of this.held.splice(0)) h.complete();
  }

  /** Drops everything not durable. Open files and pending operations of the "old process" go dead. */
  powerCut(): void {
    for (const t of this.torn) {
      if (t.inode.durableVersion >= t.version) continue;
      const end = t.pos + t.bytes.length;
      if (t.inode.durable.length < end) t.inode.durable = Buffer.concat([t.inode.durable, Buffer.alloc(end - t.inode.durable.length)]);
      t.bytes.copy(t.inode.durable, t.pos);
    }
    this.torn = [];
    for (const dir of this.dirs.values()) {
      dir.live = new Map(dir.durable);
      for (const inode of dir.live.values()) {
        inode.data = Buffer.from(inode.durable);
        inode.size = inode.durable.length;
        inode.version = inode.durableVersion;
      }
    }
    for (const fd of this.fds.keys()) this.deadFds.add(fd);
    this.fds.clear();
    this.held = [];
    this.inflight = 0;
    this.generation++;
  }

  /** Cuts power just before the n-th operation from now (1 = the next one); every later operation hangs until revive(). */
  cutPowerAtOp(n: number): void {
    this.cutAt = this.ops + n;
  }

  get poweredOff(): boolean {
    return this.dead;
  }

  revive(): void {
    this.dead = false;
    this.cutAt = null;
  }

  // ---- inspection -----------------------------------------------------------

  list(dir: string): string[] {
    return [...(this.dirs.get(dir)?.live.keys() ?? [])].sort();
  }

  read(path: string): Buffer {
    const inode = this.lookup(path);
    return Buffer.from(inode.data.subarray(0, inode.size));
  }

  /** What a power cut now would keep of path: its contents as of the last completed fdatasync. */
  readDurable(path: string): Buffer {
    return Buffer.from(this.lookup(path).durable);
  }

  /** Bit rot: flips bits at offset in both the live and the durable contents. */
  corrupt(path: string, offset: number, mask = 0xff): void {
    const inode = this.lookup(path);
    inode.data[offset] ^= mask;
    inode.durable[offset] ^= mask;
  }

  // ---- FileLayer ------------------------------------------------------------

  async open(path: string, create: boolean): Promise<number> {
    if (this.step()) return never();
    const dir = this.dirOf(path);
    let inode = dir.live.get(basename(path));
    if (!inode) {
      if (!create) throw fsError('ENOENT', path);
      inode = { data: Buffer.alloc(0), size: 0, durable: Buffer.alloc(0), version: 0, durableVersion: 0, name: path };
      dir.live.set(basename(path), inode);
    } else if (create) {
      inode.size = 0;
      inode.version++;
    }
    const fd = this.nextFd++;
    this.fds.set(fd, inode);
    return fd;
  }

  close(fd: number): void {
    if (this.step() || this.deadFds.has(fd)) return;
    if (!this.fds.delete(fd)) throw fsError('EBADF', `close ${fd}`);
  }

  writeSync(fd: number, data: Buffer, position: number): void {
    if (this.step()) throw fsError('EIO', 'powered off');
    const inode = this.inode(fd);
    this.writePaths.push(inode.name);
    if (this.writeFault) {
      const { code, bytes } = this.writeFault;
      this.writeFault = null;
      this.put(inode, data.subarray(0, bytes), position);
      throw fsError(code, `write ${fd}`);
    }
    this.put(inode, data, position);
    if (this.tearNext !== null) {
      this.torn.push({ inode, pos: position, bytes: Buffer.from(data.subarray(0, this.tearNext)), version: inode.version });
      this.tearNext = null;
    }
  }

  fdatasync(fd: number): Promise<void> {
    if (this.step() || this.deadFds.has(fd)) return never();
    const inode = this.inode(fd);
    this.fsyncCalls++;
    this.fsyncPaths.push(inode.name);
    const fault = this.fsyncFault;
    this.fsyncFault = null;
    const snapshot = Buffer.from(inode.data.subarray(0, inode.size));
    const version = inode.version;
    const generation = this.generation;
    this.inflight++;
    this.maxInflightFsyncs = Math.max(this.maxInflightFsyncs, this.inflight);
    return new Promise<void>((resolve, reject) => {
      const complete = (): void => {
        if (generation !== this.generation) return;
        this.inflight--;
        if (fault) return reject(fsError(fault, `fdatasync ${inode.name}`));
        if (version > inode.durableVersion) {
          inode.durable = snapshot;
          inode.durableVersion = version;
        }
        resolve();
      };
      if (this.holdFilter?.(inode.name)) this.held.push({ path: inode.name, complete });
      else setImmediate(complete);
    });
  }

  async ftruncate(fd: number, length: number): Promise<void> {
    if (this.step() || this.deadFds.has(fd)) return never();
    const inode = this.inode(fd);
    if (length > inode.size) this.put(inode, Buffer.alloc(length - inode.size), inode.size);
    inode.size = length;
    inode.version++;
  }

  async zeroFill(fd: number, position: number, length: number): Promise<void> {
    if (this.step() || this.deadFds.has(fd)) return never();
    this.put(this.inode(fd), Buffer.alloc(length), position);
  }

  async rename(from: string, to: string): Promise<void> {
    if (this.step()) return never();
    const src = this.dirOf(from);
    const inode = src.live.get(basename(from));
    if (!inode) throw fsError('ENOENT', from);
    src.live.delete(basename(from));
    this.dirOf(to).live.set(basename(to), inode);
    inode.name = to;
  }

  async unlink(path: string): Promise<void> {
    if (this.step()) return never();
    if (!this.dirOf(path).live.delete(basename(path))) throw fsError('ENOENT', path);
  }

  async readdir(dir: string): Promise<string[]> {
    if (this.step()) return never();
    const d = this.dirs.get(dir);
    if (!d) throw fsError('ENOENT', dir);
    return [...d.live.keys()];
  }

  async mkdir(dir: string): Promise<void> {
    if (this.step()) return never();
    if (!this.dirs.has(dir)) this.dirs.set(dir, { live: new Map(), durable: new Map() });
  }

  async readFile(path: string): Promise<Buffer> {
    if (this.step()) return never();
    return this.read(path);
  }

  async size(path: string): Promise<number> {
    if (this.step()) return never();
    return this.lookup(path).size;
  }

  async fsyncDir(dir: string): Promise<void> {
    if (this.step()) return never();
    const d = this.dirs.get(dir);
    if (!d) throw fsError('ENOENT', dir);
    this.dirFsyncCalls++;
    d.durable = new Map(d.live);
  }

  async copyFile(from: string, to: string): Promise<void> {
    if (this.step()) return never();
    const src = this.lookup(from);
    const data = Buffer.from(src.data.subarray(0, src.size));
    this.dirOf(to).live.set(basename(to), { data, size: data.length, durable: Buffer.from(data), version: 1, durableVersion: 1, name: to });
  }

  // ---- internals ------------------------------------------------------------

  /** Counts the operation; true when the power is (now) off. */
  private step(): boolean {
    this.ops++;
    if (this.cutAt !== null && this.ops >= this.cutAt && !this.dead) {
      this.powerCut();
      this.dead = true;
    }
    return this.dead;
  }

  private dirOf(path: string): Dir {
    const dir = this.dirs.get(dirname(path));
    if (!dir) throw fsError('ENOENT', dirname(path));
    return dir;
  }

  private lookup(path: string): Inode {
    const inode = this.dirOf(path).live.get(basename(path));
    if (!inode) throw fsError('ENOENT', path);
    return inode;
  }

  private inode(fd: number): Inode {
    const inode = this.fds.get(fd);
    if (!inode) throw fsError('EBADF', `fd ${fd}`);
    return inode;
  }

  private put(inode: Inode, bytes: Buffer, position: number): void {
    const end = position + bytes.length;
    if (end > inode.data.length) {
      const grown = Buffer.alloc(Math.max(end, inode.data.length * 2));
      inode.data.copy(grown, 0, 0, inode.size);
      inode.data = grown;
    }
    if (position > inode.size) inode.data.fill(0, inode.size, position);
    bytes.copy(inode.data, position);
    inode.size = Math.max(inode.size, end);
    inode.version++;
  }
}
