import { Injectable } from '@nestjs/common';
import {
  ActiveReservation,
  BillingPlan,
  Catalog,
  checkExchangeable,
  checkExchangeSources,
  DomainError,
  Exchange,
  exchangeDecider,
  ExchangeFigures,
  exchangeFigures,
  ExchangePurchase,
  ExchangeRequestedData,
  exchangeStream,
  illegalState,
  notFound,
  Order,
  OrderCommand,
  OrderEvent,
  reservationDecider,
  reservationOf,
  Reservation,
  ruleViolated,
  valueReturned,
  ValueReturned,
} from '@app/domain';
import { CommandContext, ConcurrencyError, EventStreams, Handled, Revision } from '@app/eventstore-client';
import { crashPoint } from '@app/runtime';
import { ReservationOrders } from './reservation-orders';

export interface ExchangeAsked {
  customerId: string;
  partnerId: string;
  returns: Array<{ reservationId: string; quantity?: number }>;
  purchase: { catalogItemId: string; quantity: number; billingPlan?: BillingPlan };
}

export interface QuotedReturn extends ValueReturned {
  reservationId: string;
  orderId: string;
  quantity: number;
  /** The market price now of what it is, or its purchase price when no longer sold: the lower of this and the purchase price is refunded. */
  currentUnitPriceUsd: number;
}

/** An exchange valued as of `quotedAt`: what `POST /v1/exchanges/quote` answers, and what the exchange itself decides on. */
export interface ExchangeQuote {
  customerId: string;
  returns: QuotedReturn[];
  purchase: ExchangePurchase;
  figures: ExchangeFigures;
  quotedAt: string;
  /** Each order's revision the quote read (for If-Match on a single order). */
  revisions: Record<string, Revision>;
}

/** What an exchange did, as the orders recorded it: each reservation given back and its value, and the reservation bought. */
export interface ExchangeMade {
  exchangeId: string;
  returned: Array<ValueReturned & { reservationId: string; orderId: string; quantity: number }>;
  /** The reservation bought, in the first returned reservation's order. */
  bought: ActiveReservation;
  figures: ExchangeFigures;
  exchangedAt: string;
  /** The buying order's revision and position after the exchange. */
  handled: Handled<Order, OrderEvent>;
}

/** Refusals on one of the orders that mean the exchange cannot be made as asked: its holds are released. */
const REFUSALS = [
  'RESERVATION_NOT_ACTIVE',
  'RESERVATION_CHANGED',
  'RESERVATION_EXPIRED',
  'RETURN_QUANTITY_INVALID',
  'EXCHANGE_IN_PROGRESS',
  'EXCHANGE_RELEASED',
];

/**
 * Exchanges, as Azure's `exchange` and `calculateExchange` make them: one or
 * more reservations of one customer given back for one purchase, refunded
 * at their prorated value and credited against it.
 *
 * Reservations of one reservation order are exchanged in one append to it.
 * Reservations of several orders span streams: the exchange's own stream
 * records the request first, the reservations of the other orders are held
 * for it, the exchange is decided on the first one's order (where the
 * purchase is bought), and the holds complete. Refused there, the holds are
 * released and the exchange is recorded as failed. Every step is idempotent
 * and decided on its own stream, so the request and the exchange reactor
 * (after a crash) may both drive it, in any order.
 */
@Injectable()
export class Exchanges {
  constructor(
    private readonly orders: ReservationOrders,
    private readonly streams: EventStreams,
    private readonly catalog: Catalog,
  ) {}

