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
 * A catch-up subscription to $all, filtered by event type: the stored events
 * after its starting point, `caughtUp`, then live events. Flow control is the
 * caller's: while paused, events wait in the subscription (`buffered` says
 * how many), and a checkpoint must not move past them.
 */
export interface AllSubscription {
  on(event: 'event', listener: (event: StoredEvent) => void): AllSubscription;
  on(event: 'caughtUp' | 'end', listener: () => void): AllSubscription;
  on(event: 'error', listener: (error: Error) => void): AllSubscription;
  pause(): void;
  resume(): void;
  isPaused(): boolean;
  readonly buffered: number;
  unsubscribe(): Promise<void>;
}

export interface SubscribeToAllOptions {
  /** Start after this commit position; from the beginning without it. */
  after?: bigint;
  eventTypes: readonly string[];
  /** The store has looked as far as this position (events of other types skipped): a checkpoint may move there. */
  onCheckpoint: (position: bigint) => void;
}

/**
 * The port the application writes and reads events through: what commands,
 * fulfilment, projections, reactors and the consistency checks need, and no
 * more. Production uses the official EventStoreDB client (real server or the
 * embedded one); unit tests use the in-memory adapter.
 */
export abstract class EventStore {
  /** Every event of a stream in order, or the first `maxCount`; [] when the stream does not exist. */
  abstract readStream(stream: string, options?: { maxCount?: number }): Promise<StoredEvent[]>;

  abstract appendToStream(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;

  /** Events of $all after `after` (from the start without it), oldest first, at most `maxCount`. */
  abstract readAll(options: { after?: bigint; maxCount: number }): Promise<StoredEvent[]>;

  /** Commit position of the last event in $all (0 when empty). */
  abstract headPosition(): Promise<bigint>;

  abstract subscribeToAll(options: SubscribeToAllOptions): AllSubscription;

  /** A cheap round trip, for readiness checks. */
  abstract ping(): Promise<void>;
}
