import { StoredEvent } from '../log/records';
import { CurrentRevision } from './expected-revision';

/**
 * One stream. Two views are kept: `accepted*` fields include appends still
 * waiting for fsync, so concurrency checks see them; `events`, `truncateBefore`
 * and `tombstoned` only change once a record is durable, so readers never see
 * something a crash could take back.
 */
export class StreamState {
  /** Durable events, indexed by revision (revisions are dense from 0). */
  readonly events: StoredEvent[] = [];
  truncateBefore = 0;
  tombstoned = false;

  acceptedLast = -1;
  acceptedTruncateBefore = 0;
  acceptedTombstoned = false;

  constructor(readonly id: string) {}

  get acceptedCurrent(): CurrentRevision {
    return this.acceptedLast >= this.acceptedTruncateBefore ? this.acceptedLast : 'no_stream';
  }

  /** True when a read should answer stream_not_found. */
  get isMissing(): boolean {
    return this.events.length <= this.truncateBefore;
  }
}
