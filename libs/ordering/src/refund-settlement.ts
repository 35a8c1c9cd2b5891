import { Injectable } from '@nestjs/common';
import {
  DomainError,
  Order,
  OrderCommand,
  OrderEvent,
  Refund,
  refundLedgerDecider,
  refundLedgerStream,
  reservationOf,
} from '@app/domain';
import { CommandContext, ConcurrencyError, EventStreams, Handled } from '@app/eventstore-client';
import { ReservationOrders } from './reservation-orders';

/** The reservation changed between the refund and its settlement: the refund no longer matches it and is reversed. */
const UNSETTLEABLE = [
  'RESERVATION_NOT_ACTIVE',
  'RESERVATION_CHANGED',
  'RETURN_QUANTITY_INVALID',
  'RESERVATION_EXPIRED',
  'EXCHANGE_IN_PROGRESS',
];

/**
 * The second half of a cancellation, or of a return of part of a reservation. The customer's refund ledger recorded
 * the refund first (it is the gate for the cap); now the reservation order
 * cancels the reservation (or returns the quantity) with that refund's cancellation id. If the
 * reservation can no longer be cancelled (split, merged or returned by
 * another cancellation first), the ledger reverses exactly this refund.
 *
 * A refund recorded for a request sent with If-Match carries that revision,
 * and the order is changed at exactly that revision: if anything else
 * changed the order first, the refund is reversed and the request answered
 * 409 STALE_REVISION, whichever process settles it.
 *
 * Both steps are decided on their own stream and are idempotent, so the API
 * (right after recording) and the settlement reactor (from RefundRecorded,
 * after a crash) may both run it, in any order.
 */
@Injectable()
export class RefundSettlement {
  constructor(
    private readonly orders: ReservationOrders,
    private readonly streams: EventStreams,
  ) {}

  async settle(
    customerId: string,
    refund: Refund & { orderId: string },
    context: CommandContext,
  ): Promise<Handled<Order, OrderEvent>> {
    const { cancellationId, reservationId, orderId, amountUsd, refundedAt, kind, quantity } = refund;
    // Ids derive from the cancellation, so whoever settles it writes the same events.
    const settling = { ...context, commandId: `${cancellationId}/settle`, now: refundedAt };
    const expectedRevision =
      refund.expectedOrderRevision === undefined ? undefined : BigInt(refund.expectedOrderRevision);
    const command: OrderCommand =
      kind === 'return'
        ? {
            type: 'ReturnReservationQuantity',
            data: { reservationId, cancellationId, quantity: quantity!, refundUsd: amountUsd, now: refundedAt },
          }
        : {
            type: 'CancelReservation',
            data: {
              reservationId,
              cancellationId,
              refundUsd: amountUsd,
              ...(quantity !== undefined ? { quantity } : {}),
              now: refundedAt,
            },
          };
    try {
      return await this.orders.handle(orderId, command, settling, { expectedRevision });
    } catch (error) {
      if (error instanceof ConcurrencyError && expectedRevision !== undefined) {
        // Made at that revision by another run (the reactor, or an identical request racing this one): settled.
        const current = await this.orders.load(orderId);
        if (settledIn(current.state, refund)) return { ...current, events: [] };
        // Revisions only grow: the order will never be at that revision again, so the refund never will be settled.
        await this.reverse(
          customerId,
          refund,
          `the reservation order moved on from revision ${expectedRevision}`,
          context,
        );
        throw error;
      }
      if (!(error instanceof DomainError) || !UNSETTLEABLE.includes(error.code)) throw error;
      await this.reverse(customerId, refund, error.message, context);
      throw error;
    }
  }

  private async reverse(
    customerId: string,
    { cancellationId, reservationId }: Refund,
    reason: string,
    context: CommandContext,
  ) {
    await this.streams.handle(
      refundLedgerStream(customerId),
      refundLedgerDecider,
      { type: 'ReverseRefund', data: { customerId, cancellationId, reservationId, reason, now: context.now } },
      { ...context, commandId: `${cancellationId}/reverse` },
    );
  }
}

/** Whether the order recorded this refund's cancellation or return. */
function settledIn(order: Order, { reservationId, cancellationId, kind }: Refund): boolean {
  if (order.status === 'none') return false;
  const reservation = reservationOf(order, reservationId);
  return kind === 'return'
    ? (reservation.returns?.some((returned) => returned.cancellationId === cancellationId) ?? false)
    : reservation.status === 'Cancelled' && reservation.cancellationId === cancellationId;
}
