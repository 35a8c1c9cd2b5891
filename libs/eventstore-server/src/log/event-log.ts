import { randomUUID } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeFrame, FRAME_HEADER_BYTES, frameIn, LOG_MAGIC, MAX_FRAME_BYTES, MIN_PAYLOAD_BYTES } from './frame';

/** The most one group commit writes, unless a single frame is larger (then it is alone in its write). */
export const MAX_WRITE_BYTES = 4 * 1024 * 1024;

export interface RecoveredLog {
  log: EventLog;
  /** Bytes cut from the end because the last write was torn. Damage further from the end than one write fails `open` instead. */
  truncatedBytes: number;
}

/** Called for each intact frame during recovery; the payload is only valid during the call. */
export type FrameVisitor = (offset: number, payload: Buffer) => void;

/** Recovery reads the log in windows of this size, so start-up memory does not grow with the log. */
const SCAN_WINDOW_BYTES = 8 * 1024 * 1024;

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

  static async open(dataDir: string, visit: FrameVisitor): Promise<RecoveredLog> {
    mkdirSync(dataDir, { recursive: true });
    const lockPath = await acquireLock(dataDir);
    try {
      const path = join(dataDir, 'events.log');
      const handle = await open(path, 'a+');
      let validLength: number;
      let truncatedBytes: number;
      try {
        let size = (await handle.stat()).size;
        if (size < LOG_MAGIC.length) {
          // New file, or a crash while the header itself was being written.
          await handle.truncate(0);
          await handle.write(LOG_MAGIC, 0, LOG_MAGIC.length, 0);
          await handle.sync();
          fsyncDirectory(dataDir);
          size = LOG_MAGIC.length;
        }
        validLength = await scanLog(handle, size, visit);
        truncatedBytes = size - validLength;
        if (truncatedBytes > 0) {
          // Only a torn tail may be cut: past damage in the middle lie acknowledged events. Damage followed by intact frames
          // within one write's reach may be the last group commit, torn by a power loss (pages land in any order): none of it
          // was acknowledged.
          const intact =
            truncatedBytes > MAX_WRITE_BYTES ? await findIntactFrame(handle, size, validLength + 1) : undefined;
          if (intact !== undefined) {
            throw new Error(
              `event log ${path} is damaged in the middle, not torn at the end: the frame at offset ${validLength} is invalid ` +
                `but an intact frame follows at offset ${intact}; refusing to start rather than drop the events after it`,
            );
          }
          await handle.truncate(validLength);
          await handle.sync();
        }
      } finally {
        // 'a+' appends regardless of position; reopen for positional writes.
        await handle.close();
      }
      const writer = await open(path, 'r+');
      return { log: new EventLog(writer, lockPath, validLength), truncatedBytes };
    } catch (error) {
      releaseLock(lockPath);
      throw error;
    }
  }

  /**
   * Bytes already durable at `offset`. Synchronous on purpose: reads are
   * served from the page cache in microseconds, and the engine's readers stay simple.
   */
  read(offset: number, length: number): Buffer {
    if (offset + length > this.durableEnd) throw new Error(`read past the durable end of the log at ${offset}`);
    const bytes = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.handle.fd, bytes, done, length - done, offset + done);
      if (n === 0) throw new Error(`event log ended early at ${offset + done}`);
      done += n;
    }
    return bytes;
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
        // A write holds one frame, or frames up to MAX_WRITE_BYTES: recovery counts on it to tell a torn write from damage.
        let take = 1;
        let bytes = this.pending[0].length;
        while (take < this.pending.length && bytes + this.pending[take].length <= MAX_WRITE_BYTES)
          bytes += this.pending[take++].length;
        const batch = this.pending.splice(0, take);
        const start = this.durableEnd;
        const batchEnd = start + bytes;
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

/**
 * Walks the frames after the header, visiting each intact one, and returns
 * the length of the valid prefix: everything after it is a torn tail.
 */
