/**
 * A load test: one partner floods usage at its budget (batches of 10,000
 * records, about 3 MB each, two at a time, as fast as the API answers) while
 * another partner buys. Every purchase of the other partner must complete,
 * with a p99 under 1 s, and the flooding partner must stay at its budget.
 * The figures are printed.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { ApiHarness, CONTOSO_KEY, FABRIKAM_KEY, startApi } from '../support/api-harness';
import { line } from '../support/fixtures';

jest.setTimeout(120_000);

const NOW = '2027-03-10T10:30:00.000Z';
const HOUR = 3_600_000;
const BUDGET = 30_000;
const BATCH = 10_000;
const FLOOD_LANES = 2;
const PURCHASES = 60;

/** A POST that tolerates the server closing the socket while the body is still being sent (a refusal before the body is read). */
function post(url: string, key: string, body: Buffer): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-api-key': key },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
        res.on('error', () => resolve(res.statusCode!));
      },
    );
    req.on('error', () => resolve('closed'));
    req.end(body);
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

describe('a partner flooding usage at its budget', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi({
      SANDBOX_CLOCK: 'true',
      SANDBOX_CLOCK_START: NOW,
      PARTNER_USAGE_RECORDS_BUDGET: String(BUDGET),
    });
  });
  afterAll(() => api?.close());

  async function customerOf(key: string) {
    const customerId = (await api.call('POST', '/v1/customers', { body: { name: 'Load Co' }, key })).body
      .customerId as string;
    const subscriptionId = randomUUID();
    await api.call('POST', `/v1/customers/${customerId}/subscriptions`, {
      body: { subscriptionId, name: 'Main' },
      key,
    });
    return { customerId, subscriptionId };
  }

  it(`leaves another partner's ${PURCHASES} purchases all completing with a p99 under 1 s`, async () => {
    const flooder = await customerOf(CONTOSO_KEY);
    const buyer = await customerOf(FABRIKAM_KEY);
    // Enough distinct batches to pass the budget; then the same ones again.
    const hourStart = Math.floor(Date.parse(NOW) / HOUR) * HOUR;
    const bodies = Array.from({ length: BUDGET / BATCH + 1 }, (_, b) =>
      Buffer.from(
        JSON.stringify({
          records: Array.from({ length: BATCH }, (_, i) => ({
            customerId: flooder.customerId,
            subscriptionId: flooder.subscriptionId,
            resourceId: `/subscriptions/${flooder.subscriptionId}/resourceGroups/flood/providers/Microsoft.Compute/virtualMachines/vm-${b}-${i % 1_000}`,
            region: 'westeurope',
            vmSize: 'Standard_D4s_v5',
            hour: new Date(hourStart - (1 + Math.floor(i / 1_000)) * HOUR).toISOString(),
            quantity: 1,
            payAsYouGoRateUsd: 0.192,
          })),
        }),
      ),
    );

    const flood = { sent: 0, accepted: 0, refused: 0, closed: 0, other: 0, full: false, stop: false };
    const lanes = Array.from({ length: FLOOD_LANES }, async (_, lane) => {
      for (let n = lane; !flood.stop; n += FLOOD_LANES) {
        const status = await post(`${api.url}/v1/usage`, CONTOSO_KEY, bodies[n % bodies.length]);
        flood.sent++;
        if (status === 202) flood.accepted++;
        else if (status === 429) flood.refused++;
        else if (status === 'closed') flood.closed++;
        else flood.other++;
        if (status === 429) flood.full = true;
      }
    });
    const started = Date.now();
    while (!flood.full && Date.now() - started < 60_000) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(flood.full).toBe(true);

    const latencies: number[] = [];
    const statuses: number[] = [];
    const purchaseStarted = Date.now();
    try {
      for (let i = 0; i < PURCHASES; i++) {
        const cart = await api.call('POST', `/v1/customers/${buyer.customerId}/carts`, { key: FABRIKAM_KEY });
        await api.call('POST', `/v1/carts/${cart.body.cartId}/items`, {
          body: line(buyer.subscriptionId),
          key: FABRIKAM_KEY,
        });
        const t0 = performance.now();
        const bought = await fetch(`${api.url}/v1/carts/${cart.body.cartId}/purchase`, {
          method: 'POST',
          headers: { 'x-api-key': FABRIKAM_KEY, 'idempotency-key': `buy-${i}` },
        });
        latencies.push(performance.now() - t0);
        statuses.push(bought.status);
        await bought.arrayBuffer();
      }
    } finally {
      flood.stop = true;
      await Promise.all(lanes);
    }
    const seconds = (Date.now() - purchaseStarted) / 1000;

    const sorted = [...latencies].sort((a, b) => a - b);
    const figures = {
      purchases: latencies.length,
      p50Ms: Math.round(percentile(sorted, 50)),
      p95Ms: Math.round(percentile(sorted, 95)),
      p99Ms: Math.round(percentile(sorted, 99)),
      maxMs: Math.round(sorted[sorted.length - 1]),
      floodBatchesPerSecond: Math.round(flood.sent / ((Date.now() - started) / 1000)),
      flood,
    };
    console.log(
      `usage flood at the budget, ${PURCHASES} purchases of another partner over ${seconds.toFixed(1)} s: ${JSON.stringify(figures)}`,
    );

    expect(statuses.filter((status) => status !== 201)).toEqual([]);
    expect(figures.p99Ms).toBeLessThan(1_000);
    // The flooding partner stays at its budget: three batches taken, every later one refused.
    expect(flood.accepted).toBe(BUDGET / BATCH);
    expect(flood.other).toBe(0);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/^partner_budget_used_ratio\{partner="partner-contoso",budget="usage_records"\} 1$/m);
  });
});
