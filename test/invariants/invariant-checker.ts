import { cents, REFUND_CAP_USD, TERM_MONTHS, usd } from '@app/domain';

export interface StoredEvent {
  streamId: string;
  type: string;
  data: any;
}

/**
 * The money invariants, checked over every event in the store. Each
 * violation is a sentence naming the order, reservation or customer.
 *
 * It reads the raw events and folds them itself, never with the production
 * deciders: their evolve forgives what it must find (a second OrderPlaced
 * starts the order afresh, a duplicate keyed by id collapses into one).
 * `now` is when the store was read: a reservation whose term ended by then
 * has taken all its payments.
 */
export function moneyViolations(events: StoredEvent[], now: string): string[] {
  return new Checker(events, now).run();
}

/** What the checker reads of a ReservationProvisioned (older events lack the optional fields). */
interface Provisioned {
  reservationId: string;
  orderId: string;
  orderNumber?: string;
  lineNumber: number;
  customerId: string;
  quantity: number;
  term: 'P1Y' | 'P3Y';
  billingPlan: 'Upfront' | 'Monthly';
  effectiveDate: string;
  expiryDate: string;
  unitPriceUsd?: number;
  origin?: { type: 'split' | 'merge' | 'exchange'; reservationIds: string[] };
  payments?: { startDate: string; recorded: number };
}

interface Payment {
  paymentNumber: number;
  amountUsd: number;
  dueAt: string;
  recordedAt: string;
  /** Returns recorded before it: only those can have lowered it (one recorded after, even at the same instant, cannot). */
  returnsBefore: number;
}

/** One reservation as the checker folds it: where its units went, and its money in and out. */
interface Held {
  data: Provisioned;
  status: 'active' | 'cancelled' | 'exchanged' | 'split' | 'merged' | 'expired';
  endedAt?: string;
  /** Units it holds now (for a split or merge source: when it ended). */
  held: number;
  returned: number;
  exchangedAway: number;
  expired: number;
  mergedInto?: string;
  /** Quantities that left it while the rest stayed: returns and exchanges of part. */
  returns: Array<{ quantity: number; at: string }>;
  returnIds: string[];
  cancellationIds: string[];
  refundedCents: number;
  payments: Payment[];
}

interface OrderInfo {
  orderId: string;
  orderNumber: string;
  cartId: string;
  lines: Array<{ lineNumber: number; quantity: number }>;
  ended?: 'cancelled' | 'failed';
}

interface LedgerRefund {
  stream: string;
  customerId: string;
  cancellationId: string;
  reservationId: string;
  amountUsd: number;
  counted: number;
  refundedAt: string;
}

/** A refund on a reservation's own stream: its cancellation, or the return of part of it. */
interface OrderRefund {
  cancellationId: string;
  reservationId: string;
  refundUsd: number;
}

interface Exchange {
  exchangeId: string;
  reservationId: string;
  newReservationId: string;
  returnedValueUsd: number;
  newCommitmentUsd: number;
  remainingCommitmentUsd?: number;
  refundUsd?: number;
}

const isOrderStream = (stream: string) => stream.startsWith('order-') && !stream.startsWith('order-numbers-');
const HOUR_MS = 3_600_000;
/** A return counts for billing from the next whole hour (the domain's rule); a payment due in between may still cover the units returned. */
const nextHour = (iso: string) => Math.ceil(Date.parse(iso) / HOUR_MS) * HOUR_MS;
/** The rolling window ending at `at` starts the same instant a year earlier. */
const yearBefore = (at: string) => {
  const start = new Date(at);
  start.setUTCFullYear(start.getUTCFullYear() - 1);
  return start.toISOString();
};
/** Legacy events name no cancellation: one per reservation then, as the ledger keys them. */
const cancellationIdOf = (data: { cancellationId?: string; reservationId: string }) =>
  data.cancellationId ?? `legacy/${data.reservationId}`;
const money = (amountCents: number) => `USD ${usd(amountCents)}`;
const groupBy = <T>(items: T[], key: (item: T) => string) => {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
};

