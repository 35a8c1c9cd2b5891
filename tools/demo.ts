/**
 * `npm run demo`: walks the whole flow against a running system (`npm start`
 * in another terminal), through the public HTTP API only, printing each
 * request and what came back. API_URL (default http://127.0.0.1:3000) and
 * API_KEY (default demo-key-contoso) point it elsewhere. Exits 1, showing the
 * answer, at the first step that does not go as described.
 */
import { randomUUID } from 'node:crypto';

const API_URL = (process.env.API_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const API_KEY = process.env.API_KEY ?? 'demo-key-contoso';
/** The worker fulfils orders and discounts usage asynchronously; this is how long the demo waits for it. */
const WAIT_MS = Number(process.env.DEMO_WAIT_MS ?? 60_000);

interface Answer {
  status: number;
  body: any;
}

/** The highest $all position a command answered with: reads send it back to see their own writes. */
let position = 0n;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${API_URL}${path}`, {
    method,
    headers: {
      'x-api-key': API_KEY,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(method === 'GET' && position > 0n ? { 'x-min-position': position.toString() } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch((error: Error) =>
    fail(`cannot reach the API at ${API_URL} (${error.cause instanceof Error ? error.cause.message : error.message}): start it with npm start, or set API_URL`),
  );
  const written = response.headers.get('x-position');
  if (written && BigInt(written) > position) position = BigInt(written);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed };
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

/** Sends a request, prints it with its status, and insists on the status the step expects. */
async function request(method: string, path: string, expected: number, body?: unknown, headers?: Record<string, string>): Promise<any> {
  const answer = await call(method, path, body, headers);
  show(`${method} ${path} → ${answer.status}`);
  if (answer.status !== expected) fail(`expected ${expected}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
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

  step('A customer without a subscription is refused');
  const customer = await request('POST', '/v1/customers', 201, { name: 'Contoso Pharma' });
  const customerId: string = customer.customerId;
  show(`customer ${customerId}, subscriptions: ${customer.subscriptions.length}`);
  const cart = await request('POST', `/v1/customers/${customerId}/carts`, 201);
  const cartId: string = cart.cartId;
  show(`cart ${cartId}, expires ${cart.expiresAt}`);
  const refused = await request('POST', `/v1/carts/${cartId}/purchase`, 422);
  show(`refused: ${refused.code}: ${refused.message}`);

  step('A subscription is added');
  const subscriptionId = randomUUID();
  const withSubscription = await request('POST', `/v1/customers/${customerId}/subscriptions`, 201, { subscriptionId, name: 'Production' });
  for (const subscription of withSubscription.subscriptions) show(`subscription ${subscription.subscriptionId} (${subscription.name}): ${subscription.status}`);

  step('The catalog is filtered by term (P1Y), region, series and cores');
  const catalog = await request('GET', '/v1/catalog?term=P1Y&region=westeurope&series=Dsv5&minCores=4&maxCores=8', 200);
  for (const item of catalog.items)
    show(`${item.id}: ${item.armSkuName}, ${item.vCpus} vCPUs, ${item.memoryGb} GB, ${usd(item.unitPriceUsd)} per instance for the term`);
  if (catalog.items.length < 2) fail(`expected at least two catalog items, got ${JSON.stringify(catalog.items)}`);
  const [first, second] = catalog.items;

  step('Two items are added to the cart');
  const item = (catalogItemId: string, quantity: number) => ({ catalogItemId, quantity, subscriptionId, term: 'P1Y', billingPlan: 'Monthly' });
  await request('POST', `/v1/carts/${cartId}/items`, 201, item(first.id, 2));
  const twoLines = await request('POST', `/v1/carts/${cartId}/items`, 201, item(second.id, 1));
  for (const line of twoLines.lines) show(`line ${line.lineId}: ${line.quantity} × ${line.catalogItemId}`);
  show(`subtotal ${usd(twoLines.subtotalUsd)}`);

  step('A quantity is changed');
  const changed = await request('PATCH', `/v1/carts/${cartId}/items/${twoLines.lines[0].lineId}`, 200, { quantity: 3 });
  show(`${changed.lines[0].catalogItemId}: quantity ${changed.lines[0].quantity}, subtotal ${usd(changed.subtotalUsd)}`);

  step('The scope is set to single, then shared');
  const single = await request('PUT', `/v1/carts/${cartId}/scope`, 200, { type: 'single', subscriptionId });
  show(`scope ${JSON.stringify(single.scope)}`);
  const shared = await request('PUT', `/v1/carts/${cartId}/scope`, 200, { type: 'shared' });
  show(`scope ${JSON.stringify(shared.scope)}`);

  step('The purchase is made, giving an order number');
  const order = await request('POST', `/v1/carts/${cartId}/purchase`, 201, undefined, { 'idempotency-key': `demo-${cartId}` });
  show(`order ${order.orderNumber} (${order.orderId}): ${order.status}, total ${usd(order.totalUsd)}`);

  step('The order history shows it');
  const history = await request('GET', `/v1/customers/${customerId}/orders`, 200);
  for (const placed of history.items) show(`${placed.orderNumber}  ${placed.placedAt}  ${placed.status}  ${usd(placed.totalUsd)}`);
  if (!history.items.some((placed: { orderId: string }) => placed.orderId === order.orderId)) fail('the order is not in the history');

  step('The worker fulfils the order: the reservations');
  const reservations = await waitFor('the order to be fulfilled', async () => {
    const list = await call('GET', `/v1/customers/${customerId}/reservations`);
    return list.status === 200 && list.body.items.length >= order.lines.length ? (list.body.items as any[]) : undefined;
  });
  show(`GET /v1/customers/${customerId}/reservations → 200`);
  for (const reservation of reservations) {
    show(
      `${reservation.reservationId}: ${reservation.quantity} × ${reservation.armSkuName} in ${reservation.region}, ${reservation.term}, scope ${reservation.scope.type}, ${reservation.effectiveDate} → ${reservation.expiryDate}`,
    );
  }

  step('Usage is posted; costs and utilization follow');
  const reservation = reservations.find((r: { armSkuName: string }) => r.armSkuName === first.armSkuName) ?? reservations[0];
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
  const ingested = await request('POST', '/v1/usage', 202, { records: [usage('web-1', 1), usage('web-2', 1), usage('batch-1', 0.5)] });
  show(`accepted ${ingested.accepted} usage records for ${hour}; discount jobs: ${ingested.jobs.length}`);
  const costs = await waitFor('the discount to be applied', async () => {
    const answer = await call('GET', `/v1/customers/${customerId}/costs`);
    return answer.status === 200 && answer.body.items.length > 0 ? (answer.body.items as any[]) : undefined;
  });
  show(`GET /v1/customers/${customerId}/costs → 200`);
  for (const row of costs)
    show(
      `${row.date} ${row.subscriptionId}: pay-as-you-go ${usd(row.payAsYouGoCostUsd)}, discounted ${usd(row.discountedCostUsd)}, saved ${usd(row.savingsUsd)}`,
    );
  const utilization = await request('GET', `/v1/reservations/${reservation.reservationId}/utilization`, 200);
  for (const day of utilization.items) show(`${day.date}: used ${day.usedHours} of ${day.reservedHours} reserved hours (${day.percentage}%)`);

  step("The order's events, as an auditor sees them");
  const events = await request('GET', `/v1/orders/${order.orderId}/events`, 200);
  for (const event of events.events)
    show(`#${event.revision} ${event.type}  at ${event.metadata.timestamp} by ${event.metadata.actor}, correlation ${event.metadata.correlationId}`);

  process.stdout.write(`\nDone: customer ${customerId}, order ${order.orderNumber}. OpenAPI at ${API_URL}/docs\n`);
}

void main();
