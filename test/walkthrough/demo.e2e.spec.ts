/**
 * `npm run demo` keeps working: tools/demo.ts runs as its own process
 * against a listening api and a worker process, as a newcomer would run it
 * against `npm start`, and every step it prints is checked against the API.
 */
import { execFile } from 'node:child_process';
import { EventStoreConnection } from '@app/eventstore-client';
import { Redis } from 'ioredis';
import { ApiHarness, startApi } from '../support/api-harness';
import { ROOT, RunningProcess, startTsProcess } from '../support/processes';

jest.setTimeout(120_000);

describe('npm run demo', () => {
  let api: ApiHarness;
  let worker: RunningProcess;

  beforeAll(async () => {
    // As npm start runs it: the sandbox clock on, here from a fixed instant.
    const clock = { SANDBOX_CLOCK: 'true', SANDBOX_CLOCK_START: '2027-03-10T10:00:00Z' };
    api = await startApi(clock);
    worker = startTsProcess('apps/worker/src/main.ts', {
      ...clock,
      EVENTSTORE_URL: api.app.get(EventStoreConnection).connectionString,
      REDIS_KEY_PREFIX: api.app.get(Redis).options.keyPrefix!,
      RUN_PROJECTIONS: 'false',
      PROVISIONING_LATENCY_MS: '0',
      LOG_LEVEL: 'warn',
    });
  });
  afterAll(async () => {
    await worker.kill('SIGTERM');
    await api.close();
  });

  const demo = (env: Record<string, string>) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        ['-r', '@swc-node/register', 'tools/demo.ts'],
        { cwd: ROOT, env: { ...process.env, ...env } },
        (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );

  it('walks every step of the flow and prints what each gave', async () => {
    const run = await demo({ API_URL: api.url, API_KEY: 'demo-key-contoso' });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const out = run.stdout;

    const titles = [...out.matchAll(/^(\d+)\. (.+)$/gm)].map(([, n, title]) => `${n}. ${title}`);
    expect(titles).toEqual([
      '1. A local receiver is started and registered as a webhook for every notification',
      '2. A customer without a subscription is refused',
      '3. A subscription is added',
      '4. The catalog is filtered by term (P1Y), region, series and cores',
      '5. Two items are added to the cart',
      '6. A quantity is changed',
      '7. The scope is set to single, then shared',
      '8. The purchase is made, giving an order number',
      '9. The order history shows it',
      '10. The worker fulfils the order: the reservations',
      '11. Usage is posted; costs and utilization follow',
      "12. The order's events, as an auditor sees them",
      '13. The sandbox clock moves a year on: the renewal is bought at expiry, and the statement lists it',
      '14. The receiver verified each delivery (webhook-id, webhook-timestamp, webhook-signature), and the feed holds the same',
    ]);
    // Both reservations renewed the instant they expired, and the statement of that month bills each renewal's first payment.
    expect(out).toMatch(/moved from 2027-03-10T10:00:00\.000Z to 2028-03-10T10:\d\d:\d\d\.\d{3}Z: \d{3} daily passes/);
    expect(out).toMatch(/pass 2028-03-10T\S+: 0 payments, 0 price locks, 2 renewed, 2 expired/);
    expect(out).toMatch(/statement 2027-03 \(closed\): charges USD [\d.]+, credits USD 0\.00/);
    expect(out.match(/ {5}2028-03-10 monthlyPayment RO-2028-\d+ \d+ × USD [\d.]+ = USD [\d.]+/g)).toHaveLength(2);
    expect(out).toMatch(/POST \/v1\/carts\/[\w-]+\/purchase → 422\n {3}refused: NO_ACTIVE_SUBSCRIPTION/);
    expect(out).toMatch(/scope \{"type":"single","subscriptionId":"[\w-]+"\}\n.*\n {3}scope \{"type":"shared"\}/);

    // What it printed is what the API holds.
    const [, orderNumber, orderId] = out.match(/order (RO-\d{4}-\d{6}) \(([\w-]+)\)/)!;
    const [, customerId] = out.match(/customer ([\w-]+), subscriptions: 0/)!;
    const order = await api.call('GET', `/v1/orders/${orderId}`);
    expect(order.body).toMatchObject({ orderNumber, customerId });
    expect(order.body.lines.map((line: { quantity: number }) => line.quantity)).toEqual([3, 1]);
    const reservations = await api.call('GET', `/v1/customers/${customerId}/reservations`);
    for (const reservation of reservations.body.items)
      expect(out).toContain(`${reservation.reservationId}: ${reservation.quantity} × ${reservation.armSkuName}`);
    const costs = await api.call('GET', `/v1/customers/${customerId}/costs`);
    expect(costs.body.items.length).toBeGreaterThan(0);
    for (const row of costs.body.items)
      expect(out).toContain(`${row.date} ${row.subscriptionId}: pay-as-you-go USD ${row.payAsYouGoCostUsd.toFixed(2)}`);
    expect(out).toMatch(/used \d+(\.\d+)? of \d+(\.\d+)? reserved hours/);
    expect(out).toMatch(/#0 OrderPlaced {2}at \S+ by partner-contoso\/demo-client/);
    // Every delivery the demo's receiver got verified with the standardwebhooks library, the order's and the renewals' among them.
    expect(out).not.toMatch(/NOT verified/);
    for (const type of [
      'order.completed',
      'reservation.provisioned',
      'reservation.renewal_upcoming',
      'reservation.renewed',
      'reservation.expired',
    ])
      expect(out).toMatch(new RegExp(`verified [\\w-]+ ${type.replace('.', '\\.')} at \\S+ → answered 204`));
    expect(out).toMatch(/feed \d+-\d+: order\.completed /);
  });

  it('says in one line how to start the system when nothing answers', async () => {
    const run = await demo({ API_URL: 'http://127.0.0.1:1' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(
      /^demo stopped: cannot reach the API at http:\/\/127\.0\.0\.1:1 .*start it with npm start, or set API_URL$/,
    );
  });
});
