/**
 * The seed's purchase flow, end to end over HTTP: a real listening app, the
 * embedded store through the official client, and the local Redis.
 */
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { ApiHarness, startApi } from '../support/api-harness';
import { cartWithOneLine, line } from '../support/fixtures';

describe('purchase flow over HTTP', () => {
  let api: ApiHarness;
  beforeAll(async () => (api = await startApi()));
  afterAll(() => api.close());

  it('walks the whole flow: no subscription, refusal, subscription, browse, add, change, scope, buy, buy again', async () => {
    // 1. A customer with no subscription.
    const customer = await api.call('POST', '/v1/customers', { body: { name: 'Contoso Pharma' } });
    expect(customer.status).toBe(201);
    const customerId = customer.body.customerId;
    expect(customer.body.subscriptions).toEqual([]);

    // 2. Buying is refused until it has an active subscription.
    const cart = await api.call('POST', `/v1/customers/${customerId}/carts`);
    expect(cart.status).toBe(201);
    const cartId = cart.body.cartId;
    expect(cart.body.expiresAt).toBe(new Date(Date.parse(cart.body.createdAt) + 7 * 86_400_000).toISOString());
    const refused = await api.call('POST', `/v1/carts/${cartId}/purchase`);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('NO_ACTIVE_SUBSCRIPTION');

    // 3. Add subscriptions.
    const production = randomUUID();
    const test = randomUUID();
    expect(
      (
        await api.call('POST', `/v1/customers/${customerId}/subscriptions`, {
          body: { subscriptionId: production, name: 'Production' },
        })
      ).status,
    ).toBe(201);
    const withTwo = await api.call('POST', `/v1/customers/${customerId}/subscriptions`, {
      body: { subscriptionId: test, name: 'Test' },
    });
    expect(withTwo.body.subscriptions.map((s: { status: string }) => s.status)).toEqual(['active', 'active']);

    // 4. Browse the catalog with filters.
    const browse = await api.call(
      'GET',
      '/v1/catalog?term=P1Y&region=westeurope&series=Dsv5&minCores=4&maxCores=8&minRamGb=16',
    );
    expect(browse.status).toBe(200);
    expect(browse.body.items.map((i: { armSkuName: string }) => i.armSkuName)).toEqual([
      'Standard_D4s_v5',
      'Standard_D8s_v5',
    ]);
    const [d4s, d8s] = browse.body.items;

    // 5. Add two items.
    const item = (catalogItemId: string, quantity: number) => ({
      catalogItemId,
      quantity,
      subscriptionId: production,
      term: 'P1Y',
      billingPlan: 'Monthly',
    });
    const first = await api.call('POST', `/v1/carts/${cartId}/items`, { body: item(d4s.id, 2) });
    expect(first.status).toBe(201);
    const second = await api.call('POST', `/v1/carts/${cartId}/items`, { body: item(d8s.id, 1) });
    expect(second.body.lines).toHaveLength(2);
    const d4sLine = second.body.lines[0].lineId;

    // 6. Change a quantity.
    const changed = await api.call('PATCH', `/v1/carts/${cartId}/items/${d4sLine}`, { body: { quantity: 5 } });
    expect(changed.status).toBe(200);
    expect(changed.body.lines[0].quantity).toBe(5);
    expect(changed.body.subtotalUsd).toBeCloseTo(5 * d4s.unitPriceUsd + d8s.unitPriceUsd, 2);

    // 7. Single scope, then shared.
    const single = await api.call('PUT', `/v1/carts/${cartId}/scope`, {
      body: { type: 'single', subscriptionId: test },
    });
    expect(single.body.scope).toEqual({ type: 'single', subscriptionId: test });
    const shared = await api.call('PUT', `/v1/carts/${cartId}/scope`, { body: { type: 'shared' } });
    expect(shared.body.scope).toEqual({ type: 'shared' });

    // 8. Buy: an order number comes back.
    const key = randomUUID();
    const bought = await api.call('POST', `/v1/carts/${cartId}/purchase`, { headers: { 'idempotency-key': key } });
    expect(bought.status).toBe(201);
    expect(bought.body.orderNumber).toMatch(/^RO-\d{4}-\d{6}$/);
    expect(bought.body).toMatchObject({
      status: 'pending',
      billingPlan: 'Monthly',
      scope: { type: 'shared' },
      currency: 'USD',
    });
    expect(bought.body.lines.map((l: { quantity: number; lineNumber: number }) => [l.lineNumber, l.quantity])).toEqual([
      [1, 5],
      [2, 1],
    ]);
    expect(bought.body.totalUsd).toBeCloseTo(changed.body.subtotalUsd, 2);

    // 9. Buy again with the same key: the first answer again, not a second order.
    const again = await api.call('POST', `/v1/carts/${cartId}/purchase`, { headers: { 'idempotency-key': key } });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.orderId).toBe(bought.body.orderId);
    expect(again.body.orderNumber).toBe(bought.body.orderNumber);

    const order = await api.call('GET', `/v1/orders/${bought.body.orderId}`);
    expect(order.status).toBe(200);
    expect(order.body.timeline).toEqual([{ status: 'pending', at: bought.body.placedAt }]);

    // The order is in the customer's history, read from the order-history view.
    const history = await api.call('GET', `/v1/customers/${customerId}/orders`);
    expect(history.status).toBe(200);
    expect(history.body.items.map((o: { orderNumber: string }) => o.orderNumber)).toEqual([bought.body.orderNumber]);
    expect(history.body.items[0]).toMatchObject({
      totalUsd: bought.body.totalUsd,
      status: 'pending',
      scope: { type: 'shared' },
    });

    // Auditors: the order's events with who, when and why, and its state as of a revision.
    const events = await api.call('GET', `/v1/orders/${bought.body.orderId}/events`);
    expect(events.body.events).toHaveLength(1);
    expect(events.body.events[0]).toMatchObject({
      type: 'OrderPlaced',
      revision: 0,
      metadata: { partnerId: 'partner-contoso', actor: 'partner-contoso/demo-client', timestamp: bought.body.placedAt },
    });
    expect(events.body.events[0].metadata.correlationId).toEqual(expect.any(String));
    expect(events.body.events[0].metadata.causationId).toEqual(expect.any(String));

    // The bought cart is frozen.
    const late = await api.call('PATCH', `/v1/carts/${cartId}/items/${d4sLine}`, { body: { quantity: 1 } });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('CART_ALREADY_PURCHASED');
  });

  it('buys each cart once even without a key, and refuses a key reused for another cart with 422 IDEMPOTENCY_KEY_MISMATCH', async () => {
    const { cartId, subscriptionId, customerId } = await cartWithOneLine(api);
    const key = randomUUID();
    const [a, b] = await Promise.all([
      api.call('POST', `/v1/carts/${cartId}/purchase`, { headers: { 'idempotency-key': key } }),
      api.call('POST', `/v1/carts/${cartId}/purchase`),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.orderNumber).toBe(b.body.orderNumber);

    const other = await api.call('POST', `/v1/customers/${customerId}/carts`);
    await api.call('POST', `/v1/carts/${other.body.cartId}/items`, { body: line(subscriptionId) });
    const reused = await api.call('POST', `/v1/carts/${other.body.cartId}/purchase`, {
      headers: { 'idempotency-key': key },
    });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_MISMATCH');
  });

  /** An event written by "another api process": this process's kept knowledge of the stream misses it. */
  const writeElsewhere = (stream: string, type: string, data: Record<string, unknown>) => {
    const now = new Date().toISOString();
    const metadata = {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      partnerId: 'partner-contoso',
      actor: 'partner-contoso/other-process',
      timestamp: now,
    };
    return api.app.get(EventStoreDBClient).appendToStream(stream, jsonEvent({ type, data, metadata }));
  };

  it('another process suspends the subscription a moment after this one last read the customer: the purchase refuses on a fresh read', async () => {
    const { cartId, subscriptionId, customerId } = await cartWithOneLine(api);
    // A cart command (here the line added just before) may decide on the customer as this process read it up to 2 s ago...
    await writeElsewhere(`customer-${customerId}`, 'SubscriptionSuspended', {
      customerId,
      subscriptionId,
      suspendedAt: new Date().toISOString(),
    });
    // ...the purchase, made well within those 2 s, may not.
    const refused = await api.call('POST', `/v1/carts/${cartId}/purchase`);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('NO_ACTIVE_SUBSCRIPTION');
  });

  it('another process adds a subscription a moment after this one last read the customer: a cart line for it is taken at once', async () => {
    const { cartId, customerId } = await cartWithOneLine(api);
    const added = randomUUID();
    await writeElsewhere(`customer-${customerId}`, 'SubscriptionAdded', {
      customerId,
      subscriptionId: added,
      name: 'Added elsewhere',
      addedAt: new Date().toISOString(),
    });
    // Refused on the customer this process kept, so decided again on a fresh read.
    const line2 = await api.call('POST', `/v1/carts/${cartId}/items`, { body: line(added) });
    expect(line2.status).toBe(201);
    const scoped = await api.call('PUT', `/v1/carts/${cartId}/scope`, {
      body: { type: 'single', subscriptionId: added },
    });
    expect(scoped.status).toBe(200);
  });

  it('another process changed the cart after this one last saw it: the purchase buys the cart as it is', async () => {
    const { cartId } = await cartWithOneLine(api);
    const seen = await api.call('GET', `/v1/carts/${cartId}`);
    // Another process empties the cart: this process's last fold still holds the line.
    await writeElsewhere(`cart-${cartId}`, 'CartItemRemoved', { cartId, lineId: seen.body.lines[0].lineId });
    const before = await api.countEvents();
    const refused = await api.call('POST', `/v1/carts/${cartId}/purchase`);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('CART_EMPTY');
    // Refused on the cart as it is: no order number spent.
    expect(await api.countEvents()).toBe(before);
    // And the other way round: a line added elsewhere to a cart this process last saw empty is bought.
    const { lineTotalUsd: _total, ...cartLine } = seen.body.lines[0];
    await writeElsewhere(`cart-${cartId}`, 'CartItemAdded', { ...cartLine, cartId });
    const bought = await api.call('POST', `/v1/carts/${cartId}/purchase`);
    expect(bought.status).toBe(201);
    expect(bought.body.lines).toHaveLength(1);
  });

  it('gives distinct order numbers to distinct carts', async () => {
    const carts = await Promise.all(Array.from({ length: 5 }, () => cartWithOneLine(api)));
    const orders = await Promise.all(carts.map(({ cartId }) => api.call('POST', `/v1/carts/${cartId}/purchase`)));
    expect(orders.map((o) => o.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(orders.map((o) => o.body.orderNumber)).size).toBe(5);
  });

  it('makes retried creates with the same Idempotency-Key return the same entity', async () => {
    const headers = { 'idempotency-key': randomUUID() };
    const first = await api.call('POST', '/v1/customers', { body: { name: 'Northwind' }, headers });
    const retry = await api.call('POST', '/v1/customers', { body: { name: 'Northwind' }, headers });
    expect(retry.status).toBe(201);
    expect(retry.body.customerId).toBe(first.body.customerId);
    expect(retry.body.revision).toBe('0');
  });

  it('answers 409 with the current revision when If-Match is stale, and honours a current one', async () => {
    const { cartId, lineId } = await cartWithOneLine(api);
    const current = await api.call('GET', `/v1/carts/${cartId}`);
    const etag = current.headers.get('etag')!;
    const ok = await api.call('PATCH', `/v1/carts/${cartId}/items/${lineId}`, {
      body: { quantity: 4 },
      headers: { 'if-match': etag },
    });
    expect(ok.status).toBe(200);
    const stale = await api.call('PATCH', `/v1/carts/${cartId}/items/${lineId}`, {
      body: { quantity: 6 },
      headers: { 'if-match': etag },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'STALE_REVISION', currentRevision: ok.body.revision });
  });

  it('cancels a pending order once, and refuses to cancel it again', async () => {
    const { cartId } = await cartWithOneLine(api);
    const order = await api.call('POST', `/v1/carts/${cartId}/purchase`);
    const cancelled = await api.call('POST', `/v1/orders/${order.body.orderId}/cancel`, {
      body: { reason: 'customer request' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.timeline.map((t: { status: string }) => t.status)).toEqual(['pending', 'cancelled']);
  });
});
