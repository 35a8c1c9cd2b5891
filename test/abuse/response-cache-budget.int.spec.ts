/**
 * One partner filling Redis with the answers kept for replay: each partner
 * may hold PARTNER_CACHED_RESPONSE_BYTES_BUDGET bytes of them. Once at it, a
 * command with a new key is 429 RESPONSE_CACHE_BUDGET_EXCEEDED with
 * Retry-After, does not run and leaves nothing; the answers kept are
 * replayed; other partners are unaffected.
 */
import { Redis } from 'ioredis';
import { scanKeys } from '@app/redis';
import { ApiHarness, FABRIKAM_KEY, startApi } from '../support/api-harness';

jest.setTimeout(60_000);

const BUDGET = 2_048;

describe('the budget of stored answers of a partner', () => {
  let api: ApiHarness;

  beforeAll(async () => (api = await startApi({ PARTNER_CACHED_RESPONSE_BYTES_BUDGET: String(BUDGET) })));
  afterAll(() => api?.close());

  const register = (key: string, apiKey?: string) =>
    api.call('POST', '/v1/customers', {
      body: { name: `Keyed ${key}` },
      headers: { 'idempotency-key': key },
      key: apiKey,
    });
  const share = async (partner: string) => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    return Number(
      new RegExp(`^partner_budget_used_ratio\\{partner="${partner}",budget="cached_response_bytes"\\} (.+)$`, 'm').exec(
        text,
      )?.[1],
    );
  };
  /** The bytes of the partner's entries as Redis holds them. */
  const held = async (partner: string) => {
    const redis = api.app.get(Redis);
    const lengths = await Promise.all(
      (await scanKeys(redis, `idempotency:${partner}:*`)).map((key) => redis.strlen(key)),
    );
    return { entries: lengths.length, bytes: lengths.reduce((a, b) => a + b, 0) };
  };

  it('counts the bytes of every answer kept, and refuses a new key once they reach the budget: 429, not run, nothing kept', async () => {
    let kept = 0;
    for (; kept < 20; kept++) {
      const answer = await register(`k-${kept}`);
      if (answer.status === 429) {
        expect(answer.body.code).toBe('RESPONSE_CACHE_BUDGET_EXCEEDED');
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(23 * 3_600);
        break;
      }
      expect(answer.status).toBe(201);
    }
    expect(kept).toBeGreaterThan(1);
    expect(kept).toBeLessThan(20);
    const stored = await held('partner-contoso');
    // The counted bytes are Redis's: the budget was passed by the last answer kept, and the refused command kept nothing.
    expect(stored.entries).toBe(kept);
    expect(stored.bytes).toBeGreaterThanOrEqual(BUDGET);
    expect(await share('partner-contoso')).toBeCloseTo(stored.bytes / BUDGET, 6);

    const events = await api.countEvents();
    expect((await register('another')).status).toBe(429);
    expect(await api.countEvents()).toBe(events);
    const replayed = await register('k-0');
    expect({ status: replayed.status, replayed: replayed.headers.get('idempotent-replayed') }).toEqual({
      status: 201,
      replayed: 'true',
    });
  });

  it('leaves other partners alone while one is full', async () => {
    expect(await share('partner-contoso')).toBeGreaterThanOrEqual(1);
    expect((await register('k-0', FABRIKAM_KEY)).status).toBe(201);
    expect(await share('partner-fabrikam')).toBeLessThan(1);
  });
});