class Checker {
  private readonly violations: string[] = [];
  private readonly orders = new Map<string, OrderInfo>();
  private readonly placedPerStream = new Map<string, number>();
  private readonly reservations = new Map<string, Held>();
  /** Reservations each (order, line) provisioned, by id. */
  private readonly lineReservations = new Map<string, string[]>();
  private readonly failedLines = new Set<string>();
  private readonly purchases: Array<{ cartId: string; orderId: string; orderNumber: string }> = [];
  private readonly ledger: LedgerRefund[] = [];
  private readonly reversed = new Set<string>();
  private readonly orderRefunds: OrderRefund[] = [];
  private readonly exchanges: Exchange[] = [];

  constructor(
    private readonly events: StoredEvent[],
    private readonly now: string,
  ) {}

  run(): string[] {
    // Reservations first: a change names one provisioned earlier in its own stream, but the checker does not rely on $all's order across streams.
    for (const event of this.events) if (event.type === 'ReservationProvisioned') this.provisioned(event);
    for (const event of this.events) this.read(event);
    this.checkOrders();
    this.checkUnits();
    this.checkExchanges();
    this.checkRefunds();
    this.checkLedgers();
    for (const reservation of this.reservations.values()) this.checkPayments(reservation);
    return this.violations;
  }

  private violation(message: string) {
    this.violations.push(message);
  }

  private orderName(orderId: string, orderNumber?: string) {
    return `order ${this.orders.get(orderId)?.orderNumber ?? orderNumber ?? orderId}`;
  }

  private name(r: Held) {
    return `reservation ${r.data.reservationId} (${this.orderName(r.data.orderId, r.data.orderNumber)})`;
  }

  private provisioned(event: StoredEvent) {
    const data = event.data as Provisioned;
    const existing = this.reservations.get(data.reservationId);
    if (existing) {
      // The first one stands; a second would add units the first already counts.
      this.violation(`${this.name(existing)} was provisioned again in ${event.streamId}`);
      return;
    }
    this.reservations.set(data.reservationId, {
      data,
      status: 'active',
      held: data.quantity,
      returned: 0,
      exchangedAway: 0,
      expired: 0,
      returns: [],
      returnIds: [],
      cancellationIds: [],
      refundedCents: 0,
      payments: [],
    });
    if (!data.origin) {
      const key = `${data.orderId}#${data.lineNumber}`;
      this.lineReservations.set(key, [...(this.lineReservations.get(key) ?? []), data.reservationId]);
    }
  }

  private read(event: StoredEvent) {
    const { type, data, streamId } = event;
    if (isOrderStream(streamId) && !this.placedPerStream.has(streamId)) this.placedPerStream.set(streamId, 0);
    switch (type) {
      case 'OrderPlaced':
        if (isOrderStream(streamId)) this.placedPerStream.set(streamId, (this.placedPerStream.get(streamId) ?? 0) + 1);
        if (!this.orders.has(data.orderId)) this.orders.set(data.orderId, { ...data, lines: data.lines ?? [] });
        return;
      case 'OrderLineProvisioningFailed':
        this.failedLines.add(`${data.orderId}#${data.lineNumber}`);
        return;
      case 'OrderCancelled':
      case 'OrderFailed': {
        const order = this.orders.get(data.orderId);
        if (order) order.ended = type === 'OrderCancelled' ? 'cancelled' : 'failed';
        return;
      }
      case 'CartPurchased':
        this.purchases.push({ cartId: data.cartId, orderId: data.orderId, orderNumber: data.orderNumber });
        return;
      case 'RefundRecorded':
        this.ledger.push({
          stream: streamId,
          customerId: streamId.replace(/^refund-ledger-/, ''),
          cancellationId: cancellationIdOf(data),
          reservationId: data.reservationId,
          amountUsd: data.amountUsd,
          counted: data.countedUsd ?? data.amountUsd,
          refundedAt: data.refundedAt,
        });
        return;
      case 'RefundReversed':
        this.reversed.add(`${streamId}#${cancellationIdOf(data)}`);
        return;
      case 'ReservationProvisioned':
        return;
    }
    if (!type.startsWith('Reservation')) return;
    const reservation = this.reservations.get(data.reservationId);
    if (!reservation) {
      this.violation(`${type} in ${streamId} names reservation ${data.reservationId}, which was never provisioned`);
      return;
    }
    this.change(reservation, type, data);
  }

