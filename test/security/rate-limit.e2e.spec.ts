/**
 * Rate limiting per API key, counted in Redis: two API replicas share one
 * budget per key, a caller over it gets 429 with Retry-After, other keys and
 * public probes are unaffected.
 */
import { EventStoreConnection } from '@app/eventstore-client';
import { Redis } from 'ioredis';
import { ApiHarness, FABRIKAM_KEY, startApi } from '../support/api-harness';
import { eventually } from '../support/eventually';
import { freePort, RunningProcess, startTsProcess } from '../support/processes';

jest.setTimeout(60_000);

const LIMIT = 5;

describe('rate limiting per API key', () => {
  let first: ApiHarness;
  let second: RunningProcess;
  let secondUrl: string;

  beforeAll(async () => {
    first = await startApi({ THROTTLE_LIMIT: String(LIMIT), THROTTLE_WINDOW_MS: '60000' });
    const port = await freePort();
    second = startTsProcess('apps/api/src/main.ts', {
      EVENTSTORE_URL: first.app.get(EventStoreConnection).connectionString,
      REDIS_KEY_PREFIX: first.app.get(Redis).options.keyPrefix!,
      HTTP_PORT: String(port),
      THROTTLE_LIMIT: String(LIMIT),
      LOG_LEVEL: 'warn',
    });
    secondUrl = `http://127.0.0.1:${port}`;
    await eventually(
      async () => (await fetch(`${secondUrl}/health/live`).catch(() => undefined))?.ok,
      30_000,
      () => second.output(),
    );
  });

  afterAll(async () => {
    await second?.kill('SIGTERM');
    await first?.close();
  });

  it('shares one budget per key across replicas, answers 429 with Retry-After, and leaves other keys and probes alone', async () => {
    const fromSecond = (key: string) => fetch(`${secondUrl}/v1/customers`, { headers: { 'x-api-key': key } });

    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await first.call('GET', '/v1/customers', { consistent: false })).status);
    for (let i = 0; i < 2; i++) answers.push((await fromSecond('demo-key-contoso')).status);
    expect(answers).toEqual([200, 200, 200, 200, 200]);

    const refused = await fromSecond('demo-key-contoso');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: expect.stringContaining(`${LIMIT} requests per 60 s`),
    });
    expect((await first.call('GET', '/v1/customers', { consistent: false })).status).toBe(429);

    expect((await first.call('GET', '/v1/customers', { key: FABRIKAM_KEY, consistent: false })).status).toBe(200);
    expect((await first.call('GET', '/health/live', { key: null })).status).toBe(200);
  });

  it('counts every route against the same budget, and refuses a rate-limited command without writing an event', async () => {
    const before = await first.countEvents();
    const answer = await first.call('POST', '/v1/customers', { body: { name: 'Over the limit' } });
    expect(answer.status).toBe(429);
    expect(await first.countEvents()).toBe(before);
  });
});
