import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { active, nextCancellationId, openRefundFor, refundLedgerDecider, refundLedgerStream, reservationOf } from '@app/domain';
import { ConcurrencyError, EventStreams } from '@app/eventstore-client';
import { RefundSettlement } from '@app/ordering';
import { crashPoint } from '@app/runtime';
import { RequestContext } from '../../http/request-context';
import { RefundQuotes } from '../refund-quote/refund-quote';
import { ReservationResource } from '../reservation.resource';

export class CancelReservationCommand extends Command<ReservationResource> {
  constructor(
    readonly reservationId: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}

/**
 * Returns a whole reservation. The customer's refund ledger records the
 * refund first, under a cancellation id (it refuses it over the cap); then
 * the reservation order cancels the reservation with that id. Requests that
 * race to cancel one reservation share one cancellation id, so the ledger
 * counts one refund. If the process dies between the two steps, the
 * settlement reactor finishes the cancellation from RefundRecorded.
 */
@CommandHandler(CancelReservationCommand)
export class CancelReservationHandler implements ICommandHandler<CancelReservationCommand> {
  constructor(
    private readonly streams: EventStreams,
    private readonly quotes: RefundQuotes,
    private readonly settlement: RefundSettlement,
  ) {}

  async execute({ reservationId, context }: CancelReservationCommand): Promise<ReservationResource> {
    const { quote, reservation, revision, ledger } = await this.quotes.quote(reservationId, context.partnerId, context.now);
    const { customerId, orderId } = active(reservation);
    if (context.expectedRevision !== undefined && context.expectedRevision !== revision) {
      throw new ConcurrencyError(`order-${orderId}`, revision, context.expectedRevision);
    }
    const { state: recorded } = await this.streams.handle(
      refundLedgerStream(customerId),
      refundLedgerDecider,
      {
        type: 'RecordRefund',
        data: { customerId, cancellationId: nextCancellationId(ledger, reservationId), reservationId, orderId, amountUsd: quote.refundUsd, now: context.now },
      },
      context,
    );
    crashPoint('cancel:after-ledger');
    // Ours, or the one a request racing this one recorded first: either way the one refund that counts.
    const refund = openRefundFor(recorded, reservationId)!;
    const settled = await this.settlement.settle(customerId, { ...refund, orderId: refund.orderId ?? orderId }, context);
    return ReservationResource.of(reservationOf(settled.state, reservationId), settled.revision, settled.position);
  }
}
