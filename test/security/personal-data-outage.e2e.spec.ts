/**
 * With PostgreSQL unreachable, the contact routes answer 503 and write no
 * event, and everything else keeps working.
 */
import { ApiHarness, startApi } from '../support/api-harness';

describe('personal data while PostgreSQL is down', () => {
  let api: ApiHarness;
  // Port 1 on loopback: nothing listens there.
  beforeAll(async () => (api = await startApi({ PERSONAL_DATA_URL: 'postgresql://postgres@127.0.0.1:1/postgres' })));
  afterAll(() => api.close());

  it('answers 503 with Retry-After on the contact routes, writes nothing, and serves the rest', async () => {
    const customer = await api.call('POST', '/v1/customers', { body: { name: 'Offline Ltd' } });
    expect(customer.status).toBe(201);
    const before = await api.countEvents();
    const answer = await api.call('PUT', `/v1/customers/${customer.body.customerId}/contact`, {
      body: { name: 'Jane Doe', email: 'jane@offline.example' },
    });
    expect({ status: answer.status, code: answer.body.code, retryAfter: answer.headers.get('retry-after') }).toEqual({
      status: 503,
      code: 'DEPENDENCY_UNAVAILABLE',
      retryAfter: '1',
    });
    expect((await api.call('DELETE', `/v1/customers/${customer.body.customerId}/personal-data`)).status).toBe(503);
    expect(await api.countEvents()).toBe(before);
    expect((await api.call('GET', `/v1/customers/${customer.body.customerId}`)).status).toBe(200);
  });
});
