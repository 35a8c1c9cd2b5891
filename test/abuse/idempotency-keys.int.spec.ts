/**
 * An Idempotency-Key must make a retry harmless: a retry sent while the
 * first request still runs, however long it runs, is told the key is in
 * use, and does not run the command a second time; and a retry whose JSON
 * orders its keys differently is the same request. The hold is shortened to
 * one second here (IDEMPOTENCY_IN_FLIGHT_MS), and the command made slow the
 * way a real one is: its PostgreSQL row is locked by another transaction.
 */
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Client } from 'pg';
import { ApiHarness, HttpAnswer, startApi } from '../support/api-harness';

jest.setTimeout(120_000);

const HOLD_MS = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Idempotency-Key', () => {
  let api: ApiHarness;
  let postgres: Client;

  beforeAll(async () => {
    api = await startApi({ IDEMPOTENCY_IN_FLIGHT_MS: String(HOLD_MS) });
    postgres = new Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
    await postgres.connect();
  });
  afterAll(async () => {
    await postgres?.end();
    await api?.close();
  });

  const customer = async () =>
    (await api.call('POST', '/v1/customers', { body: { name: 'Contoso Retry Ltd' } })).body.customerId as string;

  async function recorded(customerId: string): Promise<number> {
    let count = 0;
    for await (const { event } of api.app.get(EventStoreDBClient).readStream(`customer-${customerId}`))
      if (event!.type === 'CustomerContactRecorded') count++;
    return count;
  }

  it('holds the key for as long as the first request runs: a retry well past the hold is 409 IDEMPOTENCY_KEY_IN_USE, and the command runs once', async () => {
    const customerId = await customer();
    const contact = (name: string) => ({ name, email: 'jane.doe@contoso.example' });
    expect((await api.call('PUT', `/v1/customers/${customerId}/contact`, { body: contact('Jane Doe') })).status).toBe(
      200,
    );

    // Another transaction holds the customer's row: the contact write waits for it, as it would behind a slow migration.
    const blocker = new Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
    await blocker.connect();
    const requests: Array<Promise<HttpAnswer>> = [];
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM customer_contacts WHERE customer_id = $1 FOR UPDATE', [customerId]);
      const headers = { 'idempotency-key': `slow-${randomUUID()}` };
      requests.push(api.call('PUT', `/v1/customers/${customerId}/contact`, { body: contact('Jane Smith'), headers }));
      // Three holds' worth: without renewal the key would have lapsed twice over.
      await sleep(3 * HOLD_MS);
      requests.push(api.call('PUT', `/v1/customers/${customerId}/contact`, { body: contact('Jane Smith'), headers }));
      // Answered at once, not run: a retry that ran would wait for the row like the first.
      const retry = await Promise.race([requests[1], sleep(HOLD_MS).then(() => undefined)]);
      expect(retry && { status: retry.status, code: retry.body.code }).toEqual({
        status: 409,
        code: 'IDEMPOTENCY_KEY_IN_USE',
      });
    } finally {
      await blocker.query('COMMIT');
      await blocker.end();
      await Promise.allSettled(requests);
    }
    expect((await requests[0]).status).toBe(200);
    expect(await recorded(customerId)).toBe(2);
    // Done, the key is free again for this route (whose answer holds personal data and is not kept).
    const again = await api.call('PUT', `/v1/customers/${customerId}/contact`, {
      body: contact('Jane Smith'),
      headers: { 'idempotency-key': `after-${randomUUID()}` },
    });
    expect(again.status).toBe(200);
  });

  it('reads a retry whose JSON orders its keys or spaces differently as the same request, and another body as another', async () => {
    const customerId = await customer();
    const subscriptionId = randomUUID();
    const headers = { 'idempotency-key': `subscription-${randomUUID()}` };
    const path = `/v1/customers/${customerId}/subscriptions`;
    const first = await api.call('POST', path, {
      body: `{"subscriptionId":"${subscriptionId}","name":"Production"}`,
      headers,
    });
    expect(first.status).toBe(201);

    const reordered = await api.call('POST', path, {
      body: `{ "name": "Production",\n  "subscriptionId": "${subscriptionId}" }`,
      headers,
    });
    expect({ status: reordered.status, replayed: reordered.headers.get('idempotent-replayed') }).toEqual({
      status: 201,
      replayed: 'true',
    });
    expect(reordered.body).toEqual(first.body);

    const other = await api.call('POST', path, { body: { name: 'Staging', subscriptionId }, headers });
    expect({ status: other.status, code: other.body.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_MISMATCH' });
  });
});