  /** The figures of an exchange as of `now`, changing nothing; refused as the exchange itself would be. */
  async quote(asked: ExchangeAsked, now: string): Promise<ExchangeQuote> {
    const item = this.catalog.get(asked.purchase.catalogItemId, now);
    if (!item) throw notFound('CATALOG_ITEM_NOT_FOUND', `catalog item ${asked.purchase.catalogItemId} is not sold`);
    const revisions: Record<string, Revision> = {};
    const sources: Array<{ reservation: ActiveReservation; quantity: number; orderId: string }> = [];
    for (const { reservationId, quantity } of asked.returns) {
      const orderId = await this.orders.locate(reservationId, asked.partnerId);
      const { state, revision } = await this.orders.load(orderId);
      revisions[orderId] = revision;
      const reservation = asOf(reservationOf(state, reservationId), now);
      if (reservation.customerId !== asked.customerId)
        throw notFound(
          'RESERVATION_NOT_FOUND',
          `reservation ${reservationId} not found for customer ${asked.customerId}`,
        );
      sources.push({ reservation, quantity: quantity ?? reservation.quantity, orderId });
    }
    checkExchangeSources(sources);
    const purchase: ExchangePurchase = {
      item,
      quantity: asked.purchase.quantity,
      billingPlan: asked.purchase.billingPlan ?? sources[0].reservation.billingPlan,
    };
    const returns = sources.map(({ reservation, quantity, orderId }): QuotedReturn => {
      if (reservation.exchangeHold)
        throw illegalState(
          'EXCHANGE_IN_PROGRESS',
          `reservation ${reservation.reservationId} is being exchanged; read it again shortly`,
        );
      if (!Number.isInteger(quantity) || quantity < 1 || quantity > reservation.quantity) {
        throw ruleViolated(
          'RETURN_QUANTITY_INVALID',
          `a return takes a whole quantity from 1 to the reservation's quantity, ${reservation.quantity}; ${quantity} was asked`,
        );
      }
      checkExchangeable(reservation, purchase);
      const currentUnitPriceUsd = this.currentPrice(reservation, now);
      return {
        reservationId: reservation.reservationId,
        orderId,
        quantity,
        currentUnitPriceUsd,
        ...valueReturned(reservation, quantity, currentUnitPriceUsd, now),
      };
    });
    return {
      customerId: asked.customerId,
      returns,
      purchase,
      figures: exchangeFigures(returns, purchase),
      quotedAt: now,
      revisions,
    };
  }

  /**
   * Makes the exchange named `exchangeId`, or finishes it, or answers it as
   * made, when it was asked before (a retry). `expectedRevision` (If-Match)
   * applies when all it returns is in one order.
   */
  async exchange(
    exchangeId: string,
    newReservationId: string,
    asked: ExchangeAsked,
    context: CommandContext,
    expectedRevision?: Revision,
  ): Promise<ExchangeMade> {
    const { state: before } = await this.streams.aggregate(exchangeStream(exchangeId), exchangeDecider);
    if (before.status !== 'none')
      return this.made(exchangeId, before.returns, newReservationId, await this.finish(exchangeId, context));
    const located = await Promise.all(
      asked.returns.map(async (r) => ({ ...r, orderId: await this.orders.locate(r.reservationId, asked.partnerId) })),
    );
    const orderIds = [...new Set(located.map((r) => r.orderId))];
    if (orderIds.length === 1) {
      const [orderId] = orderIds;
      const current = await this.orders.load(orderId);
      // Made already (a retry after a lost answer): answered as the order recorded it.
      if (current.state.status !== 'none' && current.state.reservations[newReservationId])
        return this.made(exchangeId, located, newReservationId, { ...current, events: [] });
      if (expectedRevision !== undefined && expectedRevision !== current.revision)
        throw new ConcurrencyError(`order-${orderId}`, current.revision, expectedRevision);
      const quote = await this.quote(asked, context.now);
      try {
        const handled = await this.orders.handle(
          orderId,
          this.decideOn(exchangeId, newReservationId, quote, [], quote.returns),
          context,
          { expectedRevision },
        );
        return this.made(exchangeId, located, newReservationId, handled);
      } catch (error) {
        // The same exchange, sent at once with the same If-Match, got there first: it is this one, made.
        if (!(error instanceof ConcurrencyError)) throw error;
        const now = await this.orders.load(orderId);
        if (now.state.status === 'none' || !now.state.reservations[newReservationId]) throw error;
        return this.made(exchangeId, located, newReservationId, { ...now, events: [] });
      }
    }
    const quote = await this.quote(asked, context.now);
    const requested: ExchangeRequestedData = {
      exchangeId,
      customerId: asked.customerId,
      partnerId: asked.partnerId,
      returns: quote.returns.map(({ reservationId, orderId, quantity }) => ({ reservationId, orderId, quantity })),
      purchase: {
        catalogItemId: quote.purchase.item.id,
        quantity: quote.purchase.quantity,
        billingPlan: quote.purchase.billingPlan,
      },
      newReservationId,
      requestedAt: context.now,
    };
    await this.streams.handle(
      exchangeStream(exchangeId),
      exchangeDecider,
      { type: 'RequestExchange', data: requested },
      { ...context, commandId: `${exchangeId}/request` },
    );
    crashPoint('exchange:after-request');
    return this.made(exchangeId, requested.returns, newReservationId, await this.finish(exchangeId, context));
  }

