/** An event to append: its id (for recognising a repeat), type, JSON data and metadata. */
export interface NewEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** An event as the store keeps it: where it sits in its stream and in $all. */
export interface StoredEvent extends NewEvent {
  streamId: string;
  revision: bigint;
  /** $all commit position. */
  position: bigint;
  created: Date;
}

/** The revision an append was decided on: an exact one, "the stream must not exist yet", or none. */
export type ExpectedRevision = bigint | 'no_stream' | 'any';

export interface AppendResult {
  nextExpectedRevision: bigint;
  position?: bigint;
}

/** The stream was not at the revision the append expected. */
export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly stream: string,
    /** The stream's revision, or -1n when it has none. */
    readonly actualRevision: bigint,
  ) {
    super(`stream ${stream} is at revision ${actualRevision}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/**
 * The port the application writes and reads events through: what commands,
 * fulfilment, reactors and the consistency checks need, and no more.
 * Production uses the official EventStoreDB client (real server or the
 * embedded one); unit tests use the in-memory adapter. Catch-up
 * subscriptions belong to the projection runner, which speaks to the client.
 */
export abstract class EventStore {
  /** Every event of a stream in order, or the first `maxCount`; [] when the stream does not exist. */
  abstract readStream(stream: string, options?: { maxCount?: number }): Promise<StoredEvent[]>;

  abstract appendToStream(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;

  /** Events of $all after `after` (from the start without it), oldest first, at most `maxCount`. */
  abstract readAll(options: { after?: bigint; maxCount: number }): Promise<StoredEvent[]>;

  /** Commit position of the last event in $all (0 when empty). */
  abstract headPosition(): Promise<bigint>;

  /** A cheap round trip, for readiness checks. */
  abstract ping(): Promise<void>;
}
