import { EventLog } from '../log/event-log';
import {
  decodeEvent,
  decodeRecord,
  encodeAppend,
  encodeDelete,
  encodeTombstone,
  LogRecord,
  ProposedEvent,
  RecordKind,
  StoredEvent,
} from '../log/records';
import { AllIndex } from './all-index';
import { BoundedMap } from './bounded-map';
import { EventCache } from './event-cache';
import { CurrentRevision, ExpectedRevision, satisfies } from './expected-revision';
import { StreamState } from './stream-state';

export const MAX_APPEND_SIZE = 1_048_576;

export type WriteOutcome =
  | { ok: true; revision: CurrentRevision; position: number | undefined }
  | { ok: false; reason: 'wrong_expected_version'; current: CurrentRevision; expected: ExpectedRevision }
  | { ok: false; reason: 'stream_deleted' }
  | { ok: false; reason: 'too_large'; maxAppendSize: number };

/** A stream read answers with $all indices; `eventsAt` loads their bodies, a page at a time. */
export type StreamRead = { kind: 'events'; indices: number[] } | { kind: 'not_found' } | { kind: 'deleted' };

export type From = 'start' | 'end' | number;

interface PendingCommit {
  end: number;
  record: LogRecord;
}

/** Where an event id was written: enough to recognise a retried append. */
interface WrittenAt {
  streamId: string;
  revision: number;
  position: number;
}

/** What the engine keeps in memory beyond its index. */
export interface EngineLimits {
  /** Bytes of recently written or read events kept decoded. */
  cacheBytes: number;
  /**
   * Event ids remembered where they were written. A retry with `any` or
   * `stream_exists` is recognised only among these, as EventStoreDB too
   * recognises such retries best effort; an exact revision is always checked against the log.
   */
  recentIds: number;
}

export const DEFAULT_LIMITS: EngineLimits = { cacheBytes: 32 * 1024 * 1024, recentIds: 100_000 };

const TICKS_PER_MS = 10_000n;
/** Nearby events are fetched in one read when the bytes between them are at most this. */
const READ_GAP_BYTES = 4096;
const READ_SPAN_BYTES = 1024 * 1024;

/**
 * The store's state: every stream and the $all sequence, rebuilt from the log
 * on start. Only an index is kept in memory; bodies are read back from the
 * log file, through a bounded cache. Writes are validated against accepted
 * state, queued on the log, and applied to the readable state strictly in log
 * order once durable.
 */
export class EventStoreEngine {
  private readonly streams = new Map<string, StreamState>();
  private readonly streamsByNo: StreamState[] = [];
  private readonly all = new AllIndex();
  private readonly cache: EventCache;
  private readonly recentIds: BoundedMap<string, WrittenAt>;
  private readonly pending: PendingCommit[] = [];
  private readonly listeners = new Set<() => void>();
  private log!: EventLog;

  private constructor(limits: EngineLimits) {
    this.cache = new EventCache(limits.cacheBytes);
    this.recentIds = new BoundedMap(limits.recentIds);
  }

  static async open(
    dataDir: string,
    limits = DEFAULT_LIMITS,
  ): Promise<{ engine: EventStoreEngine; truncatedBytes: number }> {
    const engine = new EventStoreEngine(limits);
    const { log, truncatedBytes } = await EventLog.open(dataDir, (offset, payload) => {
      const record = decodeRecord(offset, payload);
      engine.accept(record);
      engine.apply(record, false);
    });
    engine.log = log;
    return { engine, truncatedBytes };
  }

  get eventCount(): number {
    return this.all.length;
  }

  positionAt(index: number): number {
    return this.all.positionAt(index);
  }

  streamIdAt(index: number): string {
    return this.streamsByNo[this.all.streamAt(index)].id;
  }

  typeAt(index: number): string {
    return this.all.typeAt(index);
  }

