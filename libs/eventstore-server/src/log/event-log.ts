import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeFrame, LOG_MAGIC, scanFrames, ScannedFrame } from './frame';

export interface RecoveredLog {
  log: EventLog;
  frames: ScannedFrame[];
  /** Bytes cut from the end because the last write was torn. */
  truncatedBytes: number;
}

interface Waiter {
  end: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Append-only file log with group commit: every frame reserved while a
 * write+fsync is in flight goes out together in the next one. A caller's
 * promise resolves only once its frame is on disk.
 */
export class EventLog {
  private pending: Buffer[] = [];
  private waiters: Waiter[] = [];
  private flushing = false;
  private durableEnd: number;
  private failure: Error | undefined;
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    private readonly lockPath: string,
    private end: number,
  ) {
    this.durableEnd = end;
  }

  static async open(dataDir: string): Promise<RecoveredLog> {
    mkdirSync(dataDir, { recursive: true });
    const lockPath = acquireLock(dataDir);
    try {
      const path = join(dataDir, 'events.log');
      const handle = await open(path, 'a+');
      let image = await handle.readFile();
      if (image.length < LOG_MAGIC.length) {
        // New file, or a crash while the header itself was being written.
        await handle.truncate(0);
        await handle.write(LOG_MAGIC, 0, LOG_MAGIC.length, 0);
        await handle.sync();
        fsyncDirectory(dataDir);
        image = Buffer.from(LOG_MAGIC);
      }
      const { frames, validLength } = scanFrames(image);
      const truncatedBytes = image.length - validLength;
      if (truncatedBytes > 0) {
        await handle.truncate(validLength);
        await handle.sync();
      }
      // 'a+' appends regardless of position; reopen for positional writes.
      await handle.close();
      const writer = await open(path, 'r+');
      return { log: new EventLog(writer, lockPath, validLength), frames, truncatedBytes };
    } catch (error) {
      releaseLock(lockPath);
      throw error;
    }
  }

  /** End of what is on disk and acknowledged. */
  get nextDurableOffset(): number {
    return this.durableEnd;
  }

  /** Offset the next frame will start at. */
  get nextOffset(): number {
    return this.end;
  }

  /**
   * Queues a frame and returns where it starts plus a promise that settles
   * when it is durable. Offsets are assigned synchronously, so callers can
   * derive event positions before the write happens.
   */
  append(payload: Buffer): { offset: number; durable: Promise<void> } {
    if (this.closed) throw new Error('event log is closed');
    if (this.failure) throw this.failure;
    const frame = encodeFrame(payload);
    const offset = this.end;
    this.end += frame.length;
    this.pending.push(frame);
    const durable = this.waitDurable(this.end);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => void this.flush());
    }
    return { offset, durable };
  }

  waitDurable(end: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (end <= this.durableEnd) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ end, resolve, reject }));
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        const start = this.durableEnd;
        this.pending = [];
        const batchEnd = start + batch.reduce((sum, frame) => sum + frame.length, 0);
        await this.handle.writev(batch, start);
        await this.handle.datasync();
        this.durableEnd = batchEnd;
        this.settle();
      }
    } catch (error) {
      // After a failed write or fsync the file's state is unknown: stop
      // accepting writes rather than acknowledge something that may be lost.
      this.failure = new Error(`event log write failed: ${(error as Error).message}`);
      for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
    } finally {
      this.flushing = false;
    }
  }

  private settle(): void {
    const still: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.end <= this.durableEnd) waiter.resolve();
      else still.push(waiter);
    }
    this.waiters = still;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing || this.pending.length > 0) {
      await this.waitDurable(this.end).catch(() => undefined);
      if (this.failure) break;
    }
    await this.handle.close();
    releaseLock(this.lockPath);
  }
}

/** Lock files this process holds, so a second store in the same process is refused too. */
const heldLocks = new Set<string>();

/** One writer per data directory; a lock left by a dead process is taken over. */
function acquireLock(dataDir: string): string {
  const lockPath = join(dataDir, 'LOCK');
  try {
    const fd = openSync(lockPath, 'wx');
    writeFileSync(fd, String(process.pid));
    closeSync(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(readFileSync(lockPath, 'utf8'));
    const ours = holder === process.pid;
    if ((ours && heldLocks.has(lockPath)) || (!ours && holder && isAlive(holder))) {
      throw new Error(`event store data directory ${dataDir} is locked by running process ${holder}`, { cause: error });
    }
    writeFileSync(lockPath, String(process.pid));
  }
  heldLocks.add(lockPath);
  return lockPath;
}

function releaseLock(lockPath: string): void {
  heldLocks.delete(lockPath);
  try {
    if (Number(readFileSync(lockPath, 'utf8')) === process.pid) unlinkSync(lockPath);
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