  /** The checker's own fold of one reservation's change. */
  private change(r: Held, type: string, data: any) {
    const refund = (usdAmount: number | undefined) => (r.refundedCents += cents(usdAmount ?? 0));
    const ended = (verb: string) => {
      if (r.status === 'active') return false;
      this.violation(`${this.name(r)} was ${verb} after it was ${r.status} at ${r.endedAt}`);
      return true;
    };
    // The checker counts what is left itself; the event's own figure must agree.
    const kept = (verb: string, quantity: number, remaining: number) => {
      if (r.held - quantity !== remaining)
        this.violation(`${this.name(r)} ${verb} ${quantity} of its ${r.held} VMs, yet kept ${remaining}`);
      r.held -= quantity;
    };
    switch (type) {
      case 'ReservationPaymentRecorded':
        r.payments.push({ ...data, returnsBefore: r.returns.length });
        return;
      case 'ReservationCancelled': {
        const id = cancellationIdOf(data);
        if (!data.cancellationId) this.violation(`${this.name(r)} was cancelled without a cancellation id`);
        this.orderRefunds.push({ cancellationId: id, reservationId: r.data.reservationId, refundUsd: data.refundUsd });
        refund(data.refundUsd);
        if (r.status === 'cancelled') {
          this.violation(`${this.name(r)} was cancelled twice: ${r.cancellationIds.join(', ')}, then ${id}`);
          r.cancellationIds.push(id);
          return;
        }
        r.cancellationIds.push(id);
        if (ended('cancelled')) return;
        r.returned += r.held;
        r.held = 0;
        r.status = 'cancelled';
        r.endedAt = data.cancelledAt;
        return;
      }
      case 'ReservationQuantityReturned': {
        this.orderRefunds.push({
          cancellationId: data.cancellationId,
          reservationId: r.data.reservationId,
          refundUsd: data.refundUsd,
        });
        refund(data.refundUsd);
        if (r.returnIds.includes(data.cancellationId)) {
          this.violation(`${this.name(r)} has return ${data.cancellationId} made twice`);
          return;
        }
        r.returnIds.push(data.cancellationId);
        if (ended('returned')) return;
        kept('returned', data.quantity, data.remainingQuantity);
        r.returned += data.quantity;
        r.returns.push({ quantity: data.quantity, at: data.returnedAt });
        return;
      }
      case 'ReservationExchanged':
        this.exchanges.push({ ...data });
        refund(data.refundUsd);
        if (ended('exchanged')) return;
        kept('exchanged', data.quantity, data.remainingQuantity);
        r.exchangedAway += data.quantity;
        if (data.remainingQuantity === 0) {
          r.status = 'exchanged';
          r.endedAt = data.exchangedAt;
        } else r.returns.push({ quantity: data.quantity, at: data.exchangedAt });
        return;
      case 'ReservationSplit':
        if (ended('split')) return;
        r.status = 'split';
        r.endedAt = data.splitAt;
        return;
      case 'ReservationMerged':
        if (ended('merged')) return;
        r.status = 'merged';
        r.endedAt = data.mergedAt;
        r.mergedInto = data.into;
        return;
      case 'ReservationMergeReverted':
        if (r.status === 'merged' && r.mergedInto === data.into) {
          r.status = 'active';
          r.endedAt = undefined;
          r.mergedInto = undefined;
        }
        return;
      case 'ReservationExpired':
        if (ended('expired')) return;
        r.expired += r.held;
        r.status = 'expired';
        r.endedAt = data.expiredAt;
        return;
    }
  }

