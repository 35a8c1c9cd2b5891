/**
 * Corrections on the real Redis: a record sent again under its id replaces
 * the one stored, wherever it was. Moved to another hour, it leaves the old
 * one (which is returned, to be computed again); it never counts twice, even
 * when two corrections race; and it keeps its customer.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { FixedClock } from '@app/clock';
import { summarizeUsage, UsageRecord } from '@app/domain';
import { hourSetOf, UsageStore } from '@app/discount';
import { scanKeys } from '@app/redis';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.parse('2027-03-10T10:30:00.000Z');
/** An hour `hours` after midnight UTC two days ago. */
const at = (hours: number) => new Date(Math.floor(NOW / DAY) * DAY - 2 * DAY + hours * HOUR).toISOString();
const hoursOf = (...hours: number[]) => hourSetOf(hours.map((h) => Date.parse(at(h))));

describe('usage corrections', () => {
  const redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: `test:${randomUUID()}:` });
  const store = new UsageStore(
    redis,
    { get: () => 30 } as unknown as ConstructorParameters<typeof UsageStore>[1],
    new FixedClock(new Date(NOW).toISOString()),
  );
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
    expect((await store.save([first])).ranges).toEqual([
      { customerId: first.customerId, fromHour: at(10), toHour: at(10), hours: hoursOf(10), usageVersion: 1 },
    ]);
    const { ranges } = await store.save([{ ...first, hour: at(11) }]);
    expect(await copies(first.customerId)).toEqual([[at(11), 'u-1', 1]]);
    // 10:00 stays listed, now empty: its job writes the hour without the record.
    expect((await store.load({ customerId: first.customerId, fromHour: at(10), toHour: at(10) })).get(at(10))).toEqual(
      [],
    );
    expect(ranges).toEqual([
      { customerId: first.customerId, fromHour: at(11), toHour: at(11), hours: hoursOf(11), usageVersion: 2 },
      { customerId: first.customerId, fromHour: at(10), toHour: at(10), hours: hoursOf(10), usageVersion: 2 },
    ]);
    // Sent again where it is: nothing moves, one range.
    expect((await store.save([{ ...first, hour: at(11), quantity: 0.5 }])).ranges).toHaveLength(1);
    expect(await copies(first.customerId)).toEqual([[at(11), 'u-1', 0.5]]);
  });

  it('moves the usage version on with every change, back to earlier values included, and not for a batch sent again', async () => {
    const first = record();
    const versionOf = async (batch: UsageRecord[]) => (await store.save(batch)).ranges[0].usageVersion;
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
    const old = record({ recordId: 'old', hour: new Date(Math.floor((NOW - 31 * DAY) / HOUR) * HOUR).toISOString() });
    const recent = record({ customerId: old.customerId, recordId: 'recent' });
    await store.save([old, recent]);
    expect(await redis.zrange(`usage-records:{${old.customerId}}`, '0', '-1')).toEqual(['recent']);
    expect(await redis.pttl(`usage-records:{${old.customerId}}`)).toBeGreaterThan(27 * DAY);
  });

  it('returns a batch’s own hours, and each hour a correction left between them as its own', async () => {
    const first = record({ hour: at(12) });
    await store.save([first]);
    const { ranges } = await store.save([
      record({ customerId: first.customerId, recordId: 'u-2', hour: at(10) }),
      { ...first, hour: at(14) },
    ]);
    expect(ranges).toEqual([
      { customerId: first.customerId, fromHour: at(10), toHour: at(14), hours: hoursOf(10, 14), usageVersion: 2 },
      { customerId: first.customerId, fromHour: at(12), toHour: at(12), hours: hoursOf(12), usageVersion: 2 },
    ]);
  });

  it('counts what each save added per day: a record sent again adds nothing, one moved to another day is -1 and +1', async () => {
    const first = record();
    const day = (hours: number) => Math.floor(Date.parse(at(hours)) / DAY) * DAY;
    expect(
      await store.newRecordsByDay([first, record({ customerId: first.customerId, recordId: 'u-2', hour: at(30) })]),
    ).toEqual(
      new Map([
        [day(10), 1],
        [day(30), 1],
      ]),
    );
    expect((await store.save([first])).addedByDay).toEqual(new Map([[day(10), 1]]));
    expect(await store.newRecordsByDay([first])).toEqual(new Map());
    expect((await store.save([{ ...first, quantity: 0.5 }])).addedByDay).toEqual(new Map());
    expect((await store.save([{ ...first, hour: at(30) }])).addedByDay).toEqual(
      new Map([
        [day(10), -1],
        [day(30), 1],
      ]),
    );
  });

  it('keeps the daily summary as the records stored: corrections, moves and records sent twice counted once', async () => {
    const customerId = randomUUID();
    const vm = (recordId: string, overrides: Partial<UsageRecord> = {}) =>
      record({ customerId, recordId, ...overrides });
    await store.save([
      vm('a'),
      vm('b', {
        resourceId: '/subscriptions/s-1/resourceGroups/RG-Web/providers/Microsoft.Compute/virtualMachines/b',
        quantity: 0.5,
      }),
      vm('c', { resourceGroup: 'rg-web', quantity: 0.25 }),
      vm('d', { spot: true }),
      vm('e', { hour: at(30), payAsYouGoRateUsd: 0.2 }),
    ]);
    await store.save([
      vm('a', { quantity: 0.75 }),
      vm('c', { resourceGroup: 'RG-Web', quantity: 0.25, hour: at(11) }),
      vm('e', { hour: at(11), payAsYouGoRateUsd: 0.2 }),
      vm('f', { region: 'West Europe' }),
    ]);
    await store.save([vm('f', { region: 'West Europe' }), vm('b', { resourceId: 'vm-b', quantity: 0.5 })]);
    const stored = [...(await store.load({ customerId, fromHour: at(0), toHour: at(47) })).values()].flat();
    const byKey = (rows: Array<{ hour: string; subscriptionId: string; resourceGroup: string; region: string }>) =>
      [...rows].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    expect(byKey(await store.summaryOf(customerId, at(0), 2))).toEqual(byKey(summarizeUsage(stored)));
    // 10:00: a and b in no group, f in West Europe; 11:00: c in rg-web, e at its rate. The day e left holds nothing.
    expect(summarizeUsage(stored)).toHaveLength(4);
  });
});