async function scanLog(handle: FileHandle, size: number, visit: FrameVisitor): Promise<number> {
  const header = Buffer.alloc(LOG_MAGIC.length);
  await handle.read(header, 0, header.length, 0);
  if (!header.equals(LOG_MAGIC)) throw new Error('not an event log: bad magic header');
  // One buffer for the whole scan, grown only for a frame larger than it: a
  // fresh allocation per window leaves freed memory the allocator keeps.
  let buffer = Buffer.allocUnsafe(SCAN_WINDOW_BYTES);
  let filled = 0;
  let windowStart = LOG_MAGIC.length;
  let offset = LOG_MAGIC.length;
  for (;;) {
    const frame = frameIn(buffer.subarray(0, filled), offset - windowStart);
    if (frame === 'bad') return offset;
    if (frame === 'more') {
      const readFrom = windowStart + filled;
      if (readFrom >= size) return offset;
      // Move the unfinished frame's start to the front, then fill the rest.
      const kept = buffer.copy(buffer, 0, offset - windowStart, filled);
      if (kept === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
      const { bytesRead } = await handle.read(buffer, kept, Math.min(buffer.length - kept, size - readFrom), readFrom);
      if (bytesRead === 0) return offset;
      filled = kept + bytesRead;
      windowStart = offset;
      continue;
    }
    visit(offset, frame.payload);
    offset = windowStart + frame.end;
  }
}

/**
 * The first offset at or after `from` holding a frame that verifies, if any.
 * Only called when recovery meets a bad frame, so it may be slow: it tries
 * every offset, as damage can leave any stated length.
 */
async function findIntactFrame(handle: FileHandle, size: number, from: number): Promise<number | undefined> {
  const buffer = Buffer.allocUnsafe(SCAN_WINDOW_BYTES);
  for (let start = from; start + FRAME_HEADER_BYTES <= size;) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - start), start);
    const window = buffer.subarray(0, bytesRead);
    const last = bytesRead - FRAME_HEADER_BYTES;
    for (let at = 0; at <= last; at++) {
      const length = window.readUInt32LE(at);
      // Cheap tests first: most offsets state a length that cannot be a frame here.
      if (length < MIN_PAYLOAD_BYTES || length > MAX_FRAME_BYTES || start + at + FRAME_HEADER_BYTES + length > size)
        continue;
      let frame = frameIn(window, at);
      if (frame === 'more') {
        const whole = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
        await handle.read(whole, 0, whole.length, start + at);
        frame = frameIn(whole, 0);
      }
      if (frame !== 'bad' && frame !== 'more') return start + at;
    }
    if (last < 0) break;
    start += last + 1;
  }
  return undefined;
}

/** Lock files this process holds, so a second store in the same process is refused too. */
const heldLocks = new Set<string>();

/** How long to wait for another store that is taking over a stale LOCK, in tries 10 ms apart. */
const TAKEOVER_WAIT_TRIES = 500;

/**
 * One writer per data directory. LOCK holds its owner's pid and is created
 * atomically with that content; a LOCK whose owner is dead is removed only
 * under a second lock, LOCK.takeover, so two stores that find the same stale
 * LOCK cannot both remove it (the second would remove the first's new one).
 */
async function acquireLock(dataDir: string): Promise<string> {
  const lockPath = join(dataDir, 'LOCK');
  const takeoverPath = join(dataDir, 'LOCK.takeover');
  for (let tries = 0; ; tries++) {
    if (createHoldingPid(lockPath)) {
      heldLocks.add(lockPath);
      return lockPath;
    }
    const holder = readPid(lockPath);
    if (holder === undefined) continue; // released meanwhile
    if (isHeld(holder, lockPath))
      throw new Error(`event store data directory ${dataDir} is locked by running process ${holder}`);
    if (createHoldingPid(takeoverPath)) {
      try {
        // Under the takeover lock only this process removes a stale LOCK, and one that holds `holder` stays stale (Object.is: a garbled pid is NaN).
        if (Object.is(readPid(lockPath), holder) && !isHeld(holder, lockPath)) unlinkSync(lockPath);
      } finally {
        unlinkSync(takeoverPath);
      }
      continue;
    }
    const taking = readPid(takeoverPath);
    if (taking !== undefined && !isHeld(taking, takeoverPath)) {
      throw new Error(
        `event store data directory ${dataDir}: process ${taking} died while taking over a stale lock; ` +
          `check that no store runs on it, then remove ${takeoverPath} and ${lockPath}`,
      );
    }
    if (tries >= TAKEOVER_WAIT_TRIES)
      throw new Error(
        `event store data directory ${dataDir}: timed out waiting for process ${taking} to take over its stale lock`,
      );
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Creates `path` holding this process's pid, atomically: the pid is written
 * to a file of our own first, then hard-linked into place, which fails if
 * `path` exists. An O_EXCL create followed by a write would leave a moment
 * when the lock is empty, and an empty lock looks stale to another store.
 */
function createHoldingPid(path: string): boolean {
  const draft = `${path}.${process.pid}.${randomUUID()}`;
  writeFileSync(draft, String(process.pid), { flag: 'wx' });
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(draft);
  }
}

/** The pid in a lock file, or undefined when there is none. */
function readPid(path: string): number | undefined {
  try {
    return Number(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Whether the process named in a lock still holds it: another live process,
 * or a store of this one. An empty or garbled lock (an older store crashed
 * between creating and writing it) is stale.
 */
function isHeld(pid: number, path: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  return pid === process.pid ? heldLocks.has(path) : isAlive(pid);
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
