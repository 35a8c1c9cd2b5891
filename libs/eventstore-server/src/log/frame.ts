import { crc32 } from 'node:zlib';

/**
 * On-disk framing of the append-only log.
 *
 *   file   = MAGIC frame*
 *   frame  = u32 payloadLength | u32 crc32(payload) | payload
 *
 * A frame is the unit of atomicity: one append (all its events) or one
 * delete marker. Recovery keeps every frame whose length and checksum are
 * intact and truncates the rest, which can only be a write that was never
 * acknowledged (acks wait for fsync).
 */
export const LOG_MAGIC = Buffer.from('RVLOG001', 'ascii');
export const FRAME_HEADER_BYTES = 8;
/** Upper bound that lets recovery tell a torn header from a plausible frame. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export function encodeFrame(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

export interface ScannedFrame {
  /** Absolute file offset of the frame header. */
  offset: number;
  payload: Buffer;
}

export interface ScanResult {
  frames: ScannedFrame[];
  /** Length of the valid prefix; everything after it is a torn tail. */
  validLength: number;
}

/** Walks the frames of a whole log file image, stopping at the first bad one. */
export function scanFrames(file: Buffer): ScanResult {
  if (file.length < LOG_MAGIC.length || !file.subarray(0, LOG_MAGIC.length).equals(LOG_MAGIC)) {
    throw new Error('not an event log: bad magic header');
  }
  const frames: ScannedFrame[] = [];
  let offset = LOG_MAGIC.length;
  while (offset + FRAME_HEADER_BYTES <= file.length) {
    const length = file.readUInt32LE(offset);
    const checksum = file.readUInt32LE(offset + 4);
    const end = offset + FRAME_HEADER_BYTES + length;
    if (length > MAX_FRAME_BYTES || end > file.length) break;
    const payload = file.subarray(offset + FRAME_HEADER_BYTES, end);
    if (crc32(payload) !== checksum) break;
    frames.push({ offset, payload });
    offset = end;
  }
  return { frames, validLength: offset };
}
