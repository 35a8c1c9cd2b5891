import { Injectable } from '@nestjs/common';
import {
  ActiveReservation,
  Catalog,
  RefundAllowance,
  refundAllowance,
  monthlyCancellation,
  RefundLedger,
  refundLedgerDecider,
  refundLedgerStream,
  refundQuote,
  reservationOf,
} from '@app/domain';
import { EventStreams, Revision } from '@app/eventstore-client';
import { ReservationOrders } from '@app/ordering';

export interface RefundQuoteResource {
  reservationId: string;
  /** The units quoted: those asked for, or all the reservation holds. */
  quantity: number;
  refundUsd: number;
  currency: 'USD';
  /** Share of the term still to run. */
  remainingShare: number;
  purchaseUnitPriceUsd?: number;
  currentUnitPriceUsd: number;
  /** The lower of the two, which the refund is computed at. */
  unitPriceUsd: number;
  /** What counts toward the cap: the refund, or for a monthly reservation its cancelled commitment at the purchase price. */
  countedTowardCapUsd: number;
  /** Monthly billing: the payments that will not be taken. */
  cancelledFuturePaymentsUsd?: number;
  allowance: RefundAllowance;
  /** Whether cancelling now would be within the customer's allowance. */
  withinAllowance: boolean;
  quotedAt: string;
}

export interface Quoted {
  quote: RefundQuoteResource;
  reservation: ActiveReservation;
  /** The reservation order's revision the quote was made at. */
  revision: Revision;
  ledger: RefundLedger;
}

/** What cancelling a reservation would refund now, read from the write side (its reservation order and the customer's ledger) so the figure is exact. */
@Injectable()
export class RefundQuotes {
  constructor(
    private readonly orders: ReservationOrders,
    private readonly streams: EventStreams,
    private readonly catalog: Catalog,
  ) {}

  /** For `quantity` units, or all the reservation holds. */
  async quote(reservationId: string, partnerId: string, now: string, quantity?: number): Promise<Quoted> {
    const { state, revision } = await this.orders.load(await this.orders.locate(reservationId, partnerId));
    const reservation = reservationOf(state, reservationId);
    // Today's price of what it is; when it is no longer sold, the purchase price (the lower of the two is refunded).
    const currentUnitPriceUsd =
      this.catalog.get(reservation.catalogItemId, now)?.unitPriceUsd ?? reservation.unitPriceUsd ?? 0;
    const {
      refundUsd: upfrontRefundUsd,
      remainingShare,
      unitPriceUsd,
    } = refundQuote(reservation, currentUnitPriceUsd, now, quantity);
    const monthly =
      reservation.billingPlan === 'Monthly'
        ? monthlyCancellation(reservation, currentUnitPriceUsd, now, quantity)
        : undefined;
    const refundUsd = monthly?.refundUsd ?? upfrontRefundUsd;
    const countedTowardCapUsd = monthly?.countedUsd ?? refundUsd;
    const { state: ledger } = await this.streams.aggregate(
      refundLedgerStream(reservation.customerId),
      refundLedgerDecider,
    );
    const allowance = refundAllowance(ledger, now);
    return {
      reservation,
      revision,
      ledger,
      quote: {
        reservationId,
        quantity: quantity ?? reservation.quantity,
        refundUsd,
        currency: 'USD',
        remainingShare: Math.round(remainingShare * 1e6) / 1e6,
        purchaseUnitPriceUsd: reservation.unitPriceUsd,
        currentUnitPriceUsd,
        unitPriceUsd,
        countedTowardCapUsd,
        ...(monthly ? { cancelledFuturePaymentsUsd: monthly.cancelledFuturePaymentsUsd } : {}),
        allowance,
        withinAllowance: countedTowardCapUsd <= allowance.remainingUsd,
        quotedAt: now,
      },
    };
  }
}
