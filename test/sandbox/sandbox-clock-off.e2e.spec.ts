/** Where the sandbox clock is off (every deployment but an integration environment's), its routes are not there. */
import { ApiHarness, startApi } from '../support/api-harness';

describe('without the sandbox clock', () => {
  let api: ApiHarness;
  beforeAll(async () => (api = await startApi()));
  afterAll(async () => api?.close());

  it('answers 404 SANDBOX_CLOCK_OFF on both routes', async () => {
    for (const [method, body] of [['GET'], ['PUT', { now: '2030-01-01T00:00:00Z' }]] as const) {
      const answer = await api.call(method, '/v1/sandbox/clock', { body });
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('SANDBOX_CLOCK_OFF');
    }
  });
});
