/**
 * GET /v1/events/schemas is enough for an auditor's tool: with only what it
 * serves (and a JSON Schema validator), every event of an order's stream
 * decodes and validates, data and metadata.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { ApiHarness, startApi } from '../support/api-harness';
import { cartWithOneLine } from '../support/fixtures';

describe('GET /v1/events/schemas', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  it("decodes an order's events with nothing but the served catalog", async () => {
    const { cartId } = await cartWithOneLine(api);
    const order = await api.call('POST', `/v1/carts/${cartId}/purchase`);
    expect(order.status).toBe(201);
    const { body: history } = await api.call('GET', `/v1/orders/${order.body.orderId}/events`);

    const catalog = await api.call('GET', '/v1/events/schemas');
    expect(catalog.status).toBe(200);
    const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
    const metadataValid = ajv.compile(catalog.body.metadata);
    const byType = new Map<string, { version: number; stream: string; versions: Record<string, object> }>(
      catalog.body.events.map((entry: { type: string }) => [entry.type, entry]),
    );
    expect(history.events.map((event: { type: string }) => event.type)).toEqual(['OrderPlaced']);
    for (const event of history.events as Array<{
      type: string;
      data: unknown;
      metadata: { schemaVersion?: number };
    }>) {
      const entry = byType.get(event.type)!;
      expect(entry.stream).toBe('order-{orderId}');
      const validate = ajv.compile(entry.versions[String(event.metadata.schemaVersion ?? 1)]);
      expect({ type: event.type, valid: validate(event.data), errors: validate.errors }).toEqual({
        type: event.type,
        valid: true,
        errors: null,
      });
      expect(metadataValid(event.metadata)).toBe(true);
    }
  });

  it('refuses an event that does not match: the served schema is strict', async () => {
    const catalog = await api.call('GET', '/v1/events/schemas');
    const placed = catalog.body.events.find((entry: { type: string }) => entry.type === 'OrderPlaced');
    const validate = addFormats(new Ajv({ strict: false })).compile(placed.schema);
    expect(validate(placed.example)).toBe(true);
    expect(validate({ ...placed.example, totalUsd: 'a lot' })).toBe(false);
  });
});
