import { randomUUID } from 'node:crypto';
import { ServerWritableStream } from '@grpc/grpc-js';
import { EventStoreEngine } from '../engine/event-store-engine';
import { StoredEvent } from '../log/records';
import { EventFilter } from './event-filter';
import { streamsPb } from './generated';
import { streamDeletedError, toReadResp } from './messages';
import { drained, isGone } from './response-writer';

type ReadCall = ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>;

/** Events loaded from the log per read: enough to amortise the read, little enough to bound memory per subscriber. */
export const READ_PAGE = 256;

/** Where a subscription reads from: all of $all, or one stream's events. */
export interface SubscriptionSource {
  /** How many entries are readable now, or 'deleted' once the stream is tombstoned. */
  length(): number | 'deleted';
  /** Index before which entries are hidden (soft-deleted). */
  floor(): number;
  /** The $all index of entry i. */
  allIndex(i: number): number;
  /** Whether what is read is worth keeping in the store's cache. */
  remember: boolean;
  name: string;
}

/**
 * A catch-up subscription is a cursor over the store's index: confirmation,
 * stored events, caught_up, then live events as commits land. Backpressure
 * pauses the cursor; at most one page of bodies is held per subscriber.
 */
export class Subscription {
  private index: number;
  private paused = false;
  private caughtUp = false;
  private scannedSinceCheckpoint = 0;
  private lastScannedPosition = 0;
  /** Bodies read ahead for the entries from `pageStart` on that pass the filter. */
  private page = new Map<number, StoredEvent>();
  private stop: () => void = () => undefined;

  constructor(
    private readonly call: ReadCall,
    private readonly engine: EventStoreEngine,
    private readonly source: SubscriptionSource,
    startIndex: number,
    private readonly filter: EventFilter | undefined,
  ) {
    this.index = startIndex;
  }

  start(): void {
    const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation();
    confirmation.setSubscriptionId(randomUUID());
    const resp = new streamsPb.ReadResp();
    resp.setConfirmation(confirmation);
    this.call.write(resp);
    this.stop = this.engine.onCommit(() => this.pump());
    const end = () => this.stop();
    this.call.once('cancelled', end);
    this.call.once('close', end);
    this.call.once('error', end);
    this.pump();
  }

  private pump(): void {
    if (this.paused || isGone(this.call)) return;
    const length = this.source.length();
    if (length === 'deleted') {
      this.stop();
      this.call.emit('error', streamDeletedError(this.source.name));
      return;
    }
    this.index = Math.max(this.index, this.source.floor());
    while (this.index < length) {
      const at = this.source.allIndex(this.index++);
      if (!this.deliver(at, length)) return this.waitForDrain();
    }
    // A filtered subscriber learns how far the scan got, so it can resume (and
    // report its position) past events it skipped, without waiting for a full window.
    if (this.filter && this.scannedSinceCheckpoint > 0 && !this.checkpoint()) return this.waitForDrain();
    if (!this.caughtUp) {
      this.caughtUp = true;
      const resp = new streamsPb.ReadResp();
      resp.setCaughtUp(new streamsPb.ReadResp.CaughtUp());
      if (!this.call.write(resp)) this.waitForDrain();
    }
  }

  /** Sends the event at $all index `at` if it passes the filter; returns false when the call's buffer is full. */
  private deliver(at: number, length: number): boolean {
    let ok = true;
    if (this.passes(at)) ok = this.call.write(toReadResp(this.body(at, length)));
    if (this.filter) {
      this.lastScannedPosition = this.engine.positionAt(at);
      if (++this.scannedSinceCheckpoint >= this.filter.checkpointWindow) ok = this.checkpoint() && ok;
    }
    return ok;
  }

  private passes(at: number): boolean {
    return !this.filter || this.filter.matches(this.engine.streamIdAt(at), this.engine.typeAt(at));
  }

  /** The body of the event at `at`, reading the next page of passing events when it is not read yet. */
  private body(at: number, length: number): StoredEvent {
    const ready = this.page.get(at);
    if (ready) return ready;
    const wanted = [at];
    for (let i = this.index; i < length && wanted.length < READ_PAGE; i++) {
      const next = this.source.allIndex(i);
      if (this.passes(next)) wanted.push(next);
    }
    const events = this.engine.eventsAt(wanted, this.source.remember);
    this.page = new Map(wanted.map((index, i) => [index, events[i]]));
    return events[0];
  }

  private checkpoint(): boolean {
    this.scannedSinceCheckpoint = 0;
    const checkpoint = new streamsPb.ReadResp.Checkpoint();
    checkpoint.setCommitPosition(String(this.lastScannedPosition));
    checkpoint.setPreparePosition(String(this.lastScannedPosition));
    const resp = new streamsPb.ReadResp();
    resp.setCheckpoint(checkpoint);
    return this.call.write(resp);
  }

  private waitForDrain(): void {
    this.paused = true;
    void drained(this.call).then(() => {
      this.paused = false;
      this.pump();
    });
  }
}
