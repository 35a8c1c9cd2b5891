import { randomUUID } from 'node:crypto';
import { ServerWritableStream } from '@grpc/grpc-js';
import { EventStoreEngine } from '../engine/event-store-engine';
import { StoredEvent } from '../log/records';
import { EventFilter } from './event-filter';
import { streamsPb } from './generated';
import { streamDeletedError, toReadResp } from './messages';
import { drained, isGone } from './response-writer';

type ReadCall = ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>;

/** Where a subscription reads from: all of $all, or one stream's events. */
export interface SubscriptionSource {
  /** The current durable events, or 'deleted' once the stream is tombstoned. */
  events(): readonly StoredEvent[] | 'deleted';
  /** Index before which events are hidden (soft-deleted). */
  floor(): number;
  name: string;
}

/**
 * A catch-up subscription is a cursor over the store's in-memory sequence:
 * confirmation, stored events, caught_up, then live events as commits land.
 * Backpressure pauses the cursor; nothing is buffered per subscriber.
 */
export class Subscription {
  private index: number;
  private paused = false;
  private caughtUp = false;
  private scannedSinceCheckpoint = 0;
  private lastScanned: StoredEvent | undefined;
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
    const events = this.source.events();
    if (events === 'deleted') {
      this.stop();
      this.call.emit('error', streamDeletedError(this.source.name));
      return;
    }
    this.index = Math.max(this.index, this.source.floor());
    while (this.index < events.length) {
      const event = events[this.index++];
      if (!this.deliver(event)) return this.waitForDrain();
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

  /** Returns false when the call's buffer is full. */
  private deliver(event: StoredEvent): boolean {
    let ok = true;
    if (!this.filter || this.filter.matches(event)) ok = this.call.write(toReadResp(event));
    if (this.filter) {
      this.lastScanned = event;
      if (++this.scannedSinceCheckpoint >= this.filter.checkpointWindow) ok = this.checkpoint() && ok;
    }
    return ok;
  }

  private checkpoint(): boolean {
    this.scannedSinceCheckpoint = 0;
    const checkpoint = new streamsPb.ReadResp.Checkpoint();
    checkpoint.setCommitPosition(String(this.lastScanned!.position));
    checkpoint.setPreparePosition(String(this.lastScanned!.position));
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
