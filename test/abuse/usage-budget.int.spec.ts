/**
 * One partner filling Redis with usage: each partner may keep
 * PARTNER_USAGE_RECORDS_BUDGET records stored, across its customers. Past
 * it a batch is 429 USAGE_BUDGET_EXCEEDED with Retry-After and stores
 * nothing; at it, the API refuses before reading the body; other partners
 * are unaffected; /metrics shows each partner's share.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { scanKeys } from '@app/redis';
import { ApiHarness, FABRIKAM_KEY, startApi } from '../support/api-harness';

jest.setTimeout(120_000);

const NOW = '2027-03-10T10:30:00.000Z';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RETENTION_DAYS = 30;
const BUDGET = 10_000;
const hourFromNow = (hours: number) => new Date(Math.floor(Date.parse(NOW) / HOUR) * HOUR + hours * HOUR).toISOString();

describe('the usage budget of a partner', () => {
  let api: ApiHarness;
  let redis: Redis;

  beforeAll(async () => {
    api = await startApi({
      SANDBOX_CLOCK: 'true',
      SANDBOX_CLOCK_START: NOW,
      USAGE_RETENTION_DAYS: String(RETENTION_DAYS),
      PARTNER_USAGE_RECORDS_BUDGET: String(BUDGET),
    });
    redis = api.app.get(Redis);
  });
  afterAll(() => api?.close());

  async function customer(key?: string) {
    const customerId = (await api.call('POST', '/v1/customers', { body: { name: 'Usage Co' }, key })).body
      .customerId as string;
    const subscriptionId = randomUUID();
    await api.call('POST', `/v1/customers/${customerId}/subscriptions`, {
      body: { subscriptionId, name: 'Main' },
      key,
    });
    const record = (hour: string, vm: string, quantity = 1) => ({
      recordId: `${vm}/${hour}`,
      customerId,
      subscriptionId,
      resourceId: vm,
      region: 'eastus',
      vmSize: 'Standard_D2s_v5',
      hour,
      quantity,
      payAsYouGoRateUsd: 0.096,
    });
    return { customerId, record };
  }
  const share = async (partner: string) => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    return Number(
      new RegExp(`^partner_budget_used_ratio\\{partner="${partner}",budget="usage_records"\\} (.+)$`, 'm').exec(
        text,
      )?.[1],
    );
  };
  const hourStored = async (customerId: string, hour: string) =>
    (await redis.exists(`usage:{${customerId}}:${Date.parse(hour)}`)) === 1;

  it('refuses a batch that would pass the budget, whole, with Retry-After until its oldest day leaves; takes records sent again; refuses before the body when full', async () => {
    const contoso = await customer();
    // 9,990 records two days ago: 999 VMs over 10 hours.
    const first = Array.from({ length: 10 }, (_, h) =>
      Array.from({ length: 999 }, (_, v) => contoso.record(hourFromNow(-48 + h), `vm-${v}`)),
    ).flat();
    expect((await api.call('POST', '/v1/usage', { body: { records: first } })).status).toBe(202);

    const newer = Array.from({ length: 20 }, (_, v) => contoso.record(hourFromNow(-1), `new-${v}`));
    const refused = await api.call('POST', '/v1/usage', { body: { records: newer } });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 429, code: 'USAGE_BUDGET_EXCEEDED' });
    expect(refused.body.message).toMatch(/stores 9990 of its 10000 usage records; this batch adds 20/);
    // The records of two days ago leave the budget with their day, 30 days after its end.
    const day = Math.floor(Date.parse(hourFromNow(-48)) / DAY) * DAY;
    expect(Number(refused.headers.get('retry-after'))).toBe(
      Math.ceil((day + DAY + RETENTION_DAYS * DAY - Date.parse(NOW)) / 1000),
    );
    expect(await hourStored(contoso.customerId, hourFromNow(-1))).toBe(false);
    expect(await share('partner-contoso')).toBeCloseTo(0.999, 6);

    // Corrections of stored records add nothing: with 10 new ones the batch fits exactly.
    const corrected = [...first.slice(0, 10).map((record) => ({ ...record, quantity: 0.5 })), ...newer.slice(0, 10)];
    expect((await api.call('POST', '/v1/usage', { body: { records: corrected } })).status).toBe(202);
    expect(await share('partner-contoso')).toBe(1);

    // Full: refused before the body is read (this one is not even JSON), and for any of the partner's customers.
    const unread = await api.call('POST', '/v1/usage', { body: '{"records": [' });
    expect({ status: unread.status, code: unread.body.code }).toEqual({ status: 429, code: 'USAGE_BUDGET_EXCEEDED' });
    expect(Number(unread.headers.get('retry-after'))).toBeGreaterThan(0);
    const another = await customer();
    expect(
      (await api.call('POST', '/v1/usage', { body: { records: [another.record(hourFromNow(-1), 'vm-1')] } })).status,
    ).toBe(429);
    expect(await scanKeys(redis, `usage*{${another.customerId}}*`)).toEqual([]);
  });

  it('leaves other partners alone while one is full', async () => {
    expect(await share('partner-contoso')).toBe(1);
    const fabrikam = await customer(FABRIKAM_KEY);
    const records = Array.from({ length: 100 }, (_, v) => fabrikam.record(hourFromNow(-2), `vm-${v}`));
    expect((await api.call('POST', '/v1/usage', { body: { records }, key: FABRIKAM_KEY })).status).toBe(202);
    expect(await share('partner-fabrikam')).toBeCloseTo(0.01, 6);
    expect(await hourStored(fabrikam.customerId, hourFromNow(-2))).toBe(true);
  });
});
