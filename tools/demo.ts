/**
 * `npm run demo`: walks the whole flow against a running system (`npm start`
 * in another terminal), through the public HTTP API only, printing each
 * request and what came back. API_URL (default http://127.0.0.1:3000) and
 * API_KEY (default demo-key-contoso) point it elsewhere. Exits 1, showing the
 * answer, at the first step that does not go as described.
 */
import { randomUUID } from 'node:crypto';
import { createApiClient } from '../libs/api-client/src';
import { NOTIFICATION_TYPES } from '../libs/webhooks/src/notification';
import { WebhookReceiver } from '../libs/webhooks/src/receiver';

const API_URL = (process.env.API_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const API_KEY = process.env.API_KEY ?? 'demo-key-contoso';
/** The worker fulfils orders and discounts usage asynchronously; this is how long the demo waits for it. */
const WAIT_MS = Number(process.env.DEMO_WAIT_MS ?? 60_000);

/**
 * The typed client upstream services use (libs/api-client): the key, an
 * Idempotency-Key on every command, retries on 429 and 503, and reads that
 * wait for the demo's own writes (X-Position sent back as X-Min-Position).
 */
const client = createApiClient({ baseUrl: API_URL, apiKey: API_KEY, retries: 2 });

interface Answer<D, E> {
  data?: D;
  error?: E;
  response: Response;
}

function fail(message: string): never {
  process.stderr.write(`\ndemo stopped: ${message}\n`);
  process.exit(1);
}

let stepNumber = 0;
function step(title: string): void {
  stepNumber += 1;
  process.stdout.write(`\n${stepNumber}. ${title}\n`);
}

function show(line: string): void {
  process.stdout.write(`   ${line}\n`);
}

/** Waits for a typed call, prints it with its status, and insists on the status the step expects. */
async function answered<D, E>(method: string, expected: number, call: Promise<Answer<D, E>>): Promise<Answer<D, E>> {
  const answer = await call.catch((error: Error & { cause?: unknown }) =>
    fail(
      `cannot reach the API at ${API_URL} (${error.cause instanceof Error ? error.cause.message : error.message}): start it with npm start, or set API_URL`,
    ),
  );
  const url = new URL(answer.response.url);
  show(`${method} ${url.pathname}${url.search} → ${answer.response.status}`);
  if (answer.response.status !== expected)
    fail(`expected ${expected}, got ${answer.response.status}: ${JSON.stringify(answer.data ?? answer.error)}`);
  return answer;
}

/** The body of a call that succeeded as the step expects. */
async function ok<D, E>(method: string, expected: number, call: Promise<Answer<D, E>>): Promise<D> {
  return (await answered(method, expected, call)).data!;
}

/** The error body of a call the step expects to be refused. */
async function refusal<D, E>(method: string, expected: number, call: Promise<Answer<D, E>>): Promise<E> {
  return (await answered(method, expected, call)).error!;
}

/** Polls a read until it holds what the step waits for (the worker works asynchronously). */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) fail(`waited ${WAIT_MS / 1000} s for ${what}: is the worker running?`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const usd = (amount: number) => `USD ${amount.toFixed(2)}`;

async function main(): Promise<void> {
  process.stdout.write(`Walking through the reservation order flow at ${API_URL} as ${API_KEY}\n`);

  step('A local receiver is started and registered as a webhook for every notification');
  // As an integrator's receiver: it verifies each delivery's signature with the standardwebhooks library.
  const receiver = await new WebhookReceiver().start();
  const webhook = await ok(
    'POST',
    201,
    client.POST('/v1/webhooks', {
      body: { url: `${receiver.url}/demo`, eventTypes: [...NOTIFICATION_TYPES], description: 'npm run demo' },
    }),
  );
  receiver.secrets.push(webhook.secret);
  show(`webhook ${webhook.webhookId} → ${webhook.url}, secret ${webhook.secret.slice(0, 12)}… (shown once)`);

  step('A customer without a subscription is refused');
  const customer = await ok('POST', 201, client.POST('/v1/customers', { body: { name: 'Contoso Pharma' } }));
  const customerId = customer.customerId;
  const ofCustomer = { params: { path: { customerId } } };
  show(`customer ${customerId}, subscriptions: ${customer.subscriptions.length}`);
  const cart = await ok('POST', 201, client.POST('/v1/customers/{customerId}/carts', ofCustomer));
  const cartId = cart.cartId;
  const ofCart = { params: { path: { cartId } } };
  show(`cart ${cartId}, expires ${cart.expiresAt}`);
  const refused = await refusal('POST', 422, client.POST('/v1/carts/{cartId}/purchase', ofCart));
  show(`refused: ${refused.code}: ${refused.message}`);

  step('A subscription is added');
  const subscriptionId = randomUUID();
  const withSubscription = await ok(
    'POST',
    201,
    client.POST('/v1/customers/{customerId}/subscriptions', {
      ...ofCustomer,
      body: { subscriptionId, name: 'Production' },
    }),
  );
  for (const subscription of withSubscription.subscriptions)
    show(`subscription ${subscription.subscriptionId} (${subscription.name}): ${subscription.status}`);

  step('The catalog is filtered by term (P1Y), region, series and cores');
  const catalog = await ok(
    'GET',
    200,
    client.GET('/v1/catalog', {
      params: { query: { term: 'P1Y', region: 'westeurope', series: 'Dsv5', minCores: 4, maxCores: 8 } },
    }),
  );
  for (const item of catalog.items)
    show(
      `${item.id}: ${item.armSkuName}, ${item.vCpus} vCPUs, ${item.memoryGb} GB, ${usd(item.unitPriceUsd)} per instance for the term`,
    );
  if (catalog.items.length < 2) fail(`expected at least two catalog items, got ${JSON.stringify(catalog.items)}`);
  const [first, second] = catalog.items;

  step('Two items are added to the cart');
  const item = (catalogItemId: string, quantity: number) => ({
    catalogItemId,
    quantity,
    subscriptionId,
    term: 'P1Y' as const,
    billingPlan: 'Monthly' as const,
  });
  await ok('POST', 201, client.POST('/v1/carts/{cartId}/items', { ...ofCart, body: item(first.id, 2) }));
  const twoLines = await ok(
    'POST',
    201,
    client.POST('/v1/carts/{cartId}/items', { ...ofCart, body: item(second.id, 1) }),
  );
  for (const line of twoLines.lines) show(`line ${line.lineId}: ${line.quantity} × ${line.catalogItemId}`);
  show(`subtotal ${usd(twoLines.subtotalUsd)}`);

  step('A quantity is changed');
  const lineId = twoLines.lines[0].lineId;
  const changed = await ok(
    'PATCH',
    200,
    client.PATCH('/v1/carts/{cartId}/items/{lineId}', { params: { path: { cartId, lineId } }, body: { quantity: 3 } }),
  );
  show(
    `${changed.lines[0].catalogItemId}: quantity ${changed.lines[0].quantity}, subtotal ${usd(changed.subtotalUsd)}`,
  );

  step('The scope is set to single, then shared');
  const single = await ok(
    'PUT',
    200,
    client.PUT('/v1/carts/{cartId}/scope', { ...ofCart, body: { type: 'single', subscriptionId } }),
  );
  show(`scope ${JSON.stringify(single.scope)}`);
  const shared = await ok('PUT', 200, client.PUT('/v1/carts/{cartId}/scope', { ...ofCart, body: { type: 'shared' } }));
  show(`scope ${JSON.stringify(shared.scope)}`);

  step('The purchase is made, giving an order number');
  const order = await ok(
    'POST',
    201,
    client.POST('/v1/carts/{cartId}/purchase', {
      params: { path: { cartId }, header: { 'Idempotency-Key': `demo-${cartId}` } },
    }),
  );
  show(`order ${order.orderNumber} (${order.orderId}): ${order.status}, total ${usd(order.totalUsd)}`);

  step('The order history shows it');
  const history = await ok('GET', 200, client.GET('/v1/customers/{customerId}/orders', ofCustomer));
  for (const placed of history.items)
    show(`${placed.orderNumber}  ${placed.placedAt}  ${placed.status}  ${usd(placed.totalUsd)}`);
  if (!history.items.some((placed) => placed.orderId === order.orderId)) fail('the order is not in the history');

  step('The worker fulfils the order: the reservations');
  const reservations = await waitFor('the order to be fulfilled', async () => {
    const { data } = await client.GET('/v1/customers/{customerId}/reservations', ofCustomer);
    return data && data.items.length >= order.lines.length ? data.items : undefined;
  });
  show(`GET /v1/customers/${customerId}/reservations → 200`);
  for (const reservation of reservations) {
    show(
      `${reservation.reservationId}: ${reservation.quantity} × ${reservation.armSkuName} in ${reservation.region}, ${reservation.term}, scope ${reservation.scope.type}, ${reservation.effectiveDate} → ${reservation.expiryDate}`,
    );
  }

  step('Usage is posted; costs and utilization follow');
  const reservation = reservations.find((r) => r.armSkuName === first.armSkuName) ?? reservations[0];
  // The first whole hour the reservation is in effect.
  const hour = new Date(Math.ceil(Date.parse(reservation.effectiveDate) / 3_600_000) * 3_600_000).toISOString();
  const usage = (resourceId: string, quantity: number) => ({
    customerId,
    subscriptionId,
    resourceId: `/subscriptions/${subscriptionId}/resourceGroups/demo/providers/Microsoft.Compute/virtualMachines/${resourceId}`,
    region: reservation.region,
    vmSize: reservation.armSkuName,
    hour,
    quantity,
    payAsYouGoRateUsd: 0.192,
  });
  const ingested = await ok(
    'POST',
    202,
    client.POST('/v1/usage', { body: { records: [usage('web-1', 1), usage('web-2', 1), usage('batch-1', 0.5)] } }),
  );
  show(`accepted ${ingested.accepted} usage records for ${hour}; discount jobs: ${ingested.jobs.length}`);
  const costs = await waitFor('the discount to be applied', async () => {
    const { data } = await client.GET('/v1/customers/{customerId}/costs', ofCustomer);
    return data && data.items.length > 0 ? data.items : undefined;
  });
  show(`GET /v1/customers/${customerId}/costs → 200`);
  for (const row of costs) {
    if ('payAsYouGoCostUsd' in row)
      show(
        `${row.date} ${row.subscriptionId}: pay-as-you-go ${usd(row.payAsYouGoCostUsd)}, discounted ${usd(row.discountedCostUsd)}, saved ${usd(row.savingsUsd)}`,
      );
  }
  const amortized = await ok(
    'GET',
    200,
    client.GET('/v1/customers/{customerId}/costs', { params: { ...ofCustomer.params, query: { view: 'amortized' } } }),
  );
  show(`GET /v1/customers/${customerId}/costs?view=amortized → 200`);
  for (const row of amortized.items) {
    if ('chargeType' in row)
      show(`${row.date} ${row.chargeType} ${row.reservationId ?? row.subscriptionId ?? ''}: ${usd(row.costUsd)}`);
  }
  const utilization = await ok(
    'GET',
    200,
    client.GET('/v1/reservations/{reservationId}/utilization', {
      params: { path: { reservationId: reservation.reservationId } },
    }),
  );
  for (const day of utilization.items)
    show(`${day.date}: used ${day.usedHours} of ${day.reservedHours} reserved hours (${day.percentage}%)`);

  step("The order's events, as an auditor sees them");
  const events = await ok(
    'GET',
    200,
    client.GET('/v1/orders/{orderId}/events', { params: { path: { orderId: order.orderId } } }),
  );
  for (const event of events.events)
    show(
      `#${event.revision} ${event.type}  at ${event.metadata.timestamp} by ${event.metadata.actor}, correlation ${event.metadata.correlationId}`,
    );

  step('The sandbox clock moves a year on: the renewal is bought at expiry, and the statement lists it');
  const clock = await client.GET('/v1/sandbox/clock', {});
  if (clock.response.status === 404) {
    show(
      'GET /v1/sandbox/clock → 404: the sandbox clock is off here (npm start turns it on; SANDBOX_CLOCK=true elsewhere outside production)',
    );
  } else {
    const expiry = reservations.map((r) => r.expiryDate).sort()[0];
    show(`the clock stands at ${clock.data!.now}; the reservations expire at ${expiry}`);
    const moved = await ok('PUT', 200, client.PUT('/v1/sandbox/clock', { body: { now: expiry } }));
    show(`moved from ${moved.previous} to ${moved.now}: ${moved.passesRun} daily passes`);
    for (const pass of moved.passes)
      show(
        `  pass ${pass.at}: ${pass.paymentsRecorded} payments, ${pass.priceLocked} price locks, ${pass.renewed} renewed, ${pass.expired} expired`,
      );
    const after = await ok('GET', 200, client.GET('/v1/customers/{customerId}/reservations', ofCustomer));
    for (const r of after.items)
      show(
        `${r.reservationId}: ${r.quantity} × ${r.armSkuName}, ${r.effectiveDate} → ${r.expiryDate}, ${r.provisioningState}`,
      );
    for (const month of [order.placedAt.slice(0, 7), expiry.slice(0, 7)]) {
      const statement = await ok(
        'GET',
        200,
        client.GET('/v1/customers/{customerId}/statements/{month}', { params: { path: { customerId, month } } }),
      );
      show(
        `statement ${month} (${statement.closed ? 'closed' : 'open'}): charges ${usd(statement.totals.chargesUsd)}, credits ${usd(statement.totals.creditsUsd)}, net ${usd(statement.totals.netUsd)}`,
      );
      for (const line of statement.lines)
        show(
          `  ${line.date.slice(0, 10)} ${line.kind} ${line.orderNumber} ${line.quantity} × ${usd(line.unitPriceUsd)} = ${usd(line.amountUsd)}`,
        );
    }
  }

  step(
    'The receiver verified each delivery (webhook-id, webhook-timestamp, webhook-signature), and the feed holds the same',
  );
  await waitFor('the order.completed delivery', async () =>
    receiver.delivered().some((payload) => payload.type === 'order.completed' && payload.data.orderId === order.orderId)
      ? true
      : undefined,
  );
  // The notifications of the last steps may still be on their way: until every delivery is settled, and no new one came for a second.
  let settledCount = -1;
  await waitFor('the deliveries to settle', async () => {
    const { data } = await client.GET('/v1/webhooks/{webhookId}/deliveries', {
      params: { path: { webhookId: webhook.webhookId }, query: { limit: 200 } },
    });
    const items = data?.items ?? [];
    const settled = items.every((item) => item.status !== 'pending') && items.length === settledCount;
    settledCount = items.every((item) => item.status !== 'pending') ? items.length : -1;
    if (!settled) await new Promise((resolve) => setTimeout(resolve, 750));
    return settled ? true : undefined;
  });
  for (const entry of receiver.received)
    show(
      `${entry.payload ? 'verified' : 'NOT verified'} ${String(entry.headers['webhook-id'])} ${entry.payload?.type ?? ''} at ${entry.payload?.occurredAt ?? ''} → answered ${entry.status}`,
    );
  const feed = await ok(
    'GET',
    200,
    client.GET('/v1/notifications', { params: { query: { types: 'order.completed' } } }),
  );
  for (const item of feed.items) show(`feed ${item.cursor}: ${item.type} ${item.id}`);
  await ok(
    'DELETE',
    204,
    client.DELETE('/v1/webhooks/{webhookId}', { params: { path: { webhookId: webhook.webhookId } } }),
  );
  await receiver.stop();

  process.stdout.write(`\nDone: customer ${customerId}, order ${order.orderNumber}. OpenAPI at ${API_URL}/docs\n`);
}

void main();
