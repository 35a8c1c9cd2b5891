import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { v5 as uuidv5 } from 'uuid';
import { active, BillingPlan, Catalog, illegalState, notFound, PlacedOrder, reservationOf, returnQuantityInvalid } from '@app/domain';
import { ConcurrencyError } from '@app/eventstore-client';
import { ReservationOrders } from '@app/ordering';
import { keyedId, RequestContext } from '../../http/request-context';
import { RefundQuotes } from '../refund-quote/refund-quote';
import { ReservationResource } from '../reservation.resource';

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
  returnedValueUsd: number;
  newCommitmentUsd: number;
  /** What the new reservation costs beyond the value returned. */
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
 * Exchanges a reservation, or a quantity of it, for another size of the same
 * flexibility group and region, decided on its reservation order in one
 * append: nothing spans streams, so nothing is left half done. The refund
 * ledger is not touched: exchanges do not count toward the cap. The ids
 * derive from the request's Idempotency-Key, or without one from the order's
 * revision, so a retry or identical requests racing from one revision make
 * one exchange; a different exchange racing it is refused.
 */
@CommandHandler(ExchangeReservationCommand)
export class ExchangeReservationHandler implements ICommandHandler<ExchangeReservationCommand> {
  constructor(
    private readonly orders: ReservationOrders,
    private readonly quotes: RefundQuotes,
    private readonly catalog: Catalog,
  ) {}

  async execute({ reservationId, request, context }: ExchangeReservationCommand): Promise<ExchangeResult> {
    const item = this.catalog.get(request.catalogItemId);
    if (!item) throw notFound('CATALOG_ITEM_NOT_FOUND', `catalog item ${request.catalogItemId} does not exist`);
    const { quote, reservation, revision } = await this.quotes.quote(reservationId, context.partnerId, context.now, request.returnQuantity);
    const requestId = keyedId(context, 'exchange');
    const newReservationId = uuidv5(`${reservationId}/exchange/${requestId ?? revision}`, NAMESPACE);
    const orderId = reservation.orderId;
    // The same request again after its answer was lost: the exchange happened, so the order answers it as it stands.
    const repeated = reservation.exchanges?.[newReservationId] !== undefined;
    const quantity = request.returnQuantity ?? reservation.quantity;
    if (!repeated) {
      active(reservation);
      if (context.expectedRevision !== undefined && context.expectedRevision !== revision) {
        throw new ConcurrencyError(`order-${orderId}`, revision, context.expectedRevision);
      }
      if (quantity > reservation.quantity) throw returnQuantityInvalid(quantity, reservation.quantity);
    }
    const handled = await this.orders.handle(
      orderId,
      {
        type: 'ExchangeReservation',
        data: {
          reservationId,
          exchangeId: `${reservationId}/exchange-${requestId === undefined ? revision : newReservationId}`,
          quantity,
          // The remaining commitment given back: for a monthly reservation, its future payments too.
          returnedValueUsd: quote.countedTowardCapUsd,
          target: { reservationId: newReservationId, item, quantity: request.quantity, billingPlan: request.billingPlan },
          now: context.now,
        },
      },
      context,
    );
    const order = handled.state as PlacedOrder;
    const bought = reservationOf(order, newReservationId);
    if (bought.catalogItemId !== item.id || bought.quantity !== request.quantity || bought.origin?.reservationIds[0] !== reservationId) {
      throw illegalState('EXCHANGE_IN_PROGRESS', `another exchange of reservation ${reservationId} was made at the same time; read it and exchange again`);
    }
    const { returnedValueUsd, newCommitmentUsd } = exchangeOf(order, reservationId, newReservationId);
    return {
      exchanged: ReservationResource.of(reservationOf(order, reservationId), handled.revision, handled.position),
      reservation: ReservationResource.of(bought, handled.revision, handled.position),
      returnedValueUsd,
      newCommitmentUsd,
      amountDueUsd: Math.round((newCommitmentUsd - returnedValueUsd) * 100) / 100,
    };
  }
}

/** The figures of the exchange that bought `newReservationId`, as recorded on the reservation it came from. */
function exchangeOf(order: PlacedOrder, reservationId: string, newReservationId: string) {
  const bought = reservationOf(order, newReservationId);
  const newCommitmentUsd = Math.round((bought.unitPriceUsd ?? 0) * bought.quantity * 100) / 100;
  const source = reservationOf(order, reservationId);
  const returnedValueUsd = source.exchanges?.[newReservationId] ?? 0;
  return { returnedValueUsd, newCommitmentUsd };
}
