/**
 * Roles on API keys (issue #30 §1): every route of the served OpenAPI
 * document states the role it needs, and is sent with a writer, a reader and
 * an auditor key of the same partner. A reader or an auditor changes nothing
 * anywhere (403 ROLE_FORBIDDEN naming the role needed, and no event
 * written); a writer is let through everywhere but the audit routes; an
 * auditor gets personal data redacted. Keys are the demo keys outside
 * production (apps/api/src/auth/api-keys.ts): Contoso has one of each role.
 */
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { ApiHarness, CONTOSO_KEY, FABRIKAM_KEY, startApi } from '../support/api-harness';
import { cartWithOneLine } from '../support/fixtures';
import { seedReservationOrder } from '../support/reservation-orders';

jest.setTimeout(180_000);

const KEYS = { writer: CONTOSO_KEY, reader: 'demo-key-contoso-reader', auditor: 'demo-key-contoso-auditor' } as const;
type Role = keyof typeof KEYS;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const permits = (role: Role, required: Role) => required === 'reader' || role === required;

describe('roles on API keys', () => {
  let api: ApiHarness;
  let document: OpenAPIV3.Document;
  let operations: Array<{ method: (typeof METHODS)[number]; path: string; role: Role }>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    api = await startApi();
    document = (await SwaggerParser.dereference(
      (await (await fetch(`${api.url}/docs-json`)).json()) as never,
    )) as OpenAPIV3.Document;
    operations = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, item]) =>
        METHODS.filter((method) => item![method]).map((method) => ({
          method,
          path,
          role: (item![method] as unknown as Record<string, Role>)['x-required-role'],
        })),
      );
    const { customerId, subscriptionId, cartId, lineId } = await cartWithOneLine(api, KEYS.writer);
    const seeded = await seedReservationOrder(
      api.app.get(EventStoreDBClient),
      { customerId, partnerId: 'partner-contoso', subscriptionIds: [subscriptionId] },
      [{ quantity: 2 }],
    );
    Object.assign(ids, {
      customerId,
      subscriptionId,
      cartId,
      lineId,
      orderId: seeded.orderId,
      reservationId: seeded.reservationIds[0],
      managementGroupId: 'finance',
      month: '2026-12',
    });
  });
  afterAll(() => api.close());

  it('states in the OpenAPI document the role every route needs: commands a writer, reads any key, the audit routes an auditor', () => {
    expect(operations.length).toBeGreaterThan(40);
    for (const { method, path, role } of operations) {
      const operation = document.paths[path]![method]!;
      expect({ route: `${method.toUpperCase()} ${path}`, role }).toEqual({
        route: `${method.toUpperCase()} ${path}`,
        role: method !== 'get' ? 'writer' : path.includes('audit') ? 'auditor' : 'reader',
      });
      expect(operation.description).toContain(`Role: ${role}`);
      // A route a role can be refused documents the 403.
      if (role !== 'reader') expect(Object.keys(operation.responses)).toContain('403');
    }
  });

  it('walks every route with every role: a reader or an auditor changes nothing on any route, a writer is let through', async () => {
    const refused: string[] = [];
    const allowed: string[] = [];
    for (const { method, path, role: required } of operations) {
      const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? randomUUID());
      for (const role of ['reader', 'auditor', 'writer'] as const) {
        const before = await api.countEvents();
        const answer = await api.call(method.toUpperCase(), url, {
          key: KEYS[role],
          body: method === 'get' ? undefined : {},
          headers: method === 'get' ? {} : { 'idempotency-key': randomUUID() },
        });
        const name = `${role} ${method.toUpperCase()} ${path} → ${answer.status} ${answer.body?.code ?? ''}`;
        if (permits(role, required)) {
          expect({ name, forbidden: answer.status === 403 }).toEqual({ name, forbidden: false });
          allowed.push(name);
        } else {
          expect({
            name,
            status: answer.status,
            code: answer.body?.code,
            requiredRole: answer.body?.details?.requiredRole,
          }).toEqual({
            name,
            status: 403,
            code: 'ROLE_FORBIDDEN',
            requiredRole: required,
          });
          expect(answer.body.message).toContain(`needs a${required === 'auditor' ? 'n' : ''} ${required} key`);
          expect(await api.countEvents()).toBe(before);
          refused.push(name);
        }
      }
    }
    const commands = operations.filter((operation) => operation.method !== 'get').length;
    // Every command refused to both reader and auditor.
    expect(refused.filter((name) => /^(reader|auditor) (POST|PUT|PATCH|DELETE)/.test(name))).toHaveLength(commands * 2);
    expect(allowed.length).toBeGreaterThan(operations.length);
  });

  it('lets a writer buy, and a reader and an auditor read what it bought but not cancel it', async () => {
    const { cartId, customerId } = await cartWithOneLine(api, KEYS.writer);
    const bought = await api.call('POST', `/v1/carts/${cartId}/purchase`, { key: KEYS.writer });
    expect(bought.status).toBe(201);
    for (const role of ['reader', 'auditor'] as const) {
      expect((await api.call('GET', `/v1/orders/${bought.body.orderId}`, { key: KEYS[role] })).status).toBe(200);
      expect((await api.call('GET', `/v1/customers/${customerId}/orders`, { key: KEYS[role] })).status).toBe(200);
      const cancel = await api.call('POST', `/v1/orders/${bought.body.orderId}/cancel`, { key: KEYS[role] });
      expect([cancel.status, cancel.body.code, cancel.body.details]).toEqual([
        403,
        'ROLE_FORBIDDEN',
        { requiredRole: 'writer', role },
      ]);
    }
    // The order's event names the key's client and role.
    const events = await api.call('GET', `/v1/orders/${bought.body.orderId}/events`, { key: KEYS.reader });
    expect(events.body.events[0].metadata).toMatchObject({ actor: 'partner-contoso/demo-client', role: 'writer' });
  });

  it('redacts personal data for an auditor, and only for an auditor', async () => {
    const { customerId } = await cartWithOneLine(api, KEYS.writer);
    const contact = { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+44 20 7946 0000' };
    expect(
      (await api.call('PUT', `/v1/customers/${customerId}/contact`, { key: KEYS.writer, body: contact })).status,
    ).toBe(200);
    for (const role of ['writer', 'reader'] as const) {
      expect((await api.call('GET', `/v1/customers/${customerId}/contact`, { key: KEYS[role] })).body).toMatchObject(
        contact,
      );
    }
    const audited = await api.call('GET', `/v1/customers/${customerId}/contact`, { key: KEYS.auditor });
    expect(audited.status).toBe(200);
    expect(audited.body).toMatchObject({ customerId, name: '[redacted]', email: '[redacted]', phone: '[redacted]' });
    expect(JSON.stringify(audited.body)).not.toMatch(/Ada|ada@|7946/);
  });

  it("keeps each partner's keys to its own customers, whatever their role", async () => {
    const other = await cartWithOneLine(api, FABRIKAM_KEY);
    for (const key of Object.values(KEYS)) {
      expect((await api.call('GET', `/v1/customers/${other.customerId}`, { key })).status).toBe(404);
    }
  });
});