  /** Each order stream placed once; each purchased cart one order; nothing live under a cancelled or failed order or a failed line. */
  private checkOrders() {
    for (const [stream, placed] of this.placedPerStream) {
      const orderId = stream.slice('order-'.length);
      if (placed === 0) this.violation(`${stream} holds events but no OrderPlaced`);
      else if (placed > 1) this.violation(`${this.orderName(orderId)} was placed ${placed} times in ${stream}`);
    }
    const ordersOfCart = groupBy([...this.orders.values()], (order) => order.cartId);
    for (const purchase of this.purchases) {
      if (!this.orders.has(purchase.orderId))
        this.violation(
          `cart ${purchase.cartId} was purchased as order ${purchase.orderNumber}, which was never placed`,
        );
    }
    for (const cartId of new Set(this.purchases.map((purchase) => purchase.cartId))) {
      const placed = ordersOfCart.get(cartId) ?? [];
      if (placed.length > 1)
        this.violation(
          `cart ${cartId} became ${placed.length} orders: ${placed.map((order) => order.orderNumber).join(', ')}`,
        );
    }
    const activeUnits = new Map<string, number>();
    for (const r of this.reservations.values())
      if (r.status === 'active') activeUnits.set(r.data.orderId, (activeUnits.get(r.data.orderId) ?? 0) + r.held);
    for (const order of this.orders.values()) {
      const active = activeUnits.get(order.orderId) ?? 0;
      if (order.ended && active > 0)
        this.violation(`order ${order.orderNumber} is ${order.ended} yet holds ${active} active units`);
    }
    for (const [key, ids] of this.lineReservations) {
      const [orderId, lineText] = key.split('#');
      const lineNumber = Number(lineText);
      const order = this.orders.get(orderId);
      if (ids.length > 1)
        this.violation(
          `${this.orderName(orderId)}: line ${lineNumber} was provisioned ${ids.length} times: ${ids.join(', ')}`,
        );
      if (this.failedLines.has(key))
        this.violation(`${this.orderName(orderId)}: line ${lineNumber} failed yet has reservation ${ids.join(', ')}`);
      const line = order?.lines.find((l) => l.lineNumber === lineNumber);
      if (!line) {
        this.violation(
          `${this.orderName(orderId)} has no line ${lineNumber}, yet reservation ${ids.join(', ')} was provisioned for it`,
        );
        continue;
      }
      for (const id of ids) {
        const quantity = this.reservations.get(id)!.data.quantity;
        if (quantity !== line.quantity)
          this.violation(
            `${this.orderName(orderId)}: line ${lineNumber} bought ${line.quantity} units, but reservation ${id} was provisioned with ${quantity}`,
          );
      }
    }
  }

  /**
   * Units are conserved per reservation: what it was provisioned with is what
   * is active, returned, exchanged away, passed on to split or merge parts and
   * expired; and a part made by a split or merge holds what its sources passed on.
   */
  private checkUnits() {
    const all = [...this.reservations.values()];
    const splitParts = groupBy(
      all.filter((part) => part.data.origin?.type === 'split'),
      (part) => part.data.origin!.reservationIds[0],
    );
    const mergedSources = groupBy(
      all.filter((source) => source.status === 'merged'),
      (source) => source.mergedInto!,
    );
    const units = (reservations: Held[] | undefined, count: (r: Held) => number) =>
      (reservations ?? []).reduce((total, r) => total + count(r), 0);
    for (const r of all) {
      const { reservationId, quantity, origin } = r.data;
      const merged = r.status === 'merged' ? r.held : 0;
      const passedOn = units(splitParts.get(reservationId), (part) => part.data.quantity) + merged;
      const active = r.status === 'active' ? r.held : 0;
      if (active + r.returned + r.exchangedAway + passedOn + r.expired !== quantity)
        this.violation(
          `${this.name(r)}: ${quantity} units bought, but ${active} active + ${r.returned} returned + ${r.exchangedAway} exchanged away + ${passedOn} passed on to split/merge parts + ${r.expired} expired`,
        );
      if (r.status === 'active' && r.held < 1) this.violation(`${this.name(r)} is active with ${r.held} VMs`);
      if (r.status === 'merged' && !this.reservations.has(r.mergedInto!))
        this.violation(`${this.name(r)} was merged into ${r.mergedInto}, which was never provisioned`);
      if (origin?.type !== 'split' && origin?.type !== 'merge') continue;
      for (const source of origin.reservationIds)
        if (!this.reservations.has(source))
          this.violation(`${this.name(r)} was made by a ${origin.type} of ${source}, which was never provisioned`);
      if (origin.type === 'merge') {
        const passed = units(mergedSources.get(reservationId), (source) => source.held);
        if (passed !== quantity)
          this.violation(
            `${this.name(r)} was made by a merge with ${quantity} units, but its sources passed on ${passed}`,
          );
      }
    }
  }

