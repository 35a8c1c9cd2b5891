import { Injectable } from '@nestjs/common';
import { ActiveReservation, Catalog, RefundAllowance, refundAllowance, refundLedgerDecider, refundLedgerStream, refundQuote, reservationDecider, reservationStream } from '@app/domain';
import { EventStreams, Revision } from '@app/eventstore';
import { ownedReservation } from '@app/ordering';

export interface RefundQuoteResource {
  reservationId: string;
  refundUsd: number;
  currency: 'USD';
  /** Share of the term still to run. */
  remainingShare: number;
  purchaseUnitPriceUsd?: number;
  currentUnitPriceUsd: number;
  /** The lower of the two, which the refund is computed at. */
  unitPriceUsd: number;
  allowance: RefundAllowance;
  /** Whether cancelling now would be within the customer's allowance. */
  withinAllowance: boolean;
  quotedAt: string;
}

/** What cancelling a reservation would refund now, read from the write side so the figure is exact. */
@Injectable()
export class RefundQuotes {
  constructor(
    private readonly streams: EventStreams,
    private readonly catalog: Catalog,
  ) {}

  async quote(reservationId: string, partnerId: string, now: string): Promise<{ quote: RefundQuoteResource; reservation: ActiveReservation; revision: Revision }> {
    const { state, revision } = await this.streams.aggregate(reservationStream(reservationId), reservationDecider);
    const reservation = ownedReservation(state, reservationId, partnerId);
    const currentUnitPriceUsd = this.catalog.get(reservation.catalogItemId)?.unitPriceUsd ?? reservation.unitPriceUsd ?? 0;
    const { refundUsd, remainingShare, unitPriceUsd } = refundQuote(reservation, currentUnitPriceUsd, now);
    const { state: ledger } = await this.streams.aggregate(refundLedgerStream(reservation.customerId), refundLedgerDecider);
    const allowance = refundAllowance(ledger, now);
    return {
      reservation,
      revision,
      quote: {
        reservationId,
        refundUsd,
        currency: 'USD',
        remainingShare: Math.round(remainingShare * 1e6) / 1e6,
        purchaseUnitPriceUsd: reservation.unitPriceUsd,
        currentUnitPriceUsd,
        unitPriceUsd,
        allowance,
        withinAllowance: refundUsd <= allowance.remainingUsd,
        quotedAt: now,
      },
    };
  }
}
