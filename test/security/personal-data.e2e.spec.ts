/**
 * Personal data is kept out of events: a customer's contact person lives in
 * the contact directory (PostgreSQL), the event store only records that it
 * changed or was erased, and erasure leaves no copy anywhere we write.
 */
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Client } from 'pg';
import { ApiHarness, FABRIKAM_KEY, startApi } from '../support/api-harness';

describe('personal data', () => {
  let api: ApiHarness;
  beforeAll(async () => (api = await startApi()));
  afterAll(() => api.close());

  /** Every event's data and metadata, as the text an auditor or a backup would hold. */
  const everythingStored = async () => {
    const lines: string[] = [];
    for await (const { event } of api.app.get(EventStoreDBClient).readAll())
      lines.push(`${event!.type} ${JSON.stringify(event!.data)} ${JSON.stringify(event!.metadata)}`);
    return lines.join('\n');
  };

  it('stores the contact outside the event store, and erases it on request', async () => {
    const customerId = (await api.call('POST', '/v1/customers', { body: { name: 'Contoso Retail Ltd' } })).body
      .customerId;
    const contact = {
      name: `Jane Doe ${randomUUID()}`,
      email: `jane.${randomUUID()}@contoso.example`,
      phone: '+44 20 7946 0000',
    };

    const recorded = await api.call('PUT', `/v1/customers/${customerId}/contact`, { body: contact });
    expect(recorded.status).toBe(200);
    expect((await api.call('GET', `/v1/customers/${customerId}/contact`)).body).toMatchObject({
      customerId,
      ...contact,
    });

    let stored = await everythingStored();
    expect(stored).toContain('CustomerContactRecorded');
    for (const value of Object.values(contact)) expect(stored).not.toContain(value);

    // Another partner sees nothing and can erase nothing.
    for (const [method, path] of [
      ['GET', 'contact'],
      ['PUT', 'contact'],
      ['DELETE', 'personal-data'],
    ] as const) {
      const answer = await api.call(method, `/v1/customers/${customerId}/${path}`, {
        key: FABRIKAM_KEY,
        body: method === 'PUT' ? contact : undefined,
      });
      expect({ path, status: answer.status, code: answer.body.code }).toEqual({
        path,
        status: 404,
        code: 'CUSTOMER_NOT_FOUND',
      });
    }

    expect((await api.call('DELETE', `/v1/customers/${customerId}/personal-data`)).status).toBe(204);
    const gone = await api.call('GET', `/v1/customers/${customerId}/contact`);
    expect({ status: gone.status, code: gone.body.code }).toEqual({ status: 404, code: 'CONTACT_NOT_FOUND' });

    const postgres = new Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
    await postgres.connect();
    try {
      // The customer's row stays, marked erased and holding no personal field, so that no contact is written after.
      const { rows } = await postgres.query('SELECT * FROM customer_contacts WHERE customer_id = $1 OR email = $2', [
        customerId,
        contact.email,
      ]);
      expect(rows).toEqual([
        expect.objectContaining({
          customer_id: customerId,
          name: null,
          email: null,
          phone: null,
          erased_at: expect.any(Date),
        }),
      ]);
    } finally {
      await postgres.end();
    }
    stored = await everythingStored();
    expect(stored).toContain('CustomerPersonalDataErased');
    for (const value of Object.values(contact)) expect(stored).not.toContain(value);
    // The customer itself, a business, is still there for its orders and audit trail.
    expect((await api.call('GET', `/v1/customers/${customerId}`)).status).toBe(200);
  });

  it('refuses a malformed contact field by field, writing nothing', async () => {
    const customerId = (await api.call('POST', '/v1/customers', { body: { name: 'Fabrikam Ltd' } })).body.customerId;
    const before = await api.countEvents();
    const answer = await api.call('PUT', `/v1/customers/${customerId}/contact`, {
      body: { name: '', email: 'not-an-email', phone: 'call me' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'name', 'phone']);
    expect(await api.countEvents()).toBe(before);
  });
});
