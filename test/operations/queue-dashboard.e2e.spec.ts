/**
 * The queue dashboard in a real browser: Debian's Chromium, driven by
 * playwright-core, against the real API. Operators with credentials see the
 * fulfilment queue; without them the dashboard is refused.
 */
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { Browser, chromium } from 'playwright-core';
import { ApiHarness, startApi } from '../support/api-harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
jest.setTimeout(60_000);

describe('queue dashboard in a browser', () => {
  let api: ApiHarness;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (.ci/run does)`);
    api = await startApi();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('shows the fulfilment queue to an operator with credentials', async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'ops', password: 'ops' } });
    try {
      const page = await context.newPage();
      const response = await page.goto(`${api.url}/ops/queues`);
      expect(response!.status()).toBe(200);
      await page.getByText('fulfilment', { exact: true }).first().waitFor({ timeout: 20_000 });
      expect(await page.title()).toBe('Reservation orders');
      await expect(page.getByText('fulfilment-dead-letter').first().isVisible()).resolves.toBe(true);
    } finally {
      await context.close();
    }
  });

  it('refuses the dashboard without credentials, and with wrong ones', async () => {
    for (const httpCredentials of [undefined, { username: 'ops', password: 'wrong' }]) {
      const context = await browser.newContext({ httpCredentials });
      try {
        // The server answers 401 with a Basic challenge. Headless Chromium either shows
        // that answer or, unable to answer the challenge, abandons the navigation.
        const page = await context.newPage();
        const outcome = await page.goto(`${api.url}/ops/queues`).then(
          (response) => response!.status(),
          (error: Error) => error.message,
        );
        if (typeof outcome === 'number') expect(outcome).toBe(401);
        else expect(outcome).toMatch(/ERR_INVALID_AUTH_CREDENTIALS/);
        expect(await page.getByText('fulfilment', { exact: true }).count()).toBe(0);
        const answer = await context.request.get(`${api.url}/ops/queues`);
        expect(answer.status()).toBe(401);
        expect(answer.headers()['www-authenticate']).toBe('Basic realm="ops"');
        expect(await answer.text()).toContain('operator credentials are required');
      } finally {
        await context.close();
      }
    }
  });

  it('guards every path of the board, its API and assets too, however the path is spelled', async () => {
    // Failed logins are counted per address (10 allowed): start this test from none.
    const redis = api.app.get(Redis);
    await redis.del(
      ...(await redis.keys(`${redis.options.keyPrefix}ops-auth-failures:*`)).map((key) =>
        key.slice(redis.options.keyPrefix!.length),
      ),
      'none',
    );
    const basic = { authorization: `Basic ${Buffer.from('ops:ops').toString('base64')}` };
    for (const path of [
      '/ops/queues/',
      '/ops/queues/api/queues',
      '/ops/%71ueues/api/queues',
      '/ops/queues/api/queues?activeQueue=fulfilment',
    ]) {
      expect({ path, status: (await fetch(`${api.url}${path}`)).status }).toEqual({ path, status: 401 });
    }
    // A partner's key is not an operator's password.
    expect(
      (await fetch(`${api.url}/ops/queues/api/queues`, { headers: { 'x-api-key': 'demo-key-contoso' } })).status,
    ).toBe(401);
    const queues = await fetch(`${api.url}/ops/queues/api/queues`, { headers: basic });
    expect(queues.status).toBe(200);
    expect(JSON.stringify(await queues.json())).toContain('fulfilment');
  });
});