  /**
   * The events at these $all indices, in the order given. Nearby misses are
   * read together; `remember` keeps what was read in the cache, for reads
   * likely to come again (streams), not for scans of $all.
   */
  eventsAt(indices: readonly number[], remember: boolean): StoredEvent[] {
    const out = new Array<StoredEvent>(indices.length);
    const decode = (slot: number, bytes: Buffer) => {
      const index = indices[slot];
      out[slot] = decodeEvent(bytes, this.streamIdAt(index), this.all.revisionAt(index), this.all.positionAt(index));
    };
    let run: number[] = [];
    const flush = () => {
      if (run.length === 0) return;
      const start = this.all.positionAt(indices[run[0]]);
      const lastIndex = indices[run.at(-1)!];
      const bytes = this.log.read(start, this.all.positionAt(lastIndex) + this.all.sizeAt(lastIndex) - start);
      for (const slot of run) {
        const index = indices[slot];
        const at = this.all.positionAt(index) - start;
        const own = bytes.subarray(at, at + this.all.sizeAt(index));
        decode(slot, own);
        // A copy, so a cached event does not keep the whole read alive.
        if (remember) this.cache.set(index, Buffer.from(own));
      }
      run = [];
    };
    for (let slot = 0; slot < indices.length; slot++) {
      const index = indices[slot];
      const cached = this.cache.get(index);
      if (cached) {
        flush();
        decode(slot, cached);
        continue;
      }
      if (run.length > 0) {
        const first = this.all.positionAt(indices[run[0]]);
        const previous = indices[run.at(-1)!];
        const gap = this.all.positionAt(index) - (this.all.positionAt(previous) + this.all.sizeAt(previous));
        const span = this.all.positionAt(index) + this.all.sizeAt(index) - first;
        if (gap < 0 || gap > READ_GAP_BYTES || span > READ_SPAN_BYTES) flush();
      }
      run.push(slot);
    }
    flush();
    return out;
  }

  stream(id: string): StreamState | undefined {
    return this.streams.get(id);
  }