  /**
   * An exchange (one exchangeId, one or several reservations returned) buys
   * one reservation, priced at the commitment it records, which is at least
   * the remaining commitment returned.
   */
  private checkExchanges() {
    for (const [exchangeId, parts] of groupBy(this.exchanges, (exchange) => exchange.exchangeId)) {
      const sources = parts.map((part) => part.reservationId).join(', ');
      const returnedCents = parts.reduce(
        (total, part) => total + cents(part.remainingCommitmentUsd ?? part.returnedValueUsd),
        0,
      );
      const commitmentCents = Math.min(...parts.map((part) => cents(part.newCommitmentUsd)));
      if (commitmentCents < returnedCents)
        this.violation(
          `exchange ${exchangeId} of ${sources}: ${money(returnedCents)} given back for a commitment of only ${money(commitmentCents)}`,
        );
      const bought = this.reservations.get(parts[0].newReservationId);
      if (!bought || bought.data.origin?.type !== 'exchange') {
        this.violation(`exchange ${exchangeId} of ${sources} bought nothing`);
        continue;
      }
      const costCents = cents(bought.data.unitPriceUsd ?? 0) * bought.data.quantity;
      for (const recorded of new Set(parts.map((part) => cents(part.newCommitmentUsd))))
        if (recorded !== costCents)
          this.violation(
            `exchange ${exchangeId} of ${sources}: commitment ${money(recorded)}, but ${this.name(bought)} costs ${money(costCents)}`,
          );
    }
    // The reservation an exchange bought names every reservation returned for it, and nothing else.
    const exchangedFor = groupBy(this.exchanges, (exchange) => exchange.newReservationId);
    for (const r of this.reservations.values()) {
      if (r.data.origin?.type !== 'exchange') continue;
      const returned = [...new Set((exchangedFor.get(r.data.reservationId) ?? []).map((e) => e.reservationId))].sort();
      const named = [...new Set(r.data.origin.reservationIds)].sort();
      if (returned.join() !== named.join())
        this.violation(
          `${this.name(r)} says an exchange of ${named.join(', ')} bought it, but ${returned.length ? returned.join(', ') : 'none'} was exchanged for it`,
        );
    }
  }

  /**
   * Per reservation: refunds never exceed what was paid for it. Per refund:
   * the ledger of the reservation's customer counts it once, at the amount
   * the reservation's stream recorded.
   */
  private checkRefunds() {
    for (const r of this.reservations.values()) {
      const paid = this.paidCents(r);
      if (paid !== undefined && r.refundedCents > paid)
        this.violation(
          `${this.name(r)} was refunded ${money(r.refundedCents)}, more than the ${money(paid)} paid for it`,
        );
    }
    const onOrders = new Map(this.orderRefunds.map((refund) => [refund.cancellationId, refund]));
    const counted = groupBy(this.counting(), (refund) => refund.cancellationId);
    for (const [id, refunds] of counted) {
      if (refunds.length > 1)
        this.violation(
          `refund ${id} is counted ${refunds.length} times, in ${refunds.map((refund) => refund.stream).join(', ')}`,
        );
      const [refund] = refunds;
      const onOrder = onOrders.get(id);
      const ledgerName = `customer ${refund.customerId}'s ledger`;
      if (!onOrder) {
        this.violation(
          `${ledgerName} counts refund ${id} for reservation ${refund.reservationId}, which was never returned under it`,
        );
        continue;
      }
      const reservation = this.reservations.get(onOrder.reservationId)!;
      if (refund.reservationId !== onOrder.reservationId)
        this.violation(
          `${ledgerName} counts refund ${id} for reservation ${refund.reservationId}, but it returned ${this.name(reservation)}`,
        );
      if (refund.customerId !== reservation.data.customerId)
        this.violation(
          `refund ${id} of ${this.name(reservation)} is counted in ${ledgerName}, not in its customer ${reservation.data.customerId}'s`,
        );
      if (cents(refund.amountUsd) !== cents(onOrder.refundUsd))
        this.violation(
          `refund ${id} is USD ${refund.amountUsd} in ${ledgerName} but USD ${onOrder.refundUsd} on ${this.name(reservation)}`,
        );
    }
    for (const [id, refund] of onOrders)
      if (!counted.has(id))
        this.violation(
          `${this.name(this.reservations.get(refund.reservationId)!)} was refunded under ${id}, but no ledger counts it`,
        );
  }

