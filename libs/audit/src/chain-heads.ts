import { StoredEvent } from '@app/eventstore-client';
import { auditLine, AuditEventLine, ZERO_CHAIN } from './audit-line';
import { CustomerStreams } from './customer-streams';

export interface ChainHead {
  count: number;
  chain: string;
  /** $all position of the last event counted; '' before the first. */
  position: string;
  /** The partner the customer's history was written for (its first event's metadata). */
  partnerId: string;
}

/** How many $all events a scan reads at once: a page in memory, whatever the size of the history. */
export const SCAN_PAGE = 1_000;

/** Reads $all in pages up to `head` (inclusive), oldest first. Each page is read to its end (see the client quirk in docs/architecture.md). */
export async function* scanAll(
  readAll: (options: { after?: bigint; maxCount: number }) => Promise<StoredEvent[]>,
  head: bigint,
  after?: bigint,
): AsyncGenerator<StoredEvent[]> {
  for (;;) {
    const page = await readAll({ after, maxCount: SCAN_PAGE });
    const within = page.filter((event) => event.position <= head);
    if (within.length > 0) yield within;
    if (page.length < SCAN_PAGE || within.length < page.length) return;
    after = page[page.length - 1].position;
  }
}

/**
 * One customer's audit chain, followed through $all: the lines of its
 * history, each chained to the one before, from the start or from an anchor.
 */
export class CustomerChain {
  private readonly streams: CustomerStreams;
  /** Events of the customer seen so far, those before the start included. */
  count = 0;

  constructor(
    readonly customerId: string,
    /** Events before the first line to give (an anchor's count), and the chain after them. */
    private readonly start: { count: number; chain: string } = { count: 0, chain: ZERO_CHAIN },
  ) {
    this.streams = new CustomerStreams(customerId);
    this.previous = start.chain;
  }

  private previous: string;

  /** The event's line when it is the customer's and past the start; undefined otherwise. */
  next(event: StoredEvent): AuditEventLine | undefined {
    if (this.streams.customerOf(event) !== this.customerId) return undefined;
    this.count++;
    if (this.count <= this.start.count) return undefined;
    const line = auditLine(event, this.previous);
    this.previous = line.chain;
    return line;
  }

  get head(): string {
    return this.previous;
  }
}

/** Every customer's chain head, followed through $all in one pass (the anchor job). */
export class ChainHeads {
  private readonly streams = new CustomerStreams();
  readonly heads = new Map<string, ChainHead>();

  push(event: StoredEvent): void {
    const customerId = this.streams.customerOf(event);
    if (customerId === undefined) return;
    let head = this.heads.get(customerId);
    if (!head) {
      const partnerId = typeof event.metadata.partnerId === 'string' ? event.metadata.partnerId : 'unknown';
      this.heads.set(customerId, (head = { count: 0, chain: ZERO_CHAIN, position: '', partnerId }));
    }
    const line = auditLine(event, head.chain);
    head.count++;
    head.chain = line.chain;
    head.position = line.position;
  }
}
