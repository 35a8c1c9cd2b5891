/**
 * The operators' door (/ops/queues, /ops/projections) must keep guessers
 * out without locking the operators out. A browser's first request carries
 * no credentials and is only a challenge; only a wrong credential counts,
 * per client address and username, atomically; a lockout never refuses the
 * right password from another address; and the client's address is the one
 * a trusted proxy reports (TRUST_PROXY), never one any client claims.
 * Real app, real Redis, Debian's Chromium through playwright-core.
 */
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Browser, chromium } from 'playwright-core';
import { ApiHarness, startApi } from '../support/api-harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LIMIT = 10;

jest.setTimeout(120_000);

const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

describe('the operators’ door', () => {
  let api: ApiHarness;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium`);
    // The api behind a proxy on 127.0.0.1: it reports clients in X-Forwarded-For. 127.0.0.2 is a client, not a proxy.
    api = await startApi({ TRUST_PROXY: '127.0.0.1' });
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

  /** A GET of an operator page, from `from` (a loopback address), as the proxy reports `forwardedFor` when it is set. */
  function get(path: string, options: { authorization?: string; from?: string; forwardedFor?: string } = {}) {
    const { port } = new URL(api.url);
    return new Promise<{ status: number; retryAfter?: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path,
          localAddress: options.from ?? '127.0.0.1',
          headers: {
            ...(options.authorization ? { authorization: options.authorization } : {}),
            ...(options.forwardedFor ? { 'x-forwarded-for': options.forwardedFor } : {}),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it('lets an operator load /ops/queues in Chromium 20 times with the right password, each a fresh browser session', async () => {
    const refused: string[] = [];
    for (let load = 1; load <= 20; load++) {
      const context = await browser.newContext({ httpCredentials: { username: 'ops', password: 'ops' } });
      try {
        const page = await context.newPage();
        page.on('response', (response) => {
          // The first request of each load gets the challenge (401); any 429 is a lockout.
          if (response.status() === 429) refused.push(`load ${load}: ${response.url()}`);
        });
        const response = await page.goto(`${api.url}/ops/queues`, { waitUntil: 'load' });
        expect({ load, status: response!.status() }).toEqual({ load, status: 200 });
      } finally {
        await context.close();
      }
    }
    expect(refused).toEqual([]);
    // Nor does an anonymous request count: thirty of them, then the right password.
    for (let i = 0; i < 30; i++)
      expect((await get('/ops/projections', { forwardedFor: '198.51.100.1' })).status).toBe(401);
    expect(
      (await get('/ops/projections', { forwardedFor: '198.51.100.1', authorization: basic('ops', 'ops') })).status,
    ).toBe(200);
  });

  it(`still locks an address out under a username after ${LIMIT} wrong passwords, right password or not, but not the right password from another address`, async () => {
    const guesser = '203.0.113.10';
    for (let i = 0; i < LIMIT; i++) {
      const path = i % 2 === 0 ? '/ops/projections' : '/ops/queues';
      expect({
        i,
        status: (await get(path, { forwardedFor: guesser, authorization: basic('ops', `guess-${i}`) })).status,
      }).toEqual({ i, status: 401 });
    }
    for (const path of ['/ops/projections', '/ops/queues', '/ops/queues/api/queues']) {
      const locked = await get(path, { forwardedFor: guesser, authorization: basic('ops', 'ops') });
      expect({ path, status: locked.status }).toEqual({ path, status: 429 });
      expect(Number(locked.retryAfter)).toBeGreaterThan(14 * 60);
    }
    // The operator, elsewhere, gets in: behind the proxy, and straight from another address.
    expect(
      (await get('/ops/queues', { forwardedFor: '203.0.113.11', authorization: basic('ops', 'ops') })).status,
    ).toBe(200);
    expect((await get('/ops/projections', { from: '127.0.0.3', authorization: basic('ops', 'ops') })).status).toBe(200);
  });

  it(`never lets parallel wrong guesses past the limit: of 40 at once, ${LIMIT} are answered 401 and the rest 429`, async () => {
    const guesser = '203.0.113.20';
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        get(i % 2 === 0 ? '/ops/projections' : '/ops/queues', {
          forwardedFor: guesser,
          authorization: basic('ops', `parallel-${i}`),
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect({ 401: statuses.filter((s) => s === 401).length, 429: statuses.filter((s) => s === 429).length }).toEqual({
      401: LIMIT,
      429: 40 - LIMIT,
    });
    expect((await get('/ops/projections', { forwardedFor: guesser, authorization: basic('ops', 'ops') })).status).toBe(
      429,
    );
  });

  it('believes X-Forwarded-For only from a proxy TRUST_PROXY names: a client cannot spread its guesses over made-up addresses', async () => {
    // 127.0.0.2 is not a trusted proxy: its own address is the client's, whatever it says it forwards.
    for (let i = 0; i < LIMIT; i++) {
      expect(
        (
          await get('/ops/projections', {
            from: '127.0.0.2',
            forwardedFor: `192.0.2.${i}`,
            authorization: basic('ops', `spread-${i}`),
          })
        ).status,
      ).toBe(401);
    }
    expect(
      (
        await get('/ops/projections', {
          from: '127.0.0.2',
          forwardedFor: '192.0.2.200',
          authorization: basic('ops', 'ops'),
        })
      ).status,
    ).toBe(429);
    // The addresses it named were never counted.
    expect(
      (await get('/ops/projections', { forwardedFor: '192.0.2.1', authorization: basic('ops', 'ops') })).status,
    ).toBe(200);
  });
});
