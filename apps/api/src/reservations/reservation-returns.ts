import { Injectable } from '@nestjs/common';
import {
  active,
  illegalState,
  nextCancellationId,
  openRefundFor,
  refundLedgerDecider,
  refundLedgerStream,
  refundOf,
  reservationOf,
  returnIdFor,
  returnQuantityInvalid,
  ruleViolated,
} from '@app/domain';
import { ConcurrencyError, EventStreams } from '@app/eventstore-client';
import { RefundSettlement } from '@app/ordering';
import { crashPoint } from '@app/runtime';
import { keyedId, RequestContext } from '../http/request-context';
import { RefundQuotes } from './refund-quotes';
import { ReservationResource } from '../http/openapi/reservation.resource';

/**
 * Returns a reservation, whole (a cancellation) or a quantity of it. The
 * customer's refund ledger records the refund first, under a cancellation
 * or return id (it refuses it over the cap); then the reservation order
 * cancels the reservation, or reduces its quantity, under that id. Requests
 * that race to return from one reservation share one id, so the ledger
 * counts one refund. If the process dies between the two steps, the
 * settlement reactor finishes it from RefundRecorded. With If-Match, the
 * order is changed at that revision or not at all (RefundSettlement).
 */
@Injectable()
export class ReservationReturns {
  constructor(
    private readonly streams: EventStreams,
    private readonly quotes: RefundQuotes,
    private readonly settlement: RefundSettlement,
  ) {}

  /** `quantity` undefined, or all the reservation holds: a cancellation. */
  async return(
    reservationId: string,
    quantity: number | undefined,
    context: RequestContext,
  ): Promise<ReservationResource> {
    const { quote, reservation, revision, ledger } = await this.quotes.quote(
      reservationId,
      context.partnerId,
      context.now,
      quantity,
    );
    const requestId = keyedId(context, 'return');
    // The same request again after its answer was lost (the process died after recording the refund): finish that return.
    const earlier =
      requestId === undefined ? undefined : refundOf(ledger, returnIdFor(reservationId, { requestId, revision }));
    if (earlier) {
      if (earlier.quantity !== quantity) {
        throw ruleViolated(
          'IDEMPOTENCY_KEY_MISMATCH',
          `this Idempotency-Key already returned ${earlier.quantity}, not ${quantity}; use a new key`,
        );
      }
      return this.settle(
        reservation.customerId,
        { ...earlier, orderId: earlier.orderId ?? reservation.orderId },
        context,
      );
    }
    const { customerId, orderId, quantity: held } = active(reservation);
    if (context.expectedRevision !== undefined && context.expectedRevision !== revision) {
      throw new ConcurrencyError(`order-${orderId}`, revision, context.expectedRevision);
    }
    const units = quantity ?? held;
    if (units > held) throw returnQuantityInvalid(units, held);
    const whole = units === held;
    const cancellationId = whole
      ? nextCancellationId(ledger, reservationId)
      : returnIdFor(reservationId, { requestId, revision });
    const { state: recorded } = await this.streams.handle(
      refundLedgerStream(customerId),
      refundLedgerDecider,
      {
        type: 'RecordRefund',
        data: {
          customerId,
          cancellationId,
          reservationId,
          orderId,
          amountUsd: quote.refundUsd,
          kind: whole ? 'cancellation' : 'return',
          quantity: units,
          // A monthly reservation's cancelled future payments count toward the cap too.
          ...(quote.countedTowardCapUsd !== quote.refundUsd ? { countedUsd: quote.countedTowardCapUsd } : {}),
          // If-Match goes with the refund into the order's append, whoever settles it: stale there, the refund is reversed.
          ...(context.expectedRevision !== undefined
            ? { expectedOrderRevision: Number(context.expectedRevision) }
            : {}),
          now: context.now,
        },
      },
      context,
    );
    crashPoint(whole ? 'cancel:after-ledger' : 'return:after-ledger');
    // Ours, or the one a request racing this one recorded first under the same id: either way the one refund that counts.
    const refund = whole ? openRefundFor(recorded, reservationId)! : refundOf(recorded, cancellationId)!;
    if (!whole && refund.quantity !== units) {
      throw illegalState(
        'RETURN_IN_PROGRESS',
        `another return of ${refund.quantity} from reservation ${reservationId} was made at the same time; read the reservation and return again`,
      );
    }
    return this.settle(customerId, { ...refund, orderId: refund.orderId ?? orderId }, context);
  }

  private async settle(
    customerId: string,
    refund: Parameters<RefundSettlement['settle']>[1],
    context: RequestContext,
  ): Promise<ReservationResource> {
    const settled = await this.settlement.settle(customerId, refund, context);
    return ReservationResource.of(
      reservationOf(settled.state, refund.reservationId),
      settled.revision,
      settled.position,
    );
  }
}