  /** The exchange as its orders recorded it; the buying order as `handled` left it. */
  private async made(
    exchangeId: string,
    returns: ReadonlyArray<{ reservationId: string; orderId: string }>,
    newReservationId: string,
    handled: Handled<Order, OrderEvent>,
  ): Promise<ExchangeMade> {
    const bought = reservationOf(handled.state, newReservationId);
    const returned: ExchangeMade['returned'] = [];
    for (const { reservationId, orderId } of returns) {
      const order = orderId === bought.orderId ? handled.state : (await this.orders.load(orderId)).state;
      const reservation = reservationOf(order, reservationId);
      const quantity =
        reservation.returns?.find((r) => r.cancellationId === exchangeId)?.quantity ?? reservation.quantity;
      returned.push({
        reservationId,
        orderId,
        quantity,
        ...this.exchangedValue(order, reservationId, newReservationId),
      });
    }
    const purchase: ExchangePurchase = {
      item: { ...bought, id: bought.catalogItemId, unitPriceUsd: bought.unitPriceUsd ?? 0 },
      quantity: bought.quantity,
      billingPlan: bought.billingPlan,
    };
    return {
      exchangeId,
      returned,
      bought,
      figures: exchangeFigures(returned, purchase),
      exchangedAt: bought.effectiveDate,
      handled,
    };
  }

  /**
   * Drives an exchange of several orders to its end as asked at its request:
   * holds, the decision on the first order, the holds completed; or, refused,
   * the holds released and the failure recorded (and thrown).
   */
  async finish(exchangeId: string, context: CommandContext): Promise<Handled<Order, OrderEvent>> {
    const { state } = await this.streams.aggregate(exchangeStream(exchangeId), exchangeDecider);
    const exchange = requested(state);
    const at = { ...context, now: exchange.requestedAt };
    const step = (name: string) => ({ ...at, commandId: `${exchangeId}/${name}` });
    const pivotOrder = exchange.returns[0].orderId;
    const here = exchange.returns.filter((r) => r.orderId === pivotOrder);
    const elsewhere = exchange.returns.filter((r) => r.orderId !== pivotOrder);
    const purchase = this.purchaseOf(exchange);
    // Made already: its order answers it as it stands.
    if (exchange.status === 'completed') return { ...(await this.orders.load(pivotOrder)), events: [] };
    try {
      if (exchange.status === 'failed') throw illegalState(exchange.code, exchange.reason);
      const held: Array<ValueReturned & { reservationId: string }> = [];
      for (const { reservationId, orderId, quantity } of elsewhere) {
        const handled = await this.orders.handle(
          orderId,
          (order): OrderCommand[] => {
            const reservation = reservationOf(order, reservationId);
            // Given back already (an earlier run got that far): nothing to hold.
            if (reservation.exchanges?.[exchange.newReservationId] !== undefined) return [];
            const currentUnitPriceUsd = this.currentPrice(reservation, exchange.requestedAt);
            return [
              {
                type: 'HoldForExchange',
                data: { reservationId, exchangeId, quantity, currentUnitPriceUsd, purchase, now: exchange.requestedAt },
              },
            ];
          },
          step(`hold-${reservationId}`),
        );
        const hold = reservationOf(handled.state, reservationId).exchangeHold;
        // Already past its hold (the exchange went through, or is being finished by another run): its value is on its ReservationExchanged.
        const value = hold ?? this.exchangedValue(handled.state, reservationId, exchange.newReservationId);
        held.push({ reservationId, refundUsd: value.refundUsd, remainingCommitmentUsd: value.remainingCommitmentUsd });
        crashPoint('exchange:after-hold');
      }
      const pivot = await this.orders.handle(
        pivotOrder,
        (order) =>
          this.decideOn(
            exchangeId,
            exchange.newReservationId,
            { purchase, quotedAt: exchange.requestedAt },
            held,
            here.map(({ reservationId, quantity }) => ({
              reservationId,
              quantity,
              currentUnitPriceUsd: this.currentPrice(reservationOf(order, reservationId), exchange.requestedAt),
            })),
          ),
        step('exchange'),
      );
      crashPoint('exchange:after-decision');
      const bought = reservationOf(pivot.state, exchange.newReservationId);
      const newCommitmentUsd = Math.round((bought.unitPriceUsd ?? 0) * bought.quantity * 100) / 100;
      for (const { reservationId, orderId } of elsewhere) {
        await this.orders.handle(
          orderId,
          {
            type: 'CompleteHeldExchange',
            data: { reservationId, exchangeId, newReservationId: exchange.newReservationId, newCommitmentUsd },
          },
          step(`complete-${reservationId}`),
        );
      }
      await this.streams.handle(
        exchangeStream(exchangeId),
        exchangeDecider,
        { type: 'CompleteExchange', data: { now: context.now } },
        step('completed'),
      );
      return pivot;
    } catch (error) {
      // A refusal by the business stands: the holds go back. Anything else (an outage, a conflict) is retried as it is.
      if (
        !(error instanceof DomainError) ||
        !(REFUSALS.includes(error.code) || error.kind === 'rule' || exchange.status === 'failed')
      )
        throw error;
      await this.release(exchange, error, step);
      throw error;
    }
  }

