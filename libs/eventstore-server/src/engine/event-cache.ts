import { BoundedMap } from './bounded-map';

/** Per-entry bookkeeping of the map, roughly. */
const OVERHEAD_BYTES = 100;

/**
 * The events most recently written or read, by $all index, as their bytes in
 * the log, up to a byte budget. New events are read by every live subscriber
 * right after they land, and aggregates read the same streams again and
 * again. Keeping bytes rather than decoded events keeps the budget honest.
 * The oldest go first, read or not: a hot stream read again is cached again.
 */
export class EventCache {
  private readonly entries: BoundedMap<number, Buffer>;

  constructor(budgetBytes: number) {
    this.entries = new BoundedMap(budgetBytes, (bytes) => bytes.length + OVERHEAD_BYTES);
  }

  get(index: number): Buffer | undefined {
    return this.entries.get(index);
  }

  set(index: number, bytes: Buffer): void {
    if (!this.entries.has(index)) this.entries.set(index, bytes);
  }
}
