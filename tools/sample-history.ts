/**
 * Realistic domain histories for benchmarks and crash tests: customers with
 * subscriptions, carts that get lines, a scope and a purchase, orders that
 * complete (with reservations) or get cancelled. Deterministic for a seed.
 */
import { v5 as uuidv5 } from 'uuid';
import { Catalog } from '@app/domain';

export interface StreamBatch {
  stream: string;
  events: Array<{ type: string; data: Record<string, unknown> }>;
}

const NAMESPACE = '8f6d3a52-1b0e-4c77-a9e4-4d2c6b8e1f03';
const catalog = Catalog.shipped().query({ limit: 10_000 }, new Date().toISOString()).items;

/** Yields stream batches until about `events` events were produced. */
export function* sampleHistory(events: number, seed = 'sample'): Generator<StreamBatch> {
  let produced = 0;
  const id = (kind: string, n: number) => uuidv5(`${seed}/${kind}/${n}`, NAMESPACE);
  const at = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
  for (let n = 0; produced < events; n++) {
    const customerId = id('customer', n);
    const partnerId = `partner-${n % 7}`;
    const subscriptionId = id('subscription', n);
    const customer: StreamBatch = {
      stream: `customer-${customerId}`,
      events: [
        { type: 'CustomerRegistered', data: { customerId, partnerId, name: `Customer ${n}`, registeredAt: at(n) } },
        { type: 'SubscriptionAdded', data: { customerId, subscriptionId, name: 'Production', addedAt: at(n) } },
      ],
    };
    const cartId = id('cart', n);
    const lines = [0, 1, 2].map((i) => {
      const item = catalog[(n * 7 + i * 13) % catalog.length];
      return {
        lineId: id(`line${i}`, n),
        catalogItemId: item.id,
        armSkuName: item.armSkuName,
        region: item.region,
        term: item.term,
        billingPlan: 'Upfront',
        quantity: 1 + ((n + i) % 5),
        subscriptionId,
        unitPriceUsd: item.unitPriceUsd,
      };
    });
    const orderId = id('order', n);
    const orderNumber = `RO-2026-${String(n + 1).padStart(6, '0')}`;
    const totalUsd = Math.round(lines.reduce((sum, l) => sum + l.quantity * l.unitPriceUsd * 100, 0)) / 100;
    const scope = n % 2 === 0 ? { type: 'shared' } : { type: 'single', subscriptionId };
    const cart: StreamBatch = {
      stream: `cart-${cartId}`,
      events: [
        { type: 'CartCreated', data: { cartId, customerId, partnerId, createdAt: at(n), expiresAt: at(n + 7 * 1440) } },
        ...lines.map((line) => ({ type: 'CartItemAdded', data: { cartId, ...line } })),
        { type: 'CartItemQuantityChanged', data: { cartId, lineId: lines[0].lineId, quantity: lines[0].quantity + 1 } },
        { type: 'CartScopeSet', data: { cartId, scope } },
      ],
    };
    lines[0].quantity += 1;
    const purchase = {
      cartId,
      orderId,
      orderNumber,
      purchasedAt: at(n + 1),
      lines,
      scope,
      billingPlan: 'Upfront',
      totalUsd,
    };
    cart.events.push({ type: 'CartPurchased', data: purchase });
    const orderLines = lines.map((line, i) => ({
      ...line,
      lineNumber: i + 1,
      totalUsd: Math.round(line.quantity * line.unitPriceUsd * 100) / 100,
    }));
    const order: StreamBatch = {
      stream: `order-${orderId}`,
      events: [
        {
          type: 'OrderPlaced',
          data: {
            orderId,
            orderNumber,
            cartId,
            customerId,
            partnerId,
            lines: orderLines,
            scope,
            billingPlan: 'Upfront',
            currency: 'USD',
            totalUsd,
            placedAt: at(n + 1),
          },
        },
      ],
    };
    const batches = [customer, cart, order];
    if (n % 5 === 4) {
      order.events.push({
        type: 'OrderCancelled',
        data: { orderId, reason: 'customer request', cancelledAt: at(n + 2) },
      });
    } else {
      const reservationIds = orderLines.map((line) => uuidv5(`${orderId}/${line.lineNumber}`, NAMESPACE));
      orderLines.forEach((line, i) => {
        const item = catalog.find((c) => c.id === line.catalogItemId)!;
        // As fulfilment records it: on the reservation order, the line started, then its reservation.
        order.events.push(
          {
            type: 'OrderLineProvisioningStarted',
            data: { orderId, lineNumber: line.lineNumber, reservationId: reservationIds[i], startedAt: at(n + 2) },
          },
          {
            type: 'ReservationProvisioned',
            data: {
              reservationId: reservationIds[i],
              orderId,
              orderNumber,
              lineNumber: line.lineNumber,
              customerId,
              partnerId,
              catalogItemId: line.catalogItemId,
              armSkuName: line.armSkuName,
              region: line.region,
              flexibilityGroup: item.flexibilityGroup,
              ratio: item.ratio,
              quantity: line.quantity,
              term: line.term,
              billingPlan: 'Upfront',
              scope,
              appliedSubscriptionIds: [subscriptionId],
              effectiveDate: at(n + 2),
              expiryDate: new Date(
                Date.parse(at(n + 2)) + (line.term === 'P1Y' ? 365 : 1095) * 86_400_000,
              ).toISOString(),
            },
          },
        );
      });
      order.events.push({ type: 'OrderCompleted', data: { orderId, reservationIds, completedAt: at(n + 2) } });
    }
    for (const batch of batches) {
      produced += batch.events.length;
      yield batch;
    }
  }
}