  /** Gives back every hold an exchange may have taken, and records why it failed. */
  private async release(
    exchange: Extract<Exchange, { status: 'requested' | 'completed' | 'failed' }>,
    error: DomainError,
    step: (name: string) => CommandContext,
  ) {
    const { exchangeId, newReservationId } = exchange;
    for (const { reservationId, orderId } of exchange.returns.filter(
      (r) => r.orderId !== exchange.returns[0].orderId,
    )) {
      await this.orders.handle(
        orderId,
        {
          type: 'ReleaseExchangeHold',
          data: { reservationId, exchangeId, newReservationId, reason: error.message, now: exchange.requestedAt },
        },
        step(`release-${reservationId}`),
      );
    }
    await this.streams.handle(
      exchangeStream(exchangeId),
      exchangeDecider,
      { type: 'FailExchange', data: { code: error.code, reason: error.message, now: exchange.requestedAt } },
      step('failed'),
    );
  }

  private decideOn(
    exchangeId: string,
    newReservationId: string,
    quote: Pick<ExchangeQuote, 'purchase' | 'quotedAt'>,
    heldElsewhere: Array<ValueReturned & { reservationId: string }>,
    returns: Array<{ reservationId: string; quantity: number; currentUnitPriceUsd: number }>,
  ): OrderCommand {
    return {
      type: 'ExchangeReservations',
      data: {
        exchangeId,
        returns: returns.map(({ reservationId, quantity, currentUnitPriceUsd }) => ({
          reservationId,
          quantity,
          currentUnitPriceUsd,
        })),
        heldElsewhere,
        purchase: { ...quote.purchase, reservationId: newReservationId },
        now: quote.quotedAt,
      },
    };
  }

  /** What the exchange that bought `newReservationId` recorded of a reservation it returned. */
  private exchangedValue(order: Order, reservationId: string, newReservationId: string): ValueReturned {
    const reservation = reservationOf(order, reservationId);
    if (reservation.exchanges?.[newReservationId] === undefined)
      throw illegalState('EXCHANGE_NOT_HELD', `reservation ${reservationId} was not exchanged for ${newReservationId}`);
    const recorded = reservation.exchangedValues?.[newReservationId];
    if (!recorded)
      throw illegalState(
        'EXCHANGE_NOT_HELD',
        `reservation ${reservationId} records no value for exchange ${newReservationId}`,
      );
    return recorded;
  }

  private purchaseOf(exchange: ExchangeRequestedData): ExchangePurchase {
    const item = this.catalog.get(exchange.purchase.catalogItemId, exchange.requestedAt);
    if (!item) throw notFound('CATALOG_ITEM_NOT_FOUND', `catalog item ${exchange.purchase.catalogItemId} is not sold`);
    return { item, quantity: exchange.purchase.quantity, billingPlan: exchange.purchase.billingPlan };
  }

  private currentPrice(reservation: ActiveReservation, at: string): number {
    return this.catalog.get(reservation.catalogItemId, at)?.unitPriceUsd ?? reservation.unitPriceUsd ?? 0;
  }
}

function requested(state: Exchange): Extract<Exchange, { status: 'requested' | 'completed' | 'failed' }> {
  if (state.status === 'none') throw notFound('EXCHANGE_NOT_FOUND', 'exchange not found');
  return state;
}

/** A reservation as an exchange at `now` sees it: its monthly payments fallen due by then counted as paid. */
function asOf(reservation: ActiveReservation, now: string): ActiveReservation {
  const paid = reservationDecider.decide({ type: 'RecordDuePayments', data: { now } }, reservation);
  return paid.reduce(reservationDecider.evolve, reservation as Reservation) as ActiveReservation;
}
