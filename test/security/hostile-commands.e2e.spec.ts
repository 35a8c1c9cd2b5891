/**
 * Hostile commands that reach the domain. Every command the served OpenAPI
 * document lists is sent with bodies generated from its own request schema:
 * mostly well formed, naming the partner's real customer, subscription,
 * carts, lines, orders and reservations (upfront and monthly), with junk in
 * some fields, junk bodies, junk headers, ids of no one and ids of another
 * partner. Every answer is a 4xx with a code and a message or a success,
 * never a 5xx; a refused command writes no event; another partner's ids are
 * never acted on. The run fails unless every command was sent, and got past
 * validation to a decision of the domain (a success, 409 or 422), often
 * enough to have tested something.
 */
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import SwaggerParser from '@apidevtools/swagger-parser';
import fc from 'fast-check';
import type { OpenAPIV3 } from 'openapi-types';
import { ApiHarness, FABRIKAM_KEY, startApi } from '../support/api-harness';
import { cartWithOneLine, line } from '../support/fixtures';
import { seedReservationOrder } from '../support/reservation-orders';

jest.setTimeout(300_000);

const RUNS = Number(process.env.HOSTILE_COMMAND_RUNS ?? 1200);
const SEED = Number(process.env.HOSTILE_COMMAND_SEED ?? 20261207);
/** Sent at least this often, and decided by the domain at least this often, for the run to count a command as tested. */
const SENT_AT_LEAST = 8;
const DECIDED_AT_LEAST = 3;
/** How many well-formed values a field gets for each bad one: a body of ten fields is then whole about half the time. */
const SOUND = 16;
/** The sandbox clock is off in this api (its own suite fuzzes nothing that could move time for everyone). */
const NOT_FUZZED = [/^\/v1\/sandbox\//];

/** Stands for the ETag the resource has when the command is sent. */
const CURRENT = Symbol('current ETag');
type Method = 'post' | 'put' | 'patch' | 'delete';
interface Command {
  method: Method;
  path: string;
  body?: OpenAPIV3.SchemaObject;
}

describe('hostile commands', () => {
  let api: ApiHarness;
  let commands: Command[];
  /** The partner's real ids, by the name a path parameter or a body field gives them. */
  const pools: Record<string, string[]> = {};
  /** Another partner's: a command naming one in its path must not succeed. */
  const foreign: Record<string, string[]> = {};
  /** A webhook's own delivery: a path naming the webhook names its delivery, as a client would. */
  const deliveryOf = new Map<string, string>();

  beforeAll(async () => {
    api = await startApi();
    const document = (await SwaggerParser.dereference(
      (await (await fetch(`${api.url}/docs-json`)).json()) as never,
    )) as OpenAPIV3.Document;
    commands = Object.entries(document.paths).flatMap(([path, item]) =>
      (['post', 'put', 'patch', 'delete'] as const)
        .filter((method) => item![method] && !NOT_FUZZED.some((pattern) => pattern.test(path)))
        .map((method) => ({
          method,
          path,
          body: (item![method]!.requestBody as OpenAPIV3.RequestBodyObject | undefined)?.content['application/json']
            ?.schema as OpenAPIV3.SchemaObject,
        })),
    );

    // Several carts, so a purchase leaves others to change; a management group; reservation orders, upfront and monthly.
    const carts = [await cartWithOneLine(api)];
    const { customerId, subscriptionId } = carts[0];
    for (let i = 0; i < 5; i++) {
      const cartId = (await api.call('POST', `/v1/customers/${customerId}/carts`)).body.cartId as string;
      const added = await api.call('POST', `/v1/carts/${cartId}/items`, {
        body: { ...line(subscriptionId), quantity: 2 },
      });
      carts.push({ customerId, subscriptionId, cartId, lineId: added.body.lines[0].lineId as string });
    }
    await api.call('POST', `/v1/customers/${customerId}/management-groups`, {
      body: { managementGroupId: 'finance', name: 'Finance' },
    });
    const store = api.app.get(EventStoreDBClient);
    const reservationIds: string[] = [];
    const orderIds: string[] = [];
    for (const billingPlan of ['Upfront', 'Monthly', 'Upfront', 'Monthly', 'Upfront', 'Monthly'] as const) {
      const seeded = await seedReservationOrder(
        store,
        { customerId, partnerId: 'partner-contoso', subscriptionIds: [subscriptionId] },
        [
          { quantity: 4, billingPlan },
          { quantity: 2, billingPlan },
          { quantity: 2, billingPlan },
        ],
      );
      reservationIds.push(...seeded.reservationIds);
      orderIds.push(seeded.orderId);
    }
    // Webhooks, each with a delivery (a test notification; no worker here, so it stays pending), enough that deletes leave some.
    const webhookIds: string[] = [];
    const deliveryIds: string[] = [];
    for (let i = 0; i < 19; i++) {
      const webhookId = (
        await api.call('POST', '/v1/webhooks', {
          body: { url: `http://127.0.0.1:9/hook-${i}`, eventTypes: ['order.completed'] },
        })
      ).body.webhookId as string;
      webhookIds.push(webhookId);
      const deliveryId = (await api.call('POST', `/v1/webhooks/${webhookId}/test`)).body.deliveryId as string;
      deliveryIds.push(deliveryId);
      deliveryOf.set(webhookId, deliveryId);
    }
    Object.assign(pools, {
      webhookId: webhookIds,
      deliveryId: deliveryIds,
      customerId: [customerId],
      subscriptionId: [subscriptionId],
      cartId: carts.map((c) => c.cartId),
      lineId: carts.map((c) => c.lineId),
      orderId: orderIds,
      reservationId: reservationIds,
      managementGroupId: ['finance'],
      // Usage of the last two days, inside the window the api takes.
      hour: Array.from({ length: 48 }, (_, i) =>
        new Date((Math.floor(Date.now() / 3_600_000) - 1 - i) * 3_600_000).toISOString(),
      ),
    });

    const other = await cartWithOneLine(api, FABRIKAM_KEY);
    const [otherReservation] = (
      await seedReservationOrder(
        store,
        { customerId: other.customerId, partnerId: 'partner-fabrikam', subscriptionIds: [other.subscriptionId] },
        [{ quantity: 1 }],
      )
    ).reservationIds;
    const otherWebhook = (
      await api.call('POST', '/v1/webhooks', {
        body: { url: 'http://127.0.0.1:9/other', eventTypes: ['order.completed'] },
        key: FABRIKAM_KEY,
      })
    ).body.webhookId as string;
    Object.assign(foreign, {
      webhookId: [otherWebhook],
      customerId: [other.customerId],
      subscriptionId: [other.subscriptionId],
      cartId: [other.cartId],
      lineId: [other.lineId],
      reservationId: [otherReservation],
    });
    // The views hold every seeded reservation before the first command.
    for (const id of [...reservationIds, otherReservation])
      for (
        let tries = 0;
        (await api.call('GET', `/v1/reservations/${id}`, { key: id === otherReservation ? FABRIKAM_KEY : undefined }))
          .status !== 200;
        tries++
      )
        if (tries > 200) throw new Error(`reservation ${id} never reached its view`);
        else await new Promise((resolve) => setTimeout(resolve, 25));
  });
  afterAll(() => api.close());

  const junk = fc.oneof(
    fc.jsonValue(),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('..%2F..%2Fetc', '-1', '1e309', '', ' ', '\u0000'),
  );
  const headerValue = fc.string({ maxLength: 80 }).filter((v) => /^[\x20-\x7e]*$/.test(v));
  /** A value once in `every` draws, otherwise nothing. */
  const sometimes = <T>(arbitrary: fc.Arbitrary<T>, every: number) =>
    fc.oneof({ arbitrary: fc.constant(undefined), weight: every - 1 }, { arbitrary, weight: 1 });
  const singular = (name: string) => name.replace(/s$/, '');

  /** A value for a field: mostly one the schema (or the partner's ids of that name) allows, sometimes junk. */
  function field(schema: OpenAPIV3.SchemaObject | undefined, name: string, depth = 0): fc.Arbitrary<unknown> {
    return fc.oneof(
      { arbitrary: wellFormed(schema ?? {}, name, depth), weight: SOUND },
      { arbitrary: junk, weight: 1 },
    );
  }

  function wellFormed(schema: OpenAPIV3.SchemaObject, name: string, depth: number): fc.Arbitrary<unknown> {
    if (pools[name])
      return fc.oneof(
        { arbitrary: fc.constantFrom(...pools[name]), weight: 6 },
        { arbitrary: fc.constantFrom(...(foreign[name] ?? pools[name])), weight: 1 },
        { arbitrary: fc.uuid(), weight: 1 },
      );
    if (schema.enum) return fc.constantFrom(...schema.enum);
    switch (schema.type) {
      case 'object': {
        if (depth > 3 || !schema.properties)
          return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 2 });
        const required = new Set(schema.required ?? []);
        const entries = Object.entries(schema.properties).map(
          ([key, property]) =>
            [
              key,
              required.has(key)
                ? field(property as OpenAPIV3.SchemaObject, key, depth + 1)
                : fc.option(field(property as OpenAPIV3.SchemaObject, key, depth + 1), { nil: undefined }),
            ] as const,
        );
        return fc.record(Object.fromEntries(entries)).map((value) => JSON.parse(JSON.stringify(value)) as unknown);
      }
      case 'array': {
        const item = singular(name);
        // The document does not carry the validators' sizes: mostly one to three, now and then none.
        const minLength = schema.minItems ?? 0;
        const maxLength = Math.min(schema.maxItems ?? 3, 3);
        if (pools[item])
          return fc.shuffledSubarray(pools[item], { minLength: Math.min(minLength, pools[item].length), maxLength });
        const items = field(schema.items as OpenAPIV3.SchemaObject, item, depth + 1);
        return fc.oneof(
          {
            arbitrary: fc.array(items, {
              minLength: Math.max(minLength, 1),
              maxLength: Math.max(minLength, maxLength),
            }),
            weight: SOUND,
          },
          { arbitrary: fc.array(items, { maxLength: 0 }), weight: 1 },
        );
      }
      case 'integer':
      case 'number': {
        // Small counts mostly (the document does not carry the validators' bounds), a fraction now and then, and the edges.
        const counts = fc.integer({ min: schema.minimum ?? 1, max: Math.min(schema.maximum ?? 3, 3) });
        const edges = fc.constantFrom(0, -1, 1_000, 2 ** 53);
        if (schema.type === 'integer')
          return fc.oneof({ arbitrary: counts, weight: SOUND }, { arbitrary: edges, weight: 1 });
        return fc.oneof(
          { arbitrary: counts, weight: 6 },
          { arbitrary: fc.double({ min: 0, max: 1, noNaN: true }), weight: 3 },
          { arbitrary: edges, weight: 1 },
        );
      }
      case 'boolean':
        return fc.boolean();
      case 'string':
        if (schema.format === 'uuid') return fc.uuid();
        if (schema.format === 'uri') return fc.oneof(fc.webUrl(), fc.constant('http://127.0.0.1:9/hook'));
        if (schema.format === 'date-time' || schema.format === 'date')
          return fc.date({ min: new Date('2020-01-01'), max: new Date('2032-01-01') }).map((d) => d.toISOString());
        return schema.example !== undefined
          ? fc.oneof(
              { arbitrary: fc.constant(schema.example), weight: 4 },
              { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
            )
          : fc.string({ maxLength: 30 });
      default:
        return fc.jsonValue();
    }
  }

  /** A path with each parameter filled: the partner's own id mostly, another partner's or no one's sometimes. */
  const filledPath = (path: string, method: string) => {
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => name);
    // Deletes take only some of the webhooks, so the other webhook commands still find most of theirs late in the run.
    const own = (name: string) => (method === 'delete' && name === 'webhookId' ? pools[name].slice(-6) : pools[name]);
    return fc
      .tuple(
        ...names.map((name) =>
          fc.oneof(
            {
              arbitrary: fc
                .constantFrom(...(pools[name] ? own(name) : [randomUUID()]))
                .map((id) => ({ id, foreign: false })),
              weight: 8,
            },
            {
              arbitrary: fc
                .constantFrom(...(foreign[name] ?? [randomUUID()]))
                .map((id) => ({ id, foreign: !!foreign[name] && name !== 'subscriptionId' })),
              weight: 1,
            },
            {
              arbitrary: fc.oneof(fc.uuid(), fc.string({ maxLength: 30 })).map((id) => ({ id, foreign: false })),
              weight: 1,
            },
          ),
        ),
      )
      .map((ids) => {
        const webhook = names.indexOf('webhookId');
        const delivery = names.indexOf('deliveryId');
        if (
          webhook >= 0 &&
          delivery >= 0 &&
          deliveryOf.has(ids[webhook].id) &&
          pools.deliveryId.includes(ids[delivery].id)
        )
          ids[delivery] = { id: deliveryOf.get(ids[webhook].id)!, foreign: false };
        return ids;
      })
      .map((ids) => ({
        url: names.reduce((url, name, i) => url.replace(`{${name}}`, encodeURIComponent(ids[i].id)), path),
        foreign: ids.some((id) => id.foreign),
      }));
  };

  const requests = () =>
    // The commands that move money, with the deepest bodies, twice as often as the rest.
    fc
      .oneof(
        ...commands.map((command) => ({
          arbitrary: fc.constant(command),
          weight: /reservations|exchanges|purchase|usage/.test(command.path) ? 2 : 1,
        })),
      )
      .chain((command) =>
        fc.record({
          command: fc.constant(command),
          path: filledPath(command.path, command.method),
          body: fc.oneof(
            { arbitrary: command.body ? wellFormed(command.body, '', 0) : fc.constant(undefined), weight: 8 },
            { arbitrary: fc.jsonValue(), weight: 1 },
          ),
          rawBody: sometimes(fc.string({ maxLength: 200 }), 12),
          idempotencyKey: fc.oneof(
            { arbitrary: fc.constant(undefined), weight: 3 },
            { arbitrary: fc.uuid(), weight: 3 },
            { arbitrary: headerValue, weight: 1 },
          ),
          // The resource's current ETag (what a careful client sends), junk, or none.
          ifMatch: fc.oneof(
            { arbitrary: fc.constant(undefined), weight: 6 },
            { arbitrary: fc.constant(CURRENT), weight: 3 },
            { arbitrary: headerValue, weight: 1 },
          ),
        }),
      );

  it('answers every command with a decision or a 4xx with a message, writes nothing when it refuses, and decides every command many times', async () => {
    const sent = new Map<string, number>();
    const decided = new Map<string, number>();
    const statuses = new Map<string, Map<string, number>>();
    await fc.assert(
      fc.asyncProperty(requests(), async ({ command, path, body, rawBody, idempotencyKey, ifMatch }) => {
        const name = `${command.method.toUpperCase()} ${command.path}`;
        const headers: Record<string, string> = {};
        if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
        if (ifMatch === CURRENT) {
          const resource = /^\/v1\/(reservations|carts|orders|customers)\/[^/]+/.exec(path.url)?.[0];
          const etag =
            resource && !resource.endsWith('/merge') ? (await api.call('GET', resource)).headers.get('etag') : null;
          if (etag) headers['if-match'] = etag;
        } else if (ifMatch !== undefined) headers['if-match'] = ifMatch;
        const before = await api.countEvents();
        const answer = await api.call(command.method.toUpperCase(), path.url, { body: rawBody ?? body, headers });
        sent.set(name, (sent.get(name) ?? 0) + 1);
        const byStatus = statuses.get(name) ?? new Map<string, number>();
        const outcome = `${answer.status}${answer.body?.code ? ` ${answer.body.code}` : ''}`;
        byStatus.set(outcome, (byStatus.get(outcome) ?? 0) + 1);
        statuses.set(name, byStatus);
        const said = `${name} as ${path.url} with ${JSON.stringify(rawBody ?? body)}`;
        if (answer.status >= 500) throw new Error(`${said} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        // Another partner's id in the path is never acted on; one in the body never makes it into what was done (a field the command
        // ignores may name it). A subscription id is Azure's, not the partner's: any customer may register one, and no answer tells
        // whether another partner's customer has it.
        const foreignIds = Object.entries(foreign).flatMap(([name, ids]) => (name === 'subscriptionId' ? [] : ids));
        const actedOnForeign =
          answer.status < 400 &&
          (path.foreign ||
            foreignIds.some(
              (id) =>
                rawBody === undefined &&
                JSON.stringify(body ?? null).includes(id) &&
                JSON.stringify(answer.body ?? null).includes(id),
            ));
        if (actedOnForeign)
          throw new Error(`${said} acted on another partner's data: ${answer.status} ${JSON.stringify(answer.body)}`);
        if (answer.status < 300 || answer.status === 409 || answer.status === 422)
          decided.set(name, (decided.get(name) ?? 0) + 1);
        if (answer.status >= 400) {
          expect(answer.body).toMatchObject({
            statusCode: answer.status,
            code: expect.stringMatching(/^[A-Z_0-9]+$/),
            message: expect.any(String),
          });
          expect(await api.countEvents()).toBe(before);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );

    const report = commands.map(({ method, path }) => {
      const name = `${method.toUpperCase()} ${path}`;
      return `${name}: sent ×${sent.get(name) ?? 0}, decided ×${decided.get(name) ?? 0} (${[...(statuses.get(name) ?? new Map()).entries()].map(([s, n]) => `${s} ×${n}`).join(', ')})`;
    });
    process.stdout.write(
      `[hostile commands] seed ${SEED} (HOSTILE_COMMAND_SEED), ${RUNS} runs\n${report.join('\n')}\n`,
    );
    const untested = commands
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`)
      .filter((name) => (sent.get(name) ?? 0) < SENT_AT_LEAST || (decided.get(name) ?? 0) < DECIDED_AT_LEAST);
    expect(untested).toEqual([]);
  });
});