  /** The ledgers' refunds that count: not reversed. */
  private counting(): LedgerRefund[] {
    return this.ledger.filter((refund) => !this.reversed.has(`${refund.stream}#${refund.cancellationId}`));
  }

  /** Per customer, every rolling 12 months, ending at each refund's instant, stays within the cap. */
  private checkLedgers() {
    for (const refunds of groupBy(this.counting(), (refund) => refund.stream).values()) {
      refunds.sort((a, b) => a.refundedAt.localeCompare(b.refundedAt));
      let worst = { cents: 0, end: '' };
      let first = 0;
      let windowCents = 0;
      for (const refund of refunds) {
        windowCents += cents(refund.counted);
        const start = yearBefore(refund.refundedAt);
        while (refunds[first].refundedAt <= start) windowCents -= cents(refunds[first++].counted);
        if (windowCents > worst.cents) worst = { cents: windowCents, end: refund.refundedAt };
      }
      if (worst.cents > cents(REFUND_CAP_USD))
        this.violation(
          `customer ${refunds[0].customerId} was refunded ${money(worst.cents)} in the 12 months to ${worst.end}, over the ${money(cents(REFUND_CAP_USD))} cap`,
        );
    }
  }

  /** What a reservation's unit pays at each payment number: equal monthly parts, the last taking the rounding; upfront, all at once. */
  private unitPaymentCents(r: Held, paymentNumber: number): number {
    const unitCents = cents(r.data.unitPriceUsd ?? 0);
    if (r.data.billingPlan !== 'Monthly') return paymentNumber === 1 ? unitCents : 0;
    const months = TERM_MONTHS[r.data.term];
    const perMonth = Math.floor(unitCents / months);
    return paymentNumber === months ? unitCents - perMonth * (months - 1) : perMonth;
  }

  /** What its sources paid for it before it existed: the payments it goes on from, for its own units. */
  private inheritedCents(r: Held): number {
    const carried = r.data.payments?.recorded ?? 0;
    let total = 0;
    for (let n = 1; n <= carried; n++) total += this.unitPaymentCents(r, n) * r.data.quantity;
    return total;
  }

  /** Paid for it: its payments and those its sources made for its units; an upfront one recorded without payments paid its price. */
  private paidCents(r: Held): number | undefined {
    if (r.data.unitPriceUsd === undefined) return undefined;
    const own = r.payments.reduce((total, payment) => total + cents(payment.amountUsd), 0);
    const inherited = this.inheritedCents(r);
    if (r.data.billingPlan !== 'Monthly' && own === 0 && inherited === 0)
      return cents(r.data.unitPriceUsd) * r.data.quantity;
    return own + inherited;
  }

