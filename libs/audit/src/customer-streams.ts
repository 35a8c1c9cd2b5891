/**
 * Which streams hold a customer's history (docs/audit.md, What the export
 * holds): `customer-{id}`, `refund-ledger-{id}` and `discount-{id}-{day}` by
 * their names; carts, reservation orders, exchanges (and reservations' own
 * streams of older data) by their first event, which names the customer
 * (CartCreated, OrderPlaced, ExchangeRequested, ReservationProvisioned).
 * Shared streams (order numbers, the sandbox clock) and the audit anchors are
 * not a customer's history.
 */
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const BY_NAME = new RegExp(`^(?:customer-(${UUID})|refund-ledger-(${UUID})|discount-(${UUID})-\\d{8})$`, 'i');
const NEVER = /^(?:audit-anchors-|order-numbers-|sandbox-clock)/;

/** The customer a stream is about, from its name alone; undefined when only its first event can tell. */
export function customerOfStreamName(stream: string): string | undefined {
  const match = BY_NAME.exec(stream);
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}

interface EventLike {
  streamId: string;
  revision: bigint | number;
  data: Record<string, unknown>;
}

/**
 * Follows $all in order and says which customer each event is about. Keeps
 * one entry per stream that a first event gave to a customer (`only` keeps
 * those of one customer alone, for an export).
 */
export class CustomerStreams {
  private readonly owners = new Map<string, string>();

  constructor(private readonly only?: string) {}

  customerOf(event: EventLike): string | undefined {
    const { streamId } = event;
    if (NEVER.test(streamId)) return undefined;
    const named = customerOfStreamName(streamId);
    if (named !== undefined) return this.only === undefined || named === this.only ? named : undefined;
    const known = this.owners.get(streamId);
    if (known !== undefined) return known;
    if (Number(event.revision) !== 0) return undefined;
    const customerId = event.data.customerId;
    if (typeof customerId !== 'string') return undefined;
    if (this.only !== undefined && customerId !== this.only) return undefined;
    this.owners.set(streamId, customerId);
    return customerId;
  }
}
