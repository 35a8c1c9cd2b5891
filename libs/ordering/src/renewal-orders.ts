import { Injectable } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { lineTotal, PlacedOrder, reservationOf } from '@app/domain';
import { CommandContext } from '@app/eventstore-client';
import { ReservationOrders } from './reservation-orders';

const NAMESPACE = '3f8b2d6e-1a4c-4b7f-9e25-6c0d8a1f4e72';

/** A reservation renews once, so its renewal order's id derives from it. */
export const renewalOrderIdFor = (reservationId: string) => uuidv5(`${reservationId}/renewal`, NAMESPACE);

/**
 * Places the order a renewal decided on: ReservationRenewed on the old
 * reservation order names the new order's id, number and price, and the new
 * order is a system purchase of the same SKU, region, term, quantity and
 * scope, fulfilled like any other. Idempotent: the order is placed once.
 */
@Injectable()
export class RenewalOrders {
  constructor(private readonly orders: ReservationOrders) {}

  async place(oldOrderId: string, reservationId: string, oldOrder: PlacedOrder | undefined, context: CommandContext): Promise<void> {
    const order = oldOrder ?? ((await this.orders.load(oldOrderId)).state as PlacedOrder);
    const reservation = reservationOf(order, reservationId);
    const { renewal } = reservation;
    if (!renewal) return;
    const { orderId, unitPriceUsd } = renewal;
    // The renewal bills the subscription the reservation's own line billed.
    const billingSubscription = order.lines.find((l) => l.lineNumber === reservation.lineNumber)?.subscriptionId ?? reservation.appliedSubscriptionIds[0];
    const line = {
      lineId: uuidv5(`${orderId}/line`, NAMESPACE),
      catalogItemId: reservation.catalogItemId,
      armSkuName: reservation.armSkuName,
      region: reservation.region,
      term: reservation.term,
      billingPlan: reservation.billingPlan,
      quantity: reservation.quantity,
      subscriptionId: billingSubscription,
      unitPriceUsd,
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
          billingPlan: reservation.billingPlan,
          totalUsd: lineTotal(reservation.quantity, unitPriceUsd),
          now: renewal.renewedAt,
        },
      },
      { ...context, commandId: `${orderId}/place` },
    );
  }
}