  /**
   * Each payment is taken once, after it falls due, while the reservation
   * applies, for the VMs it held then; none is skipped; upfront takes one; a
   * part of a split or merge takes none its sources took; a reservation that
   * ran its term untouched paid exactly its price.
   */
  private checkPayments(r: Held) {
    const { effectiveDate, expiryDate, billingPlan, term, quantity } = r.data;
    const monthly = billingPlan === 'Monthly';
    const months = monthly ? TERM_MONTHS[term] : 1;
    const carried = r.data.payments?.recorded ?? 0;
    const name = this.name(r);
    const seen = new Set<number>();
    /** The payments of its own schedule, each once: what ordering, gaps and the total are checked on. */
    const valid = new Map<number, Payment>();
    const endedEarly = r.status !== 'active' && r.status !== 'expired' ? r.endedAt : undefined;
    for (const payment of r.payments) {
      const { paymentNumber: n, dueAt, recordedAt, amountUsd } = payment;
      if (seen.has(n)) {
        this.violation(`${name} took payment ${n} twice`);
        continue;
      }
      seen.add(n);
      if (n <= carried) {
        this.violation(`${name} took payment ${n} again, which its sources had made`);
        continue;
      }
      if (!monthly && n !== 1) {
        this.violation(`${name} is paid upfront, yet took payment ${n}`);
        continue;
      }
      if (!Number.isInteger(n) || n < 1 || n > months) {
        this.violation(`${name} took payment ${n} of a ${months}-payment term`);
        continue;
      }
      valid.set(n, payment);
      if (recordedAt < dueAt)
        this.violation(`${name} recorded payment ${n} at ${recordedAt}, before it fell due at ${dueAt}`);
      if (dueAt < effectiveDate)
        this.violation(`${name} took payment ${n}, due ${dueAt}, before it took effect at ${effectiveDate}`);
      else if (dueAt >= expiryDate)
        this.violation(`${name} took payment ${n}, due ${dueAt}, at or after its expiry at ${expiryDate}`);
      // Due at the very instant it ended: recorded in the same append, before the end.
      else if (endedEarly && dueAt > endedEarly)
        this.violation(`${name} took payment ${n}, due ${dueAt}, after it ended at ${endedEarly}`);
      if (r.data.unitPriceUsd === undefined) continue;
      // The VMs held when it fell due; a return counts from the next whole hour, so in that hour either figure is right.
      const gone = (counts: (returned: { at: string }) => boolean) =>
        r.returns
          .slice(0, payment.returnsBefore)
          .filter(counts)
          .reduce((total, returned) => total + returned.quantity, 0);
      const fewest = quantity - gone((returned) => returned.at <= dueAt);
      const most = quantity - gone((returned) => nextHour(returned.at) <= Date.parse(dueAt));
      const unit = this.unitPaymentCents(r, n);
      const amount = cents(amountUsd);
      if (amount > unit * most)
        this.violation(
          `${name} took ${money(amount)} as payment ${n}, but ${money(unit * most)} was due for the ${most} VMs it held`,
        );
      else if (amount < unit * fewest)
        this.violation(
          `${name} took ${money(amount)} as payment ${n}, but ${money(unit * fewest)} was due for the ${fewest} VMs it held`,
        );
    }
    const numbers = [...valid.keys()].sort((a, b) => a - b);
    for (let i = 1; i < numbers.length; i++) {
      const [before, after] = [valid.get(numbers[i - 1])!, valid.get(numbers[i])!];
      if (after.dueAt <= before.dueAt)
        this.violation(
          `${name}: payment ${after.paymentNumber} falls due at ${after.dueAt}, not after payment ${before.paymentNumber} at ${before.dueAt}`,
        );
    }
    for (let n = carried + 1; n < (numbers[numbers.length - 1] ?? 0); n++) {
      if (valid.has(n)) continue;
      this.violation(`${name} skipped payment ${n}`);
      break;
    }
    // Ran its term untouched: what it and its sources paid is exactly the price of its units (upfront ones recorded without payments are not checked).
    const ranItsTerm = r.status === 'expired' || (r.status === 'active' && expiryDate <= this.now);
    const untouched = r.returns.length === 0 && r.returned === 0 && r.exchangedAway === 0;
    if (ranItsTerm && untouched && r.data.unitPriceUsd !== undefined && (monthly || valid.size > 0 || carried > 0)) {
      const paid =
        [...valid.values()].reduce((total, payment) => total + cents(payment.amountUsd), 0) + this.inheritedCents(r);
      const price = cents(r.data.unitPriceUsd) * quantity;
      if (paid !== price) this.violation(`${name} ran its term and paid ${money(paid)} of its ${money(price)} price`);
    }
  }
}
