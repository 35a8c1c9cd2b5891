import { fold, orderDecider, OrderEvent, PlacedOrder, refundAllowance, refundLedgerDecider, RefundLedgerEvent, REFUND_CAP_USD } from '@app/domain';

export interface StoredEvent {
  streamId: string;
  type: string;
  data: any;
}

/**
 * The money invariants, checked over every event in the store. Each
 * violation is a sentence naming the order, reservation or customer.
 */
export function moneyViolations(events: StoredEvent[], now: string): string[] {
  const violations: string[] = [];
  const byStream = new Map<string, StoredEvent[]>();
  for (const event of events) byStream.set(event.streamId, [...(byStream.get(event.streamId) ?? []), event]);

  const orderStreams = [...byStream.entries()].filter(([stream]) => stream.startsWith('order-') && !stream.startsWith('order-numbers-'));
  const orders = orderStreams
    .map(([, stream]) =>
      fold(
        orderDecider,
        stream.map((e) => ({ type: e.type, data: e.data }) as OrderEvent),
      ),
    )
    .filter((order): order is PlacedOrder => order.status !== 'none');
  /** Units an exchange bought into each order: they come from a value given back, not from a line. */
  const exchangedIn = new Map<string, number>();
  for (const [, stream] of orderStreams) {
    for (const event of stream) {
      if (event.type === 'ReservationProvisioned' && event.data.origin?.type === 'exchange')
        exchangedIn.set(event.data.orderId, (exchangedIn.get(event.data.orderId) ?? 0) + event.data.quantity);
      // 5. Exchanges never create value: the commitment bought is at least the value given back, and is what the new reservation costs.
      if (event.type === 'ReservationExchanged') {
        const { reservationId, newReservationId, returnedValueUsd, newCommitmentUsd } = event.data;
        if (newCommitmentUsd < returnedValueUsd)
          violations.push(`exchange of ${reservationId}: USD ${returnedValueUsd} given back for a commitment of only USD ${newCommitmentUsd}`);
        const bought = stream.find((e) => e.type === 'ReservationProvisioned' && e.data.reservationId === newReservationId);
        if (!bought) violations.push(`exchange of ${reservationId} bought nothing in the same order`);
        else if (Math.round(bought.data.unitPriceUsd * bought.data.quantity * 100) !== Math.round(newCommitmentUsd * 100))
          violations.push(
            `exchange of ${reservationId}: commitment USD ${newCommitmentUsd}, but ${newReservationId} costs USD ${bought.data.unitPriceUsd * bought.data.quantity}`,
          );
      }
    }
  }

  for (const order of orders) {
    const reservations = Object.values(order.reservations);
    // 1. Units are conserved: what is active, returned or exchanged away is what the lines provisioned and exchanges bought, never more.
    const provisioned =
      order.lines.filter((line) => line.provisioning.status === 'provisioned').reduce((total, line) => total + line.quantity, 0) +
      (exchangedIn.get(order.orderId) ?? 0);
    const active = reservations.filter((r) => r.status === 'Succeeded').reduce((total, r) => total + r.quantity, 0);
    // Returned: whatever a cancellation took back, and every quantity returned while the rest stayed active.
    const returned = reservations.reduce(
      (total, r) =>
        total + (r.status === 'Cancelled' || r.status === 'Exchanged' ? r.quantity : 0) + (r.returns ?? []).reduce((sum, part) => sum + part.quantity, 0),
      0,
    );
    if (active + returned !== provisioned) {
      violations.push(`order ${order.orderNumber}: ${active} active + ${returned} returned units, but its lines provisioned ${provisioned}`);
    }
    // 2. No live reservation under a cancelled or failed order, or for a line that failed.
    if ((order.status === 'cancelled' || order.status === 'failed') && active > 0)
      violations.push(`order ${order.orderNumber} is ${order.status} yet holds ${active} active units`);
    for (const line of order.lines) {
      if (line.provisioning.status === 'failed' && reservations.some((r) => r.lineNumber === line.lineNumber && !r.origin)) {
        violations.push(`order ${order.orderNumber}: line ${line.lineNumber} failed yet has a reservation`);
      }
    }
    for (const r of reservations) {
      if (r.status === 'Cancelled' && !r.cancellationId) violations.push(`reservation ${r.reservationId} was cancelled without a cancellation id`);
      // A returned quantity is never active: what is left is at least one VM, and each return is made once.
      if (r.status === 'Succeeded' && r.quantity < 1) violations.push(`reservation ${r.reservationId} is active with ${r.quantity} VMs`);
      const returnIds = (r.returns ?? []).map((part) => part.cancellationId);
      if (new Set(returnIds).size !== returnIds.length) violations.push(`reservation ${r.reservationId} has a return made twice`);
    }
  }
  const refundsOnOrders = new Map<string, number>();
  for (const event of events) {
    if ((event.type === 'ReservationCancelled' || event.type === 'ReservationQuantityReturned') && event.streamId.startsWith('order-'))
      refundsOnOrders.set(event.data.cancellationId, event.data.refundUsd);
  }

  // 3. Each return's refund (a cancellation, or part of a reservation) is counted exactly once, and the ledger stays within the cap in every rolling 12 months.
  const counted = new Set<string>();
  for (const [stream, ledgerEvents] of byStream) {
    if (!stream.startsWith('refund-ledger-')) continue;
    const ledger = fold(
      refundLedgerDecider,
      ledgerEvents.map((e) => ({ type: e.type, data: e.data }) as RefundLedgerEvent),
    );
    if (refundAllowance(ledger, now).usedUsd > REFUND_CAP_USD)
      violations.push(`${stream}: refunds of USD ${refundAllowance(ledger, now).usedUsd} exceed the cap`);
    for (const refund of ledger.refunds) {
      if (counted.has(refund.cancellationId)) violations.push(`${stream}: cancellation ${refund.cancellationId} counted twice`);
      counted.add(refund.cancellationId);
      const onOrder = refundsOnOrders.get(refund.cancellationId);
      if (onOrder === undefined) violations.push(`${stream}: refund ${refund.cancellationId} counts, but its reservation was never cancelled`);
      else if (onOrder !== refund.amountUsd)
        violations.push(`${stream}: refund ${refund.cancellationId} is USD ${refund.amountUsd} in the ledger but USD ${onOrder} on the reservation`);
    }
  }
  for (const cancellationId of refundsOnOrders.keys()) {
    if (!counted.has(cancellationId)) violations.push(`cancellation ${cancellationId} returned a reservation, but the ledger does not count its refund`);
  }

  // 6. Each monthly payment is taken once, while the reservation holds it, and a reservation made by a split or merge
  //    takes none of the payments its sources made (it goes on from their last).
  for (const order of orders) {
    for (const r of Object.values(order.reservations)) {
      const paid = (byStream.get(`order-${order.orderId}`) ?? []).filter(
        (e) => e.type === 'ReservationPaymentRecorded' && e.data.reservationId === r.reservationId,
      );
      const numbers = paid.map((e) => e.data.paymentNumber as number);
      if (new Set(numbers).size !== numbers.length) violations.push(`reservation ${r.reservationId} took a monthly payment twice`);
      const carried = r.payments?.recorded ?? 0;
      if (numbers.some((n) => n <= carried)) violations.push(`reservation ${r.reservationId} took again a payment its sources had made`);
      for (const e of paid) {
        if (r.endedAt && r.status !== 'Expired' && e.data.dueAt > r.endedAt)
          violations.push(`reservation ${r.reservationId} took payment ${e.data.paymentNumber}, due ${e.data.dueAt}, after it ended at ${r.endedAt}`);
      }
    }
  }

  // 4. Every purchased cart became exactly one order.
  const placed = new Set(orders.map((o) => o.orderId));
  for (const event of events) {
    if (event.type === 'CartPurchased' && !placed.has(event.data.orderId))
      violations.push(`cart ${event.data.cartId} was purchased as order ${event.data.orderNumber}, which was never placed`);
  }
  return violations;
}
