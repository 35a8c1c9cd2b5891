import { Injectable } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { ActiveReservation, catalogItemId, lineTotal, PlacedOrder, renewalOf, reservationOf } from '@app/domain';
import { CommandContext } from '@app/eventstore-client';
import { ReservationOrders } from './reservation-orders';

const NAMESPACE = '3f8b2d6e-1a4c-4b7f-9e25-6c0d8a1f4e72';

/** A reservation renews once, so its renewal order's id derives from it. */
export const renewalOrderIdFor = (reservationId: string) => uuidv5(`${reservationId}/renewal`, NAMESPACE);

/** The subscription a reservation's line was billed to; a renewal bills it again, not whichever applied subscription comes first. */
export const billingSubscriptionOf = (reservation: ActiveReservation, order: PlacedOrder): string =>
  reservation.billingSubscriptionId ??
  order.lines.find((l) => l.lineNumber === reservation.lineNumber)?.subscriptionId ??
  reservation.appliedSubscriptionIds[0];

/**
 * Places the order a renewal decided on: ReservationRenewed on the old
 * reservation order names the new order's id, number and price, and the new
 * order is a system purchase of the same SKU, region, term, quantity and
 * scope, fulfilled like any other. Idempotent: the order is placed once.
 */
@Injectable()
export class RenewalOrders {
  constructor(private readonly orders: ReservationOrders) {}

  async place(
    oldOrderId: string,
    reservationId: string,
    oldOrder: PlacedOrder | undefined,
    context: CommandContext,
  ): Promise<void> {
    const order = oldOrder ?? ((await this.orders.load(oldOrderId)).state as PlacedOrder);
    const reservation = reservationOf(order, reservationId);
    const { renewal } = reservation;
    if (!renewal) return;
    const { orderId, unitPriceUsd } = renewal;
    const { quantity, term, billingPlan } = renewalOf(reservation);
    const line = {
      lineId: uuidv5(`${orderId}/line`, NAMESPACE),
      catalogItemId: catalogItemId(reservation.armSkuName, reservation.region, term),
      armSkuName: reservation.armSkuName,
      region: reservation.region,
      term,
      billingPlan,
      quantity,
      subscriptionId: billingSubscriptionOf(reservation, order),
      unitPriceUsd,
      autoRenew: true,
      // It takes effect the moment the old one ends, whenever the pass that bought it ran: no hour between them at pay-as-you-go.
      effectiveFrom: reservation.expiryDate,
    };
    await this.orders.handle(
      orderId,
      {
        type: 'PlaceOrder',
        data: {
          orderId,
          orderNumber: renewal.orderNumber,
          cartId: reservationId,
          customerId: reservation.customerId,
          partnerId: reservation.partnerId,
          lines: [line],
          scope: reservation.scope,
          billingPlan,
          totalUsd: lineTotal(quantity, unitPriceUsd),
          renewalOf: { orderId: oldOrderId, reservationId },
          now: renewal.renewedAt,
        },
      },
      { ...context, commandId: `${orderId}/place` },
    );
  }
}
