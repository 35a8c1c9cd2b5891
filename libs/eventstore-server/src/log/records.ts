import { FRAME_HEADER_BYTES } from './frame';

/** What a frame's payload holds. */
export enum RecordKind {
  Append = 1,
  Delete = 2,
  Tombstone = 3,
}

export interface ProposedEvent {
  id: string;
  type: string;
  contentType: string;
  data: Buffer;
  metadata: Buffer;
}

export interface StoredEvent extends ProposedEvent {
  streamId: string;
  revision: number;
  /** $all position: the log offset of this event's bytes (commit = prepare). */
  position: number;
  /** 100 ns ticks since the Unix epoch, as EventStoreDB reports `created`. */
  created: bigint;
}

export type LogRecord =
  /** `encoded[i]` holds events[i]'s bytes as in the log, which `decodeEvent` reads back. */
  | { kind: RecordKind.Append; streamId: string; events: StoredEvent[]; encoded: Buffer[] }
  | { kind: RecordKind.Delete; streamId: string; position: number; truncateBefore: number }
  | { kind: RecordKind.Tombstone; streamId: string; position: number };

/**
 * Payload layout (little endian):
 *   u8 kind | str16 streamId | kind-specific body
 *   Append:    u64 firstRevision | u32 count | event*
 *   event:     str8 id | str16 type | str8 contentType | u64 created | bytes32 data | bytes32 metadata
 *   Delete:    u64 truncateBefore
 *   Tombstone: (nothing)
 */
class Writer {
  private chunks: Buffer[] = [];
  length = 0;

  private push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
  u8(value: number): void {
    const b = Buffer.allocUnsafe(1);
    b.writeUInt8(value);
    this.push(b);
  }
  u32(value: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32LE(value);
    this.push(b);
  }
  u64(value: bigint): void {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64LE(value);
    this.push(b);
  }
  str8(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length > 0xff) throw new Error(`value too long: ${value.slice(0, 40)}…`);
    this.u8(bytes.length);
    this.push(bytes);
  }
  str16(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length > 0xffff) throw new Error(`value too long: ${value.slice(0, 40)}…`);
    const b = Buffer.allocUnsafe(2);
    b.writeUInt16LE(bytes.length);
    this.push(b);
    this.push(bytes);
  }
  bytes32(value: Buffer): void {
    this.u32(value.length);
    this.push(value);
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  get offset(): number {
    return this.at;
  }
  u8(): number {
    return this.buf.readUInt8(this.at++);
  }
  u32(): number {
    const v = this.buf.readUInt32LE(this.at);
    this.at += 4;
    return v;
  }
  u64(): bigint {
    const v = this.buf.readBigUInt64LE(this.at);
    this.at += 8;
    return v;
  }
  str8(): string {
    const n = this.u8();
    return this.take(n).toString('utf8');
  }
  str16(): string {
    const n = this.buf.readUInt16LE(this.at);
    this.at += 2;
    return this.take(n).toString('utf8');
  }
  bytes32(): Buffer {
    return this.take(this.u32());
  }
  private take(n: number): Buffer {
    if (this.at + n > this.buf.length) throw new Error('record truncated');
    const slice = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return slice;
  }
}

export interface EncodedAppend {
  payload: Buffer;
  /** Offset of each event inside the payload; add the frame's data offset for its position. */
  eventOffsets: number[];
}

export function encodeAppend(
  streamId: string,
  firstRevision: number,
  events: ProposedEvent[],
  created: bigint,
): EncodedAppend {
  const w = new Writer();
  w.u8(RecordKind.Append);
  w.str16(streamId);
  w.u64(BigInt(firstRevision));
  w.u32(events.length);
  const eventOffsets: number[] = [];
  for (const event of events) {
    eventOffsets.push(w.length);
    w.str8(event.id);
    w.str16(event.type);
    w.str8(event.contentType);
    w.u64(created);
    w.bytes32(event.data);
    w.bytes32(event.metadata);
  }
  return { payload: w.toBuffer(), eventOffsets };
}

export function encodeDelete(streamId: string, truncateBefore: number): Buffer {
  const w = new Writer();
  w.u8(RecordKind.Delete);
  w.str16(streamId);
  w.u64(BigInt(truncateBefore));
  return w.toBuffer();
}

export function encodeTombstone(streamId: string): Buffer {
  const w = new Writer();
  w.u8(RecordKind.Tombstone);
  w.str16(streamId);
  return w.toBuffer();
}

/** Absolute position of a byte inside the payload of the frame starting at frameOffset. */
export function positionInFrame(frameOffset: number, payloadOffset: number): number {
  return frameOffset + FRAME_HEADER_BYTES + payloadOffset;
}

export function decodeRecord(frameOffset: number, payload: Buffer): LogRecord {
  const r = new Reader(payload);
  const kind = r.u8() as RecordKind;
  const streamId = r.str16();
  switch (kind) {
    case RecordKind.Append: {
      const firstRevision = Number(r.u64());
      const count = r.u32();
      const events: StoredEvent[] = [];
      const encoded: Buffer[] = [];
      for (let i = 0; i < count; i++) {
        const start = r.offset;
        events.push(readEvent(r, streamId, firstRevision + i, positionInFrame(frameOffset, start)));
        encoded.push(payload.subarray(start, r.offset));
      }
      return { kind, streamId, events, encoded };
    }
    case RecordKind.Delete:
      return { kind, streamId, position: positionInFrame(frameOffset, 0), truncateBefore: Number(r.u64()) };
    case RecordKind.Tombstone:
      return { kind, streamId, position: positionInFrame(frameOffset, 0) };
    default:
      throw new Error(`unknown record kind ${kind as number} at offset ${frameOffset}`);
  }
}

/** Decodes one event from its own bytes, as read back from the log at `position`. */
export function decodeEvent(bytes: Buffer, streamId: string, revision: number, position: number): StoredEvent {
  return readEvent(new Reader(bytes), streamId, revision, position);
}

function readEvent(r: Reader, streamId: string, revision: number, position: number): StoredEvent {
  const id = r.str8();
  const type = r.str16();
  const contentType = r.str8();
  const created = r.u64();
  const data = r.bytes32();
  const metadata = r.bytes32();
  return { streamId, revision, position, id, type, contentType, created, data, metadata };
}
