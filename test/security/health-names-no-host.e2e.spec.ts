/**
 * /health is public: when a dependency is down it says which, never where.
 * A driver's error names the host and port it tried; those go to the log.
 */
import { ApiHarness, startApi } from '../support/api-harness';

jest.setTimeout(60_000);

describe('/health names no host', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    // A store that cannot be reached, under a name that must not leak.
    api = await startApi({
      EVENTSTORE_URL: 'esdb://esdb-internal-7f3a.invalid:2113?tls=false',
      RUN_PROJECTIONS: 'false',
    });
  });
  afterAll(() => api.close());

  it('says the event store is not answering, and nothing about where it is', async () => {
    const answer = await fetch(`${api.url}/health`);
    const text = await answer.text();
    expect(answer.status).toBe(503);
    expect(JSON.parse(text)).toMatchObject({ error: { eventstore: { status: 'down', message: 'not answering' } } });
    expect(text).not.toMatch(/esdb-internal|\.invalid|2113|ENOTFOUND|127\.0\.0\.1/);
  });
});
