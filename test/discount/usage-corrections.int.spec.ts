/**
 * Corrections on the real Redis: a record sent again under its id replaces
 * the one stored, wherever it was. Moved to another hour, it leaves the old
 * one (which is returned, to be computed again); it never counts twice, even
 * when two corrections race; and it keeps its customer.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { UsageRecord } from '@app/domain';
import { UsageStore } from '@app/discount';
import { scanKeys } from '@app/redis';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** An hour `hours` after midnight UTC two days ago. */
const at = (hours: number) => new Date(Math.floor(Date.now() / DAY) * DAY - 2 * DAY + hours * HOUR).toISOString();

describe('usage corrections', () => {
  const redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: `test:${randomUUID()}:` });
  const store = new UsageStore(redis, { get: () => 30 } as unknown as ConstructorParameters<typeof UsageStore>[1]);
  const record = (overrides: Partial<UsageRecord> = {}): UsageRecord => ({
    recordId: 'u-1',
    customerId: randomUUID(),
    subscriptionId: 's-1',
    resourceId: 'vm-1',
    region: 'westeurope',
    vmSize: 'Standard_D2s_v5',
    hour: at(10),
    quantity: 1,
    payAsYouGoRateUsd: 0.1,
    ...overrides,
  });
  /** Every copy of the customer's records in the day, as [hour, recordId, quantity]. */
  const copies = async (customerId: string) => {
    const byHour = await store.load({ customerId, fromHour: at(0), toHour: at(23) });
    return [...byHour].flatMap(([hour, records]) => records.map((r) => [hour, r.recordId, r.quantity]));
  };

  afterAll(async () => {
    for (const key of await scanKeys(redis, '*')) await redis.unlink(key);
    await redis.quit();
  });

  it('moves a record corrected to another hour out of the hour it left, and returns that hour to be computed again', async () => {
    const first = record();
    expect(await store.save([first])).toEqual([{ customerId: first.customerId, fromHour: at(10), toHour: at(10), usageVersion: 1 }]);
    const ranges = await store.save([{ ...first, hour: at(11) }]);
    expect(await copies(first.customerId)).toEqual([[at(11), 'u-1', 1]]);
    // 10:00 stays listed, now empty: its job writes the hour without the record.
    expect((await store.load({ customerId: first.customerId, fromHour: at(10), toHour: at(10) })).get(at(10))).toEqual([]);
    expect(ranges).toEqual([
      { customerId: first.customerId, fromHour: at(11), toHour: at(11), usageVersion: 2 },
      { customerId: first.customerId, fromHour: at(10), toHour: at(10), usageVersion: 2 },
    ]);
    // Sent again where it is: nothing moves, one range.
    expect(await store.save([{ ...first, hour: at(11), quantity: 0.5 }])).toHaveLength(1);
    expect(await copies(first.customerId)).toEqual([[at(11), 'u-1', 0.5]]);
  });

  it('moves the usage version on with every change, back to earlier values included, and not for a batch sent again', async () => {
    const first = record();
    const versionOf = async (batch: UsageRecord[]) => (await store.save(batch))[0].usageVersion;
    expect(await versionOf([first])).toBe(1);
    expect(await versionOf([first])).toBe(1); // the same batch again: nothing changed
    expect(await versionOf([{ ...first, quantity: 0.5 }])).toBe(2);
    expect(await versionOf([first])).toBe(3); // back to the first values: a change all the same
  });

  it('keeps one copy when corrections race, or a batch sends the record twice', async () => {
    const first = record();
    await store.save([first]);
    await Promise.all([12, 13, 14].map((hour) => store.save([{ ...first, hour: at(hour) }])));
    expect(await copies(first.customerId)).toHaveLength(1);

    await store.save([
      { ...first, hour: at(15), quantity: 0.25 },
      { ...first, hour: at(16), quantity: 0.75 },
    ]);
    expect(await copies(first.customerId)).toEqual([[at(16), 'u-1', 0.75]]);
  });

  it('keeps a record of one customer apart from the same id under another: a record is its customer’s', async () => {
    const first = record();
    const other = randomUUID();
    await store.save([first]);
    await store.save([record({ customerId: other, hour: at(11) })]);
    expect(await copies(first.customerId)).toEqual([[at(10), 'u-1', 1]]);
    expect(await copies(other)).toEqual([[at(11), 'u-1', 1]]);
  });

  it('keeps where each record is no longer than its hour: the index forgets records older than the retention', async () => {
    const old = record({ recordId: 'old', hour: new Date(Math.floor((Date.now() - 31 * DAY) / HOUR) * HOUR).toISOString() });
    const recent = record({ customerId: old.customerId, recordId: 'recent' });
    await store.save([old, recent]);
    expect(await redis.zrange(`usage-records:{${old.customerId}}`, '0', '-1')).toEqual(['recent']);
    expect(await redis.pttl(`usage-records:{${old.customerId}}`)).toBeGreaterThan(27 * DAY);
  });
});
