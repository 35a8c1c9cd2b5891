/**
 * One partner filling Redis with Idempotency-Key entries: each partner may
 * hold PARTNER_IDEMPOTENCY_KEYS_BUDGET of them. Past it a command with a new
 * key is 429 IDEMPOTENCY_BUDGET_EXCEEDED with Retry-After, does not run and
 * leaves nothing; a key already kept is replayed; a refused command gives its
 * key back; other partners, and commands without a key, are unaffected.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { scanKeys } from '@app/redis';
import { IdempotencyBudget } from '../../apps/api/src/budgets/idempotency-budget';
import { ApiHarness, FABRIKAM_KEY, startApi } from '../support/api-harness';

jest.setTimeout(60_000);

describe('the idempotency budget of a partner', () => {
  let api: ApiHarness;

  beforeAll(async () => (api = await startApi({ PARTNER_IDEMPOTENCY_KEYS_BUDGET: '3' })));
  afterAll(() => api?.close());

  const register = (key: string, options: { apiKey?: string } = {}) =>
    api.call('POST', '/v1/customers', {
      body: { name: `Keyed ${key}` },
      headers: { 'idempotency-key': key },
      key: options.apiKey,
    });
  const share = async (partner: string) => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    return Number(
      new RegExp(`^partner_budget_used_ratio\\{partner="${partner}",budget="idempotency_keys"\\} (.+)$`, 'm').exec(
        text,
      )?.[1],
    );
  };

  it('refuses a fourth new key: 429 with Retry-After, the command not run and nothing kept; replays and keyless commands still answered', async () => {
    expect((await register('k-1')).status).toBe(201);
    // A refused command gives its key back: it does not count.
    const refused = await api.call('POST', `/v1/customers/${randomUUID()}/subscriptions`, {
      body: { subscriptionId: randomUUID(), name: 'x' },
      headers: { 'idempotency-key': 'k-refused' },
    });
    expect(refused.status).toBe(404);
    expect((await register('k-2')).status).toBe(201);
    expect((await register('k-3')).status).toBe(201);

    const events = await api.countEvents();
    const over = await register('k-4');
    expect({ status: over.status, code: over.body.code }).toEqual({ status: 429, code: 'IDEMPOTENCY_BUDGET_EXCEEDED' });
    expect(await share('partner-contoso')).toBe(1);
    // The oldest entry, k-1's, is kept 24 hours.
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(23 * 3_600);
    expect(Number(over.headers.get('retry-after'))).toBeLessThanOrEqual(24 * 3_600);
    expect(await api.countEvents()).toBe(events);
    expect(await scanKeys(api.app.get(Redis), 'idempotency:partner-contoso:*')).toHaveLength(3);

    const replayed = await register('k-1');
    expect({ status: replayed.status, replayed: replayed.headers.get('idempotent-replayed') }).toEqual({
      status: 201,
      replayed: 'true',
    });
    expect((await api.call('POST', '/v1/customers', { body: { name: 'No key' } })).status).toBe(201);
  });

  it('leaves other partners alone while one is full', async () => {
    expect(await share('partner-contoso')).toBe(1);
    expect((await register('k-4', { apiKey: FABRIKAM_KEY })).status).toBe(201);
    expect(await share('partner-fabrikam')).toBeCloseTo(1 / 3, 6);
  });

  it('counts an entry in flight only while its hold lasts or is renewed, and a kept answer its whole retention', async () => {
    const budget = api.app.get(IdempotencyBudget);
    const partner = `partner-${randomUUID()}`;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // A hold no one renews (its process died) leaves the count with it.
    await budget.admit(partner, 'dead', 200);
    expect(await budget.used(partner)).toEqual({ entries: 1, bytes: 0 });
    await sleep(300);
    expect(await budget.used(partner)).toEqual({ entries: 0, bytes: 0 });
    // A renewed hold stays counted past its first 200 ms; kept, its answer counts; a late renewal does not shorten it.
    await budget.admit(partner, 'long', 200);
    await sleep(150);
    await budget.renew(partner, 'long', 200);
    await sleep(150);
    expect(await budget.used(partner)).toEqual({ entries: 1, bytes: 0 });
    await budget.remember(partner, 'long', 500);
    await budget.renew(partner, 'long', 200);
    await sleep(300);
    expect(await budget.used(partner)).toEqual({ entries: 1, bytes: 500 });
    await budget.forget(partner, 'long');
    expect(await budget.used(partner)).toEqual({ entries: 0, bytes: 0 });
  });
});
