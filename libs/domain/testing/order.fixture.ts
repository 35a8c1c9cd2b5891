import { CartLine } from '../src/cart/cart.decider';
import { OrderEvent, OrderLine, OrderPlacedData } from '../src/order/order';
import { ReservationProvisionedData } from '../src/reservation/reservation.events';
import { lineTotal, sum } from '../src/shared/money';

/** A cart line for the specs: three D4s_v5 in West Europe for a year, upfront, at USD 1,000 a unit, on s-1 (the reservation fixture's SKU). */
export const cartLine = (overrides: Partial<CartLine> = {}): CartLine => ({
  lineId: 'l-1',
  catalogItemId: 'ri-standard_d4s_v5-westeurope-p1y',
  armSkuName: 'Standard_D4s_v5',
  region: 'westeurope',
  term: 'P1Y',
  billingPlan: 'Upfront',
  quantity: 3,
  subscriptionId: 's-1',
  unitPriceUsd: 1_000,
  ...overrides,
});

/** Line `lineNumber` of an order: a cart line, numbered and totalled as the order's decider does. */
export const orderLine = (lineNumber: number, overrides: Partial<OrderLine> = {}): OrderLine => {
  const line = cartLine(overrides);
  return { ...line, lineNumber, totalUsd: lineTotal(line.quantity, line.unitPriceUsd), ...overrides };
};

/** An order placed for the specs: o-1 of customer c-1 of partner p-1, with its lines (one by default), shared, billed as its first line. */
export const orderPlaced = (overrides: Partial<OrderPlacedData> = {}): OrderPlacedData => {
  const lines = overrides.lines ?? [orderLine(1)];
  return {
    orderId: 'o-1',
    orderNumber: 'RO-2026-000001',
    cartId: 'cart-1',
    customerId: 'c-1',
    partnerId: 'p-1',
    lines,
    scope: { type: 'shared' },
    billingPlan: lines[0].billingPlan,
    currency: 'USD',
    totalUsd: sum(lines.map((line) => line.totalUsd)),
    placedAt: '2026-11-25T10:00:00.000Z',
    ...overrides,
  };
};

/** An order as fulfilment leaves it before it finishes: placed, then each reservation's line started and the reservation provisioned. */
export const provisionedOrder = (placed: OrderPlacedData, reservations: ReservationProvisionedData[]): OrderEvent[] => [
  { type: 'OrderPlaced', data: placed },
  ...reservations.flatMap((reservation): OrderEvent[] => [
    {
      type: 'OrderLineProvisioningStarted',
      data: {
        orderId: placed.orderId,
        lineNumber: reservation.lineNumber,
        reservationId: reservation.reservationId,
        startedAt: placed.placedAt,
      },
    },
    { type: 'ReservationProvisioned', data: reservation },
  ]),
];
