/**
 * npm run bench:recommendations — purchase recommendations over the usage set
 * of bench:discount (1,008,000 records, 100 customers, 500 reservations, 30
 * days): first the pure function over records in memory, for single and
 * shared scope; then as the route works, each customer's 30 days of daily
 * summary read from the usage store (Redis) and recommended. Target (#15):
 * under 5 s.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { FixedClock } from '@app/clock';
import { purchaseRecommendations, RecommendationScope, usageOfSummary } from '@app/domain';
import { UsageStore } from '@app/discount';
import { deleteDeploymentKeys } from '../libs/queues/testing/deployment-keys';
import { catalog, CustomerData, generate, START_MS } from './usage-set';
import { machine, peakRssMb, rate, timed } from './support';

const LOOK_BACK_DAYS = 30;
const fromHour = new Date(START_MS).toISOString();

function recommendAll(customers: CustomerData[], scope: RecommendationScope) {
  let recommendations = 0;
  let quantity = 0;
  for (const customer of customers) {
    const items = purchaseRecommendations({
      usage: customer.usage,
      reservations: customer.reservations,
      catalog,
      fromHour,
      lookBackDays: LOOK_BACK_DAYS,
      term: 'P1Y',
      scope,
    });
    recommendations += items.length;
    quantity += items.reduce((total, item) => total + item.recommendedQuantity, 0);
  }
  return { recommendations, quantity };
}

async function main(): Promise<void> {
  const customers = generate();
  const total = customers.reduce((sum, c) => sum + c.usage.length, 0);
  const rows: Array<[string, string]> = [];
  for (const scope of ['single', 'shared'] as const) {
    const run = await timed(async () => recommendAll(customers, scope));
    rows.push([
      `pure function, ${scope} scope: ${total.toLocaleString('en-US')} records, ${customers.length} customers, ${LOOK_BACK_DAYS} days`,
      `${run.seconds.toFixed(2)} s (${rate(total, run.seconds)} records/s); ${run.result.recommendations} recommendations, ${run.result.quantity} units`,
    ]);
  }

  // As the route: each customer's window read from the usage store, then recommended.
  const prefix = `bench:${randomUUID()}:`;
  const redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: prefix });
  // The Clock at the window's end: every hour is within the retention, whatever the day the bench runs.
  const clock = new FixedClock(new Date(START_MS + LOOK_BACK_DAYS * 86_400_000).toISOString());
  const usage = new UsageStore(
    redis,
    { get: () => 400 } as unknown as ConstructorParameters<typeof UsageStore>[1],
    clock,
  );
  try {
    for (const customer of customers)
      for (let i = 0; i < customer.usage.length; i += 10_000) await usage.save(customer.usage.slice(i, i + 10_000));
    const routed = await timed(async () => {
      let recommendations = 0;
      for (const customer of customers) {
        const summary = await usage.summaryOf(customer.customerId, fromHour, LOOK_BACK_DAYS);
        recommendations += purchaseRecommendations({
          usage: usageOfSummary(customer.customerId, summary),
          reservations: customer.reservations,
          catalog,
          fromHour,
          lookBackDays: LOOK_BACK_DAYS,
          term: 'P1Y',
          scope: 'shared',
        }).length;
      }
      return recommendations;
    });
    rows.push([
      `as the route (daily summary read from Redis, then recommended), shared scope, all ${customers.length} customers`,
      `${routed.seconds.toFixed(2)} s (${rate(total, routed.seconds)} records/s); ${routed.result} recommendations`,
    ]);
  } finally {
    const raw = new Redis('redis://127.0.0.1:6379');
    await deleteDeploymentKeys(raw, prefix);
    await raw.quit();
    await redis.quit();
  }
  rows.push(['bench process peak RSS', `${peakRssMb()} MB`]);
  console.log(`bench:recommendations on ${machine()} (target: under 5 s over the set)`);
  for (const [what, figure] of rows) console.log(`  ${what.padEnd(100)} ${figure}`);
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
