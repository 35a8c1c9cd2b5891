import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { v5 as uuidv5 } from 'uuid';
import { BillingPlan, illegalState, reservationOf } from '@app/domain';
import { ExchangeMade, Exchanges, ReservationOrders } from '@app/ordering';
import { keyedId, RequestContext } from '../../http/request-context';
import { ReservationResource } from '../../http/openapi/reservation.resource';

const NAMESPACE = '7d2f9a61-3c4e-4b8a-9e17-5a0c2d6f8b43';

export interface ExchangeRequest {
  catalogItemId: string;
  quantity: number;
  returnQuantity?: number;
  billingPlan?: BillingPlan;
}

export interface ExchangeResult {
  /** The reservation given back, with what is left of it. */
  exchanged: ReservationResource;
  /** The reservation bought. */
  reservation: ReservationResource;
  /** The commitment given back: upfront, the refund; monthly, the leftover payments cancelled. */
  returnedValueUsd: number;
  /** Money credited for what was given back. */
  refundUsd: number;
  newCommitmentUsd: number;
  /** What the purchase charges at the exchange: all of it upfront, the first payment monthly. */
  chargedNowUsd: number;
  /** Charged now less the refund (negative: a net credit). */
  amountDueUsd: number;
}

export class ExchangeReservationCommand extends Command<ExchangeResult> {
  constructor(
    readonly reservationId: string,
    readonly request: ExchangeRequest,
    readonly context: RequestContext,
  ) {
    super();
  }
}

/**
 * Exchanges a reservation, or a quantity of it, for another size: an
 * exchange of one reservation, decided on its reservation order in one
 * append (see Exchanges). The ids derive from the request's Idempotency-Key,
 * or without one from the order's revision, so a retry or identical
 * requests racing from one revision make one exchange; a different exchange
 * racing it is refused.
 */
@CommandHandler(ExchangeReservationCommand)
export class ExchangeReservationHandler implements ICommandHandler<ExchangeReservationCommand> {
  constructor(
    private readonly orders: ReservationOrders,
    private readonly exchanges: Exchanges,
  ) {}

  async execute({ reservationId, request, context }: ExchangeReservationCommand): Promise<ExchangeResult> {
    const { state, revision } = await this.orders.load(await this.orders.locate(reservationId, context.partnerId));
    const { customerId } = reservationOf(state, reservationId);
    const requestId = keyedId(context, 'exchange');
    const newReservationId = uuidv5(`${reservationId}/exchange/${requestId ?? revision}`, NAMESPACE);
    const exchangeId = `${reservationId}/exchange-${requestId === undefined ? revision : newReservationId}`;
    const made = await this.exchanges.exchange(
      exchangeId,
      newReservationId,
      {
        customerId,
        partnerId: context.partnerId,
        returns: [{ reservationId, quantity: request.returnQuantity }],
        purchase: {
          catalogItemId: request.catalogItemId,
          quantity: request.quantity,
          billingPlan: request.billingPlan,
        },
      },
      context,
      context.expectedRevision,
    );
    // Named after the revision it was decided on: another exchange decided on the same revision got there first.
    if (made.bought.catalogItemId !== request.catalogItemId || made.bought.quantity !== request.quantity) {
      throw illegalState(
        'EXCHANGE_IN_PROGRESS',
        `another exchange of reservation ${reservationId} was made at the same time; read it and exchange again`,
      );
    }
    return resultOf(made, reservationId);
  }
}

function resultOf({ handled, bought, returned, figures }: ExchangeMade, reservationId: string): ExchangeResult {
  const [given] = returned;
  return {
    exchanged: ReservationResource.of(reservationOf(handled.state, reservationId), handled.revision, handled.position),
    reservation: ReservationResource.of(bought, handled.revision, handled.position),
    returnedValueUsd: given.remainingCommitmentUsd,
    refundUsd: given.refundUsd,
    newCommitmentUsd: figures.newCommitmentUsd,
    chargedNowUsd: figures.chargedNowUsd,
    amountDueUsd: figures.amountDueUsd,
  };
}
