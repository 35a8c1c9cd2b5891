/**
 * An erasure must hold against a contact written at the same moment: once
 * `DELETE …/personal-data` has answered, no contact is left, none is
 * written after (409 PERSONAL_DATA_ERASED), and the trail never says a
 * contact was recorded after the erasure. Many rounds of contact writes
 * racing an erasure, against the real app, store and PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Client, Pool } from 'pg';
import { ContactDirectory } from '@app/personal-data';
import { ApiHarness, HttpAnswer, startApi } from '../support/api-harness';

jest.setTimeout(120_000);

const ROUNDS = 30;
const contact = (round: number, writer: number) => ({
  name: `Jane Doe ${round}-${writer}`,
  email: `jane.${randomUUID()}@contoso.example`,
  phone: '+44 20 7946 0000',
});

describe('erasure races', () => {
  let api: ApiHarness;
  let postgres: Client;

  beforeAll(async () => {
    api = await startApi();
    postgres = new Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
    await postgres.connect();
  });
  afterAll(async () => {
    await postgres?.end();
    await api?.close();
  });

  async function trail(customerId: string): Promise<string[]> {
    const types: string[] = [];
    for await (const { event } of api.app.get(EventStoreDBClient).readStream(`customer-${customerId}`))
      types.push(event!.type);
    return types.filter((type) => type === 'CustomerContactRecorded' || type === 'CustomerPersonalDataErased');
  }

  const outcome = (answer: HttpAnswer) => (answer.status < 300 ? 'written' : `${answer.status} ${answer.body.code}`);

  it(`leaves no contact, and no trail of one after the erasure, in each of ${ROUNDS} rounds of contact writes racing an erasure`, async () => {
    const seen = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const customerId = (await api.call('POST', '/v1/customers', { body: { name: `Contoso Erasure ${round}` } })).body
        .customerId as string;
      // Every other round the customer already has a contact, so both an update and a first write race the erasure.
      const before = round % 2 === 0 ? [contact(round, 0)] : [];
      for (const body of before)
        expect((await api.call('PUT', `/v1/customers/${customerId}/contact`, { body })).status).toBe(200);
      const writes = [1, 2, 3].map((writer) => contact(round, writer));
      const [erasure, ...written] = await Promise.all([
        api.call('DELETE', `/v1/customers/${customerId}/personal-data`),
        ...writes.map((body) => api.call('PUT', `/v1/customers/${customerId}/contact`, { body })),
      ]);
      expect(erasure.status).toBe(204);
      const outcomes = written.map(outcome);
      outcomes.forEach((o) => seen.add(o));
      expect(outcomes.every((o) => o === 'written' || o === '409 PERSONAL_DATA_ERASED')).toBe(true);

      // Nothing left: not through the api, not in PostgreSQL.
      const read = await api.call('GET', `/v1/customers/${customerId}/contact`);
      expect({ round, outcomes, status: read.status, code: read.body.code }).toEqual({
        round,
        outcomes,
        status: 404,
        code: 'CONTACT_NOT_FOUND',
      });
      const { rows } = await postgres.query('SELECT name, email, phone FROM customer_contacts WHERE customer_id = $1', [
        customerId,
      ]);
      expect(rows).toEqual([{ name: null, email: null, phone: null }]);
      const emails = [...before, ...writes].map((c) => c.email);
      expect((await postgres.query('SELECT 1 FROM customer_contacts WHERE email = ANY($1)', [emails])).rows).toEqual(
        [],
      );

      // The trail: the erasure last, and a contact event only for each write that was answered as written.
      const events = await trail(customerId);
      expect({ round, outcomes, events }).toEqual({
        round,
        outcomes,
        events: [
          ...before.map(() => 'CustomerContactRecorded'),
          ...outcomes.filter((o) => o === 'written').map(() => 'CustomerContactRecorded'),
          'CustomerPersonalDataErased',
        ],
      });

      // And after the erasure, a contact is refused, writing nothing.
      const late = await api.call('PUT', `/v1/customers/${customerId}/contact`, { body: contact(round, 9) });
      expect({ status: late.status, code: late.body.code }).toEqual({ status: 409, code: 'PERSONAL_DATA_ERASED' });
      expect(await trail(customerId)).toEqual(events);
    }
    // Both outcomes happened over the rounds: the race was run, not avoided.
    expect([...seen].sort()).toEqual(['409 PERSONAL_DATA_ERASED', 'written']);
  });

  it('erases again on request, recording each request, and a contact stays refused', async () => {
    const customerId = (await api.call('POST', '/v1/customers', { body: { name: 'Contoso Erasure twice' } })).body
      .customerId as string;
    expect((await api.call('DELETE', `/v1/customers/${customerId}/personal-data`)).status).toBe(204);
    expect((await api.call('DELETE', `/v1/customers/${customerId}/personal-data`)).status).toBe(204);
    const refused = await api.call('PUT', `/v1/customers/${customerId}/contact`, { body: contact(0, 0) });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 409, code: 'PERSONAL_DATA_ERASED' });
    expect(await trail(customerId)).toEqual(['CustomerPersonalDataErased', 'CustomerPersonalDataErased']);
  });

  it('takes a table of the layout before erasures were marked, keeping its contacts', async () => {
    // A schema of its own, so the shared table of the other suites is not touched.
    const schema = `contacts_${randomUUID().replace(/-/g, '')}`;
    await postgres.query(`CREATE SCHEMA ${schema}`);
    const pool = new Pool({
      connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres',
      options: `-c search_path=${schema}`,
      max: 1,
    });
    try {
      await pool.query(`CREATE TABLE customer_contacts (customer_id uuid PRIMARY KEY, partner_id text NOT NULL, name text NOT NULL,
        email text NOT NULL, phone text, updated_at timestamptz NOT NULL)`);
      const [kept, erased] = [randomUUID(), randomUUID()];
      for (const id of [kept, erased]) {
        await pool.query(
          `INSERT INTO customer_contacts VALUES ($1, 'partner-contoso', 'Jane Doe', 'jane@contoso.example', NULL, '2026-01-01T00:00:00Z')`,
          [id],
        );
      }
      const directory = new ContactDirectory(pool);
      expect(await directory.get(kept, 'partner-contoso')).toMatchObject({
        name: 'Jane Doe',
        email: 'jane@contoso.example',
      });
      await directory.erase(erased, 'partner-contoso', '2026-02-01T00:00:00.000Z');
      expect(await directory.get(erased, 'partner-contoso')).toBeUndefined();
      expect(
        await directory.put(
          erased,
          'partner-contoso',
          { name: 'Jane Doe', email: 'jane@contoso.example' },
          '2026-02-02T00:00:00.000Z',
        ),
      ).toBe('erased');
      expect(
        (await pool.query('SELECT name, email FROM customer_contacts WHERE customer_id = $1', [erased])).rows,
      ).toEqual([{ name: null, email: null }]);
      expect(await directory.get(kept, 'partner-contoso')).toMatchObject({ name: 'Jane Doe' });
    } finally {
      await pool.end();
      await postgres.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });
});
