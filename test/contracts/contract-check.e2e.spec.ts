/**
 * The harness checks every answer against the OpenAPI document. This shows
 * the check is real: answers that drift from the document, in the body or a
 * header, are named; answers that match pass.
 */
import { randomUUID } from 'node:crypto';
import { ApiHarness, startApi } from '../support/api-harness';

describe('contract check of every answer', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  const headers = (values: Record<string, string>) =>
    new Headers({ 'content-type': 'application/json; charset=utf-8', ...values });

  it('passes real answers, success and refusal alike', async () => {
    const customer = await api.call('POST', '/v1/customers', { body: { name: 'Contract Ltd' } });
    expect(customer.status).toBe(201);
    expect(customer.headers.get('etag')).toMatch(/^"\d+"$/);
    const missing = await api.call('GET', `/v1/customers/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('CUSTOMER_NOT_FOUND');
  });

  it('names a body that does not match its schema', () => {
    const violations = api.contract.violations('POST', '/v1/customers', 201, headers({}), {
      customerId: 'c',
      name: 42,
    });
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringContaining("must have required property 'partnerId'"),
        expect.stringContaining('body/name must be string'),
      ]),
    );
  });

  it('names an error code the route does not document, and a status it does not give', () => {
    const body = { statusCode: 404, error: 'Not Found', code: 'CART_NOT_FOUND', message: 'no' };
    expect(api.contract.violations('GET', `/v1/customers/${randomUUID()}`, 404, headers({}), body)).toEqual([
      expect.stringContaining('body/code must be equal to one of the allowed values'),
    ]);
    expect(api.contract.violations('GET', '/v1/catalog', 418, headers({}), body)).toEqual([
      expect.stringContaining('does not document status 418'),
    ]);
  });

  it('names a header out of its schema, and a contract header the status does not document', () => {
    const customer = {
      customerId: randomUUID(),
      partnerId: 'contoso',
      name: 'A',
      subscriptions: [],
      managementGroups: [],
      revision: '0',
    };
    expect(api.contract.violations('POST', '/v1/customers', 201, headers({ etag: 'W/abc' }), customer)).toEqual([
      expect.stringContaining('header etag: "W/abc" must match pattern'),
    ]);
    expect(
      api.contract.violations('GET', '/v1/catalog', 200, headers({ 'x-position': '12' }), {
        items: [],
        total: 0,
        offset: 0,
        limit: 50,
      }),
    ).toEqual([expect.stringContaining('header x-position is not documented for 200')]);
  });

  it('leaves routes outside the document alone', () => {
    expect(api.contract.violations('GET', '/ops/queues', 200, headers({}), '<html>')).toEqual([]);
  });
});
