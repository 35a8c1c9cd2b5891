import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { active, ActiveReservation, DomainError, refundLedgerDecider, refundLedgerStream, reservationDecider, reservationStream } from '@app/domain';
import { ConcurrencyError, EventStreams } from '@app/eventstore';
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
 * Records the refund in the customer's refund ledger first (which refuses it
 * over the cap), then cancels the reservation with that amount. The ledger
 * keeps one refund per reservation, so a retry after a crash between the two
 * cancels with the amount already recorded instead of refunding twice. If the
 * reservation changed meanwhile and can no longer be cancelled, the refund is
 * reversed in the ledger.
 */
@CommandHandler(CancelReservationCommand)
export class CancelReservationHandler implements ICommandHandler<CancelReservationCommand> {
  constructor(
    private readonly streams: EventStreams,
    private readonly quotes: RefundQuotes,
  ) {}

  async execute({ reservationId, context }: CancelReservationCommand): Promise<ReservationResource> {
    const { quote, reservation, revision } = await this.quotes.quote(reservationId, context.partnerId, context.now);
    active(reservation);
    if (context.expectedRevision !== undefined && context.expectedRevision !== revision) throw new ConcurrencyError(reservationStream(reservationId), revision, context.expectedRevision);
    const { state: ledger } = await this.streams.handle(
      refundLedgerStream(reservation.customerId),
      refundLedgerDecider,
      { type: 'RecordRefund', data: { customerId: reservation.customerId, reservationId, amountUsd: quote.refundUsd, now: context.now } },
      context,
    );
    const refundUsd = ledger.refunds.find((refund) => refund.reservationId === reservationId)!.amountUsd;
    try {
      const cancelled = await this.streams.handle(reservationStream(reservationId), reservationDecider, { type: 'Cancel', data: { refundUsd, now: context.now } }, context);
      return ReservationResource.of(cancelled.state as ActiveReservation, cancelled.revision, cancelled.position);
    } catch (error) {
      // Split, merged or cancelled by someone else since the quote: the refund did not happen, so the allowance comes back.
      if (error instanceof DomainError && error.code === 'RESERVATION_NOT_ACTIVE') {
        await this.streams.handle(
          refundLedgerStream(reservation.customerId),
          refundLedgerDecider,
          { type: 'ReverseRefund', data: { customerId: reservation.customerId, reservationId, reason: error.message, now: context.now } },
          { ...context, commandId: `${context.commandId}/reverse` },
        );
      }
      throw error;
    }
  }
}
