/**
 * One id follows a request: the caller's X-Correlation-Id when it sent a
 * usable one, a new one otherwise. The answer carries it back, and the
 * events the request wrote name it in their metadata, so an auditor can go
 * from a client's log line to the events.
 */
import { randomUUID } from 'node:crypto';
import { ApiHarness, startApi } from '../support/api-harness';
import { cartWithOneLine } from '../support/fixtures';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('correlation id', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  it("answers with the caller's X-Correlation-Id and records it on the events the request wrote", async () => {
    const { cartId } = await cartWithOneLine(api);
    const correlationId = `client-${randomUUID()}`;
    const order = await api.call('POST', `/v1/carts/${cartId}/purchase`, {
      headers: { 'x-correlation-id': correlationId },
    });
    expect(order.status).toBe(201);
    expect(order.headers.get('x-correlation-id')).toBe(correlationId);
    const history = await api.call('GET', `/v1/orders/${order.body.orderId}/events`);
    expect(
      history.body.events.map((event: { metadata: { correlationId: string } }) => event.metadata.correlationId),
    ).toEqual([correlationId]);
  });

  it('gives a request without one, or with one it cannot use, an id of its own', async () => {
    for (const sent of [undefined, 'has spaces in it', 'x'.repeat(201)]) {
      const answer = await api.call('GET', '/v1/catalog?limit=1', {
        headers: sent === undefined ? {} : { 'x-correlation-id': sent },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-correlation-id')).toMatch(UUID);
    }
  });

  it('names refusals too, even those made before the body is read', async () => {
    const refused = await api.call('POST', '/v1/customers', {
      body: { name: 'No key' },
      key: null,
      headers: { 'x-correlation-id': 'refused-1' },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-correlation-id')).toBe('refused-1');
  });
});
