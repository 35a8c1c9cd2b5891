import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventLog, MAX_WRITE_BYTES } from './event-log';
import { FRAME_HEADER_BYTES, MIN_PAYLOAD_BYTES } from './frame';
import { decodeRecord, encodeAppend, encodeTombstone, LogRecord, RecordKind } from './records';

describe('EventLog recovery', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'es-log-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const logFile = () => join(dataDir, 'events.log');
  const event = (i: number, pad: number) => ({
    id: `id-${i}`,
    type: 'E',
    contentType: 'application/json',
    data: Buffer.from(`{"i":${i},"pad":"${'x'.repeat(pad)}"}`),
    metadata: Buffer.alloc(0),
  });
  /** Frames of this size put any three of them beyond one write's reach, where damage is not a torn write. */
  const LARGE = Math.ceil(MAX_WRITE_BYTES / 3);

  /** Writes `count` one-event appends, each with `pad` bytes more data, and returns where each frame starts. */
  async function writeFrames(count: number, pad = 0): Promise<number[]> {
    const { log } = await EventLog.open(dataDir, () => undefined);
    const offsets: number[] = [];
    const writes = Array.from({ length: count }, (_, i) => {
      const { offset, durable } = log.append(encodeAppend('s', i, [event(i, pad)], 0n).payload);
      offsets.push(offset);
      return durable;
    });
    await Promise.all(writes);
    await log.close();
    return offsets;
  }

  /** Opens the log as the engine does: every frame is decoded as a record. */
  async function reopen(): Promise<{ records: LogRecord[]; truncatedBytes: number }> {
    const records: LogRecord[] = [];
    const { log, truncatedBytes } = await EventLog.open(dataDir, (offset, payload) =>
      records.push(decodeRecord(offset, payload)),
    );
    await log.close();
    return { records, truncatedBytes };
  }

  const revisions = (records: LogRecord[]) =>
    records.map((r) => (r.kind === RecordKind.Append ? r.events[0].revision : -1));

  function corrupt(at: number, bytes: Buffer): void {
    const file = readFileSync(logFile());
    bytes.copy(file, at);
    writeFileSync(logFile(), file);
  }

  it('cuts a zero-filled tail, which reads as an empty frame with a matching checksum, and starts', async () => {
    await writeFrames(3);
    const intactSize = statSync(logFile()).size;
    // What XFS can leave after a power loss: the file grew, the data never landed.
    appendFileSync(logFile(), Buffer.alloc(4096));

    const { records, truncatedBytes } = await reopen();
    expect(revisions(records)).toEqual([0, 1, 2]);
    expect(truncatedBytes).toBe(4096);
    expect(statSync(logFile()).size).toBe(intactSize);
  });

  it('cuts a lone zero header at the tail', async () => {
    await writeFrames(2);
    appendFileSync(logFile(), Buffer.alloc(FRAME_HEADER_BYTES));
    const { records, truncatedBytes } = await reopen();
    expect(revisions(records)).toEqual([0, 1]);
    expect(truncatedBytes).toBe(FRAME_HEADER_BYTES);
  });

  it('refuses to start, naming the file and offset, when a frame in the middle fails its checksum', async () => {
    const offsets = await writeFrames(5, LARGE);
    const size = statSync(logFile()).size;
    corrupt(offsets[2] + FRAME_HEADER_BYTES + 5, Buffer.from('X'));

    const opened = EventLog.open(dataDir, () => undefined);
    await expect(opened).rejects.toThrow(
      `event log ${logFile()} is damaged in the middle, not torn at the end: the frame at offset ${offsets[2]}`,
    );
    expect(statSync(logFile()).size).toBe(size);
    // The lock was released: a second attempt meets the damage again, not the lock.
    await expect(EventLog.open(dataDir, () => undefined)).rejects.toThrow(/damaged in the middle/);
  });

  it('refuses to start when a frame in the middle states an impossible length', async () => {
    const offsets = await writeFrames(4, LARGE);
    const header = Buffer.alloc(4);
    header.writeUInt32LE(0xffffffff);
    corrupt(offsets[1], header);
    await expect(reopen()).rejects.toThrow(
      `the frame at offset ${offsets[1]} is invalid but an intact frame follows at offset ${offsets[2]}`,
    );
  });

  it('refuses to start when a frame in the middle states a plausible but wrong length', async () => {
    const offsets = await writeFrames(4, LARGE);
    const header = Buffer.alloc(4);
    header.writeUInt32LE(offsets[2] - offsets[1] - FRAME_HEADER_BYTES + 3);
    corrupt(offsets[1], header);
    await expect(reopen()).rejects.toThrow(`intact frame follows at offset ${offsets[2]}`);
  });

  it('refuses to start when zeros in the middle are followed by intact frames', async () => {
    const offsets = await writeFrames(4, LARGE);
    corrupt(offsets[1], Buffer.alloc(offsets[2] - offsets[1]));
    await expect(reopen()).rejects.toThrow(
      `the frame at offset ${offsets[1]} is invalid but an intact frame follows at offset ${offsets[2]}`,
    );
  });

  it('cuts a torn last group commit, in which a later frame landed and an earlier one did not: none of it was acknowledged', async () => {
    const offsets = await writeFrames(3);
    corrupt(offsets[1], Buffer.alloc(offsets[2] - offsets[1]));
    const size = statSync(logFile()).size;
    const { records, truncatedBytes } = await reopen();
    expect(revisions(records)).toEqual([0]);
    expect(truncatedBytes).toBe(size - offsets[1]);
  });

  it('writes no more than one write’s reach at a time, so that recovery can tell a torn write from damage', async () => {
    const writes: number[] = [];
    const { log } = await EventLog.open(dataDir, () => undefined);
    const handle = (log as unknown as { handle: { writev: (buffers: Buffer[], at: number) => Promise<unknown> } })
      .handle;
    const writev = handle.writev.bind(handle);
    handle.writev = (buffers, at) => (writes.push(buffers.reduce((sum, b) => sum + b.length, 0)), writev(buffers, at));
    await Promise.all(
      Array.from({ length: 7 }, (_, i) => log.append(encodeAppend('t', i, [event(i, LARGE)], 0n).payload).durable),
    );
    await log.close();
    expect(writes.length).toBeGreaterThan(1);
    expect(Math.max(...writes)).toBeLessThanOrEqual(MAX_WRITE_BYTES);
  });

  it('still cuts a torn last frame followed only by garbage', async () => {
    const offsets = await writeFrames(3);
    corrupt(offsets[2] + FRAME_HEADER_BYTES + 1, Buffer.from('X'));
    const garbage = Buffer.alloc(64 * 1024);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) & 0xff;
    appendFileSync(logFile(), garbage);

    const { records, truncatedBytes } = await reopen();
    expect(revisions(records)).toEqual([0, 1]);
    expect(statSync(logFile()).size).toBe(offsets[2]);
    expect(truncatedBytes).toBeGreaterThan(garbage.length);
  });

  it('takes the smallest record as the smallest frame', () => {
    expect(encodeTombstone('').length).toBe(MIN_PAYLOAD_BYTES);
  });
});
