import { CurrentRevision } from './expected-revision';

/**
 * One stream. Two views are kept: `accepted*` fields include appends still
 * waiting for fsync, so concurrency checks see them; `indices`, `truncateBefore`
 * and `tombstoned` only change once a record is durable, so readers never see
 * something a crash could take back.
 */
export class StreamState {
  /** The $all index of each durable event, by revision (revisions are dense from 0). */
  readonly indices: number[] = [];
  truncateBefore = 0;
  tombstoned = false;

  acceptedLast = -1;
  acceptedTruncateBefore = 0;
  acceptedTombstoned = false;

  constructor(
    readonly id: string,
    /** The engine's number for this stream, as $all's index refers to it. */
    readonly no: number,
  ) {}

  get acceptedCurrent(): CurrentRevision {
    return this.acceptedLast >= this.acceptedTruncateBefore ? this.acceptedLast : 'no_stream';
  }

  /** True when a read should answer stream_not_found. */
  get isMissing(): boolean {
    return this.indices.length <= this.truncateBefore;
  }
}
