/**
 * Usage retention on the real Redis: each ingested hour expires
 * USAGE_RETENTION_DAYS after the hour it records, counted on the Clock, and
 * older hours leave the customer's index, so usage cannot grow without bound
 * under noeviction.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { FixedClock } from '@app/clock';
import { UsageRecord } from '@app/domain';
import { UsageStore } from '@app/discount';

const DAY = 86_400_000;
const NOW = '2027-03-10T10:30:00.000Z';
const hourAgo = (days: number) =>
  new Date(Math.floor((Date.parse(NOW) - days * DAY) / 3_600_000) * 3_600_000).toISOString();

describe('usage retention', () => {
  const prefix = `test:${randomUUID()}:`;
  const redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: prefix });
  const store = new UsageStore(
    redis,
    { get: () => 30 } as unknown as ConstructorParameters<typeof UsageStore>[1],
    new FixedClock(NOW),
  );
  const record = (hour: string, overrides: Partial<UsageRecord> = {}): UsageRecord => ({
    recordId: randomUUID(),
    customerId: 'c-1',
    subscriptionId: 's-1',
    resourceId: 'vm-1',
    region: 'westeurope',
    vmSize: 'Standard_D2s_v5',
    hour,
    quantity: 1,
    payAsYouGoRateUsd: 0.1,
    ...overrides,
  });

  afterAll(async () => {
    const plain = new Redis('redis://127.0.0.1:6379');
    const keys = await plain.keys(`${prefix}*`);
    if (keys.length) await plain.del(...keys);
    await plain.quit();
    await redis.quit();
  });

  it('expires an hour 30 days after it on the Clock, and keeps no hour older than that', async () => {
    const recent = hourAgo(1);
    const old = hourAgo(31);
    await store.save([record(recent), record(old)]);
    const recentMs = Date.parse(recent);
    const ttl = await redis.pttl(`usage:{c-1}:${recentMs}`);
    expect(ttl).toBeGreaterThan(28 * DAY);
    expect(ttl).toBeLessThanOrEqual(29 * DAY + 3_600_000);
    expect(await redis.exists(`usage:{c-1}:${Date.parse(old)}`)).toBe(0);
    const loaded = await store.load({ customerId: 'c-1', fromHour: old, toHour: recent });
    expect([...loaded.keys()]).toEqual([recent]);
    expect(await redis.pttl('usage-hours:{c-1}')).toBeGreaterThan(28 * DAY);
    // The day's summary leaves with the day's last hour, the old day's at once.
    const day = Math.floor(recentMs / DAY) * DAY;
    expect(
      Math.abs((await redis.pttl(`usage-daily:{c-1}:${day}`)) - (day + DAY + 30 * DAY - Date.parse(NOW))),
    ).toBeLessThan(60_000);
    expect(await redis.exists(`usage-daily:{c-1}:${Math.floor(Date.parse(old) / DAY) * DAY}`)).toBe(0);
  });

  it('takes a correction: the same record id with other values replaces the record', async () => {
    const hour = hourAgo(2);
    const first = record(hour, { customerId: 'c-2' });
    await store.save([first]);
    await store.save([{ ...first, quantity: 0.5 }]);
    const [stored] = (await store.load({ customerId: 'c-2', fromHour: hour, toHour: hour })).get(hour)!;
    expect(stored.quantity).toBe(0.5);
  });
});