  /** Called after every batch of records becomes readable. */
  onCommit(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async append(streamId: string, expected: ExpectedRevision, events: ProposedEvent[]): Promise<WriteOutcome> {
    const size = events.reduce((sum, e) => sum + e.data.length + e.metadata.length, 0);
    if (size > MAX_APPEND_SIZE) return { ok: false, reason: 'too_large', maxAppendSize: MAX_APPEND_SIZE };

    const stream = this.getOrCreate(streamId);
    if (stream.acceptedTombstoned) return { ok: false, reason: 'stream_deleted' };

    const current = stream.acceptedCurrent;
    const exact = expected.kind === 'exact' ? expected.revision : expected.kind === 'no_stream' ? -1 : undefined;
    if (exact !== undefined) {
      // EventStoreDB's guarantee: the same ids at the same place, right after the expected revision, are a repeat.
      // An append at the current revision is a new write, even with ids seen before.
      if (exact !== (current === 'no_stream' ? -1 : current)) {
        const repeat = this.repeatAt(stream, exact, events);
        if (!repeat) return { ok: false, reason: 'wrong_expected_version', current, expected };
        await this.log.waitDurable(repeat.position + 1);
        return { ok: true, revision: repeat.revision, position: repeat.position };
      }
    } else {
      // With any or stream_exists, recognising a repeat is best effort, as in EventStoreDB.
      const replay = this.findRetry(stream, events);
      if (replay === 'conflict') return { ok: false, reason: 'wrong_expected_version', current, expected };
      if (replay) {
        await this.log.waitDurable(replay.position + 1);
        return { ok: true, revision: replay.revision, position: replay.position };
      }
      if (!satisfies(expected, current)) return { ok: false, reason: 'wrong_expected_version', current, expected };
    }
    if (events.length === 0) return { ok: true, revision: current, position: undefined };

    const created = BigInt(Date.now()) * TICKS_PER_MS;
    const { payload } = encodeAppend(streamId, stream.acceptedLast + 1, events, created);
    const record = await this.write(payload);
    const last = (record as Extract<LogRecord, { kind: RecordKind.Append }>).events.at(-1)!;
    return { ok: true, revision: last.revision, position: last.position };
  }

  async delete(streamId: string, expected: ExpectedRevision, tombstone: boolean): Promise<WriteOutcome> {
    const stream = this.getOrCreate(streamId);
    if (stream.acceptedTombstoned) return { ok: false, reason: 'stream_deleted' };
    const current = stream.acceptedCurrent;
    if (!satisfies(expected, current)) return { ok: false, reason: 'wrong_expected_version', current, expected };
    const payload = tombstone ? encodeTombstone(streamId) : encodeDelete(streamId, stream.acceptedLast + 1);
    const record = await this.write(payload);
    return { ok: true, revision: current, position: (record as { position: number }).position };
  }

  readStream(streamId: string, from: From, direction: 'forwards' | 'backwards', count: number): StreamRead {
    const stream = this.streams.get(streamId);
    if (stream?.tombstoned) return { kind: 'deleted' };
    if (!stream || stream.isMissing) return { kind: 'not_found' };
    const { indices, truncateBefore } = stream;
    if (direction === 'forwards') {
      const start = Math.max(truncateBefore, from === 'start' ? 0 : from === 'end' ? indices.length : from);
      return { kind: 'events', indices: indices.slice(start, start + count) };
    }
    const start = Math.min(
      indices.length - 1,
      from === 'start' ? truncateBefore : from === 'end' ? indices.length - 1 : from,
    );
    const out: number[] = [];
    for (let i = start; i >= truncateBefore && out.length < count; i--) out.push(indices[i]);
    return { kind: 'events', indices: out };
  }

  /** Index in $all of the first event at or after `position`. */
  indexAtOrAfter(position: number): number {
    return this.all.indexAtOrAfter(position);
  }

  /**
   * Whether $all may be read from `position`: the start, an event's own
   * position, or past the last one. EventStoreDB's positions are offsets in
   * its log, and it refuses one that falls between two events' records.
   */
  isPositionInAll(position: number): boolean {
    const i = this.all.indexAtOrAfter(position);
    if (position === 0 || (i < this.all.length && this.all.positionAt(i) === position)) return true;
    const last = this.all.length - 1;
    return i === this.all.length && (last < 0 || position >= this.all.positionAt(last) + this.all.sizeAt(last));
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.log.close();
  }

  /**
   * Where the last event of an earlier append of exactly these ids was
   * written, right after `revision` in this stream; undefined when the ids are not there.
   */
  private repeatAt(stream: StreamState, revision: number, events: ProposedEvent[]): WrittenAt | undefined {
    if (events.length === 0) return undefined;
    let last: WrittenAt | undefined;
    for (let i = 0; i < events.length; i++) {
      const expectedRevision = revision + 1 + i;
      const recent = this.recentIds.get(events[i].id);
      if (recent) {
        if (recent.streamId !== stream.id || recent.revision !== expectedRevision) return undefined;
        last = recent;
        continue;
      }
      // Older than the ids remembered: compare with the durable event at that revision.
      const index = stream.indices[expectedRevision];
      if (index === undefined) return undefined;
      const [stored] = this.eventsAt([index], true);
      if (stored.id !== events[i].id) return undefined;
      last = stored;
    }
    return last;
  }

  /**
   * A retried append (same event ids) must not write again (best effort). Returns where the last
   * event of the original write went when the whole batch matches it, 'conflict'
   * when only part of it does, and undefined for a fresh append.
   */
  private findRetry(stream: StreamState, events: ProposedEvent[]): WrittenAt | 'conflict' | undefined {
    if (events.length === 0) return undefined;
    const first = this.recentIds.get(events[0].id);
    if (!first) return events.some((e) => this.recentIds.has(e.id)) ? 'conflict' : undefined;
    let last = first;
    for (let i = 0; i < events.length; i++) {
      const written = this.recentIds.get(events[i].id);
      if (!written || written.streamId !== stream.id || written.revision !== first.revision + i) return 'conflict';
      last = written;
    }
    return last;
  }

  private async write(payload: Buffer): Promise<LogRecord> {
    const { offset, durable } = this.log.append(payload);
    const record = decodeRecord(offset, payload);
    this.accept(record);
    this.pending.push({ end: this.log.nextOffset, record });
    await durable;
    this.drainCommits(this.log.nextDurableOffset);
    return record;
  }

  private drainCommits(durableEnd: number): void {
    let applied = 0;
    while (this.pending.length > applied && this.pending[applied].end <= durableEnd) {
      this.apply(this.pending[applied].record, true);
      applied++;
    }
    if (applied === 0) return;
    this.pending.splice(0, applied);
    for (const listener of this.listeners) listener();
  }

  /** Updates the state concurrency checks use. */
  private accept(record: LogRecord): void {
    const stream = this.getOrCreate(record.streamId);
    switch (record.kind) {
      case RecordKind.Append:
        for (const { id, revision, position } of record.events)
          this.recentIds.set(id, { streamId: stream.id, revision, position });
        stream.acceptedLast = record.events.at(-1)!.revision;
        break;
      case RecordKind.Delete:
        stream.acceptedTruncateBefore = record.truncateBefore;
        break;
      case RecordKind.Tombstone:
        stream.acceptedTombstoned = true;
        break;
    }
  }

  /** Makes a durable record visible to readers and subscribers; `cache` keeps its events for the readers to come. */
  private apply(record: LogRecord, cache: boolean): void {
    const stream = this.getOrCreate(record.streamId);
    switch (record.kind) {
      case RecordKind.Append:
        record.events.forEach((event, i) => {
          const index = this.all.push(event.position, record.encoded[i].length, stream.no, event.revision, event.type);
          stream.indices.push(index);
          if (cache) this.cache.set(index, record.encoded[i]);
        });
        break;
      case RecordKind.Delete:
        stream.truncateBefore = record.truncateBefore;
        break;
      case RecordKind.Tombstone:
        stream.tombstoned = true;
        break;
    }
  }

  private getOrCreate(id: string): StreamState {
    let stream = this.streams.get(id);
    if (!stream) {
      stream = new StreamState(id, this.streamsByNo.length);
      this.streams.set(id, stream);
      this.streamsByNo.push(stream);
    }
    return stream;
  }
}
