import { crc32 } from 'node:zlib';

/**
 * On-disk framing of the append-only log.
 *
 *   file   = MAGIC frame*
 *   frame  = u32 payloadLength | u32 crc32(payload) | payload
 *
 * A frame is the unit of atomicity: one append (all its events) or one
 * delete marker. Recovery keeps every frame whose length and checksum are
 * intact and truncates a torn tail, which can only be a write that was never
 * acknowledged (acks wait for fsync).
 */
export const LOG_MAGIC = Buffer.from('RVLOG001', 'ascii');
export const FRAME_HEADER_BYTES = 8;
/** Upper bound that lets recovery tell a torn header from a plausible frame. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
/**
 * The smallest record (records.ts): a kind byte and an empty stream id. A
 * shorter frame is torn: zero-filled space, which some filesystems (XFS)
 * leave after a power loss, reads as length 0 with the matching crc 0.
 */
export const MIN_PAYLOAD_BYTES = 3;

export function encodeFrame(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/** The frame starting at `at` in `window`: its payload, 'more' when the window ends first, 'bad' when torn. */
export function frameIn(window: Buffer, at: number): { payload: Buffer; end: number } | 'more' | 'bad' {
  if (at + FRAME_HEADER_BYTES > window.length) return 'more';
  const length = window.readUInt32LE(at);
  if (length < MIN_PAYLOAD_BYTES || length > MAX_FRAME_BYTES) return 'bad';
  const end = at + FRAME_HEADER_BYTES + length;
  if (end > window.length) return 'more';
  const payload = window.subarray(at + FRAME_HEADER_BYTES, end);
  return crc32(payload) === window.readUInt32LE(at + 4) ? { payload, end } : 'bad';
}
