/**
 * Webhooks over HTTP with a real worker process: the api on the embedded
 * store (official client) and the local Redis, a receiver that verifies
 * every request with the standardwebhooks library, a short retry schedule.
 * Time is the sandbox clock's, started at a fixed instant.
 */
import { Redis } from 'ioredis';
import { EventStoreConnection } from '@app/eventstore-client';
import { WebhookReceiver } from '@app/webhooks';
import { ApiHarness, FABRIKAM_KEY, startApi } from '../support/api-harness';
import { cartWithOneLine } from '../support/fixtures';
import { eventually } from '../support/eventually';
import { freePort, RunningProcess, startTsProcess } from '../support/processes';

jest.setTimeout(120_000);
const START = '2027-03-01T10:00:00.000Z';

describe('webhooks', () => {
  let api: ApiHarness;
  let worker: RunningProcess;
  let receiver: WebhookReceiver;
  let receiverPort: number;

  const startWorker = () =>
    startTsProcess('apps/worker/src/main.ts', {
      EVENTSTORE_URL: api.app.get(EventStoreConnection).connectionString,
      REDIS_KEY_PREFIX: api.app.get(Redis).options.keyPrefix!,
      RUN_PROJECTIONS: 'false',
      LOG_LEVEL: 'warn',
      PROVISIONING_LATENCY_MS: '0',
      SANDBOX_CLOCK: 'true',
      WEBHOOK_RETRY_SCHEDULE_MS: '500,1000,2000,4000,8000',
      QUEUE_LOCK_MS: '2000',
    });

  beforeAll(async () => {
    api = await startApi({ SANDBOX_CLOCK: 'true', SANDBOX_CLOCK_START: START });
    worker = startWorker();
    receiverPort = await freePort();
    receiver = await new WebhookReceiver(receiverPort).start();
  });
  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await receiver?.stop();
    await api?.close();
  });

  const register = async (path: string, eventTypes: string[], key?: string) => {
    const created = await api.call('POST', '/v1/webhooks', {
      body: { url: `${receiver.url}${path}`, eventTypes, description: path },
      key,
    });
    expect(created.status).toBe(201);
    receiver.secrets.push(created.body.secret);
    return created.body as { webhookId: string; secret: string };
  };
  const buy = async (key?: string) => {
    const { cartId, customerId } = await cartWithOneLine(api, key);
    const bought = await api.call('POST', `/v1/carts/${cartId}/purchase`, {
      headers: { 'idempotency-key': `buy-${cartId}` },
      key,
    });
    expect(bought.status).toBe(201);
    return { orderId: bought.body.orderId as string, customerId };
  };
  const describeWorker = () => worker.output().slice(-3_000);

  it('registers an endpoint, shows the whsec_ secret once, and refuses bad input field by field', async () => {
    const created = await api.call('POST', '/v1/webhooks', {
      body: { url: `${receiver.url}/first`, eventTypes: ['order.completed'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    expect(created.headers.get('location')).toBe(`/v1/webhooks/${created.body.webhookId}`);
    const read = await api.call('GET', `/v1/webhooks/${created.body.webhookId}`);
    expect(read.body).toMatchObject({ webhookId: created.body.webhookId, url: `${receiver.url}/first`, enabled: true });
    expect(read.body.secret).toBeUndefined();
    expect((await api.call('GET', '/v1/webhooks')).body.items.map((item: { secret?: string }) => item.secret)).toEqual([
      undefined,
    ]);

    const badTypes = await api.call('POST', '/v1/webhooks', {
      body: { url: `${receiver.url}/x`, eventTypes: ['order.nope'] },
    });
    expect(badTypes.status).toBe(400);
    expect(badTypes.body.errors).toEqual([expect.objectContaining({ field: 'eventTypes' })]);
    const badUrl = await api.call('POST', '/v1/webhooks', {
      body: { url: 'not a url', eventTypes: ['order.completed'] },
    });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.errors).toEqual([expect.objectContaining({ field: 'url' })]);
    const unknownField = await api.call('POST', '/v1/webhooks', {
      body: { url: `${receiver.url}/x`, eventTypes: ['order.completed'], secret: 'mine' },
    });
    expect(unknownField.status).toBe(400);
    expect(
      (await api.call('PATCH', `/v1/webhooks/${created.body.webhookId}`, { body: { enabled: 'yes' } })).status,
    ).toBe(400);

    const taken = await api.call('POST', '/v1/webhooks', {
      body: { url: `${receiver.url}/first`, eventTypes: ['order.failed'] },
    });
    expect(taken).toMatchObject({ status: 409, body: { code: 'WEBHOOK_URL_TAKEN' } });
    expect((await api.call('DELETE', `/v1/webhooks/${created.body.webhookId}`)).status).toBe(204);
    expect((await api.call('GET', `/v1/webhooks/${created.body.webhookId}`)).status).toBe(404);
  });

  it('two identical registrations at once make one endpoint; a retry with the same Idempotency-Key answers the first', async () => {
    const body = { url: `${receiver.url}/twice`, eventTypes: ['order.completed'] };
    const [a, b] = await Promise.all([
      api.call('POST', '/v1/webhooks', { body }),
      api.call('POST', '/v1/webhooks', { body }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const keyed = { url: `${receiver.url}/keyed`, eventTypes: ['order.completed'] };
    const first = await api.call('POST', '/v1/webhooks', { body: keyed, headers: { 'idempotency-key': 'hook-1' } });
    const again = await api.call('POST', '/v1/webhooks', { body: keyed, headers: { 'idempotency-key': 'hook-1' } });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    for (const created of [a, b, first])
      if (created.status === 201) await api.call('DELETE', `/v1/webhooks/${created.body.webhookId}`);
  });

  it('SSRF: refuses private, link-local and metadata addresses, and a redirect to one at delivery', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.1/hook',
      'http://192.168.0.10/',
      'http://[::ffff:169.254.169.254]/',
      'http://[fe80::1]/',
    ]) {
      const refused = await api.call('POST', '/v1/webhooks', { body: { url, eventTypes: ['order.completed'] } });
      expect({ url, status: refused.status, code: refused.body.code }).toEqual({
        url,
        status: 422,
        code: 'WEBHOOK_ADDRESS_REFUSED',
      });
    }
    const hook = await register('/redirected', ['order.completed']);
    receiver.redirects.set('/redirected', 'http://169.254.169.254/latest/meta-data/iam');
    const test = await api.call('POST', `/v1/webhooks/${hook.webhookId}/test`);
    expect(test.status).toBe(202);
    const failed = await eventually(
      async () => {
        const listed = (await api.call('GET', `/v1/webhooks/${hook.webhookId}/deliveries`)).body.items;
        return listed[0]?.status === 'failed' && listed[0];
      },
      20_000,
      describeWorker,
    );
    expect(failed).toMatchObject({ attempts: 1, lastError: expect.stringContaining('169.254.169.254') });
    receiver.redirects.delete('/redirected');
    await api.call('DELETE', `/v1/webhooks/${hook.webhookId}`);
  });

  it('delivers signed notifications of a purchase; a 500 is retried until the 200', async () => {
    const hook = await register('/orders', ['order.completed', 'reservation.provisioned']);
    receiver.answers.push(500);
    const { orderId } = await buy();
    const delivered = await eventually(
      () => receiver.delivered('/orders').length >= 2 && receiver.delivered('/orders'),
      30_000,
      describeWorker,
    );
    expect(delivered.map((payload) => payload.type).sort()).toEqual(['order.completed', 'reservation.provisioned']);
    const completed = delivered.find((payload) => payload.type === 'order.completed')!;
    expect(completed).toEqual({
      id: expect.any(String),
      type: 'order.completed',
      occurredAt: START,
      data: expect.objectContaining({ orderId, status: 'completed' }),
      links: expect.objectContaining({ order: `/v1/orders/${orderId}` }),
    });
    const attempts = receiver.received.filter((entry) => entry.path === '/orders');
    expect(attempts[0].status).toBe(500);
    // The retry carries the same webhook-id: the notification's.
    expect(
      attempts
        .filter((entry) => entry.headers['webhook-id'] === attempts[0].headers['webhook-id'])
        .map((entry) => entry.status),
    ).toEqual([500, 204]);
    const deliveries = await eventually(async () => {
      const items = (await api.call('GET', `/v1/webhooks/${hook.webhookId}/deliveries`)).body.items;
      return items.length === 2 && items.every((item: { status: string }) => item.status === 'delivered') && items;
    });
    expect(deliveries.map((item: { attempts: number }) => item.attempts).sort()).toEqual([1, 2]);
    expect(deliveries[0]).toMatchObject({ lastResponseCode: 204, lastAttemptAt: expect.any(String) });

    // The feed holds the same notifications, with the same ids.
    const feed = await api.call('GET', '/v1/notifications?types=order.completed');
    expect(feed.body.items.map((item: { id: string }) => item.id)).toContain(completed.id);

    // Sent again on request: a new delivery of the same notification.
    const first = deliveries.find((item: { type: string }) => item.type === 'order.completed');
    const again = await api.call('POST', `/v1/webhooks/${hook.webhookId}/deliveries/${first.deliveryId}/redeliver`);
    expect(again).toMatchObject({
      status: 202,
      body: { redeliveryOf: first.deliveryId, notificationId: completed.id },
    });
    await eventually(() => receiver.delivered('/orders').filter((payload) => payload.id === completed.id).length === 2);
    await api.call('DELETE', `/v1/webhooks/${hook.webhookId}`);
  });

  it('verifies across a rotated secret: both sign for 24 h', async () => {
    const hook = await register('/rotated', ['order.completed']);
    const rotated = await api.call('POST', `/v1/webhooks/${hook.webhookId}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.previousSecretValidUntil).toBe('2027-03-02T10:00:00.000Z');
    await api.call('POST', `/v1/webhooks/${hook.webhookId}/test`);
    const test = await eventually(() => receiver.received.find((entry) => entry.path === '/rotated'));
    const signatures = String(test.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    // A receiver holding only the old secret verifies, and one holding only the new one too.
    const { Webhook } = await import('standardwebhooks');
    const headers = test.headers as Record<string, string>;
    expect(new Webhook(hook.secret).verify(test.body, headers)).toMatchObject({ type: 'webhook.test' });
    expect(new Webhook(rotated.body.secret).verify(test.body, headers)).toMatchObject({ type: 'webhook.test' });
    await api.call('DELETE', `/v1/webhooks/${hook.webhookId}`);
  });

  it('isolation: another partner neither sees nor receives this partner’s webhooks and notifications', async () => {
    const contoso = await register('/contoso', ['order.completed']);
    const fabrikam = await register('/fabrikam', ['order.completed'], FABRIKAM_KEY);
    for (const [method, path] of [
      ['GET', `/v1/webhooks/${contoso.webhookId}`],
      ['PATCH', `/v1/webhooks/${contoso.webhookId}`],
      ['DELETE', `/v1/webhooks/${contoso.webhookId}`],
      ['POST', `/v1/webhooks/${contoso.webhookId}/rotate-secret`],
      ['POST', `/v1/webhooks/${contoso.webhookId}/test`],
      ['GET', `/v1/webhooks/${contoso.webhookId}/deliveries`],
    ]) {
      const answer = await api.call(method, path, {
        key: FABRIKAM_KEY,
        ...(method === 'PATCH' ? { body: { enabled: false } } : {}),
      });
      expect({ method, path, status: answer.status, code: answer.body?.code }).toEqual({
        method,
        path,
        status: 404,
        code: 'WEBHOOK_NOT_FOUND',
      });
    }
    const { orderId } = await buy();
    await eventually(
      () => receiver.delivered('/contoso').some((payload) => payload.data.orderId === orderId),
      30_000,
      describeWorker,
    );
    const { orderId: theirs } = await buy(FABRIKAM_KEY);
    await eventually(
      () => receiver.delivered('/fabrikam').some((payload) => payload.data.orderId === theirs),
      30_000,
      describeWorker,
    );
    expect(receiver.delivered('/fabrikam').map((payload) => payload.data.orderId)).toEqual([theirs]);
    expect(receiver.delivered('/contoso').map((payload) => payload.data.orderId)).not.toContain(theirs);
    const fabrikamFeed = (await api.call('GET', '/v1/notifications', { key: FABRIKAM_KEY })).body.items;
    expect(fabrikamFeed.length).toBeGreaterThan(0);
    expect(
      fabrikamFeed.every(
        (item: { data: { orderId?: string } }) => item.data.orderId === undefined || item.data.orderId === theirs,
      ),
    ).toBe(true);
    const contosoFeed = (await api.call('GET', '/v1/notifications')).body.items;
    expect(contosoFeed.some((item: { data: { orderId?: string } }) => item.data.orderId === theirs)).toBe(false);
    await api.call('DELETE', `/v1/webhooks/${contoso.webhookId}`);
    await api.call('DELETE', `/v1/webhooks/${fabrikam.webhookId}`, { key: FABRIKAM_KEY });
  });

  it('the feed pages by cursor and filters by type; a bad cursor or type is a 400', async () => {
    const all = (await api.call('GET', '/v1/notifications')).body;
    expect(all.items.length).toBeGreaterThan(2);
    const firstTwo = (await api.call('GET', '/v1/notifications?limit=2')).body;
    const rest = (await api.call('GET', `/v1/notifications?after=${firstTwo.nextCursor}`)).body;
    expect([...firstTwo.items, ...rest.items].map((item: { id: string }) => item.id)).toEqual(
      all.items.map((item: { id: string }) => item.id),
    );
    expect(new Set(all.items.map((item: { id: string }) => item.id)).size).toBe(all.items.length);
    expect((await api.call('GET', '/v1/notifications?after=yesterday')).status).toBe(400);
    expect((await api.call('GET', '/v1/notifications?types=order.nope')).body).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('nothing is lost while the receiver is down and the worker is SIGKILLed', async () => {
    const hook = await register('/outage', ['order.completed', 'reservation.provisioned']);
    await receiver.stop();
    const orders = [await buy(), await buy(), await buy()];
    // The first delivery is failing against the closed port when the worker dies.
    await eventually(
      async () => {
        const items = (await api.call('GET', `/v1/webhooks/${hook.webhookId}/deliveries`)).body.items;
        return items.length === 6 && items.some((item: { attempts: number }) => item.attempts >= 1);
      },
      30_000,
      describeWorker,
    );
    await worker.kill('SIGKILL');
    receiver = Object.assign(await new WebhookReceiver(receiverPort).start(), { secrets: receiver.secrets });
    worker = startWorker();
    const delivered = await eventually(
      () => receiver.delivered('/outage').length >= 6 && receiver.delivered('/outage'),
      60_000,
      describeWorker,
    );
    const completed = delivered
      .filter((payload) => payload.type === 'order.completed')
      .map((payload) => payload.data.orderId);
    expect(completed).toEqual(orders.map(({ orderId }) => orderId));
    // Each one once in the end: the notifications the feed holds for them, no more, no fewer.
    expect(new Set(delivered.map((payload) => payload.id)).size).toBe(6);
    const items = (await api.call('GET', `/v1/webhooks/${hook.webhookId}/deliveries`)).body.items;
    expect(items.every((item: { status: string }) => item.status === 'delivered')).toBe(true);
    await api.call('DELETE', `/v1/webhooks/${hook.webhookId}`);
  });

  it('renewal and expiry notices fire as the sandbox clock moves: 30 days before expiry, then 7', async () => {
    const hook = await register('/renewals', ['reservation.renewal_upcoming', 'reservation.expiring']);
    const { customerId } = await buy();
    const reservation = await eventually(async () => {
      const items = (await api.call('GET', `/v1/customers/${customerId}/reservations`, { consistent: false })).body
        .items;
      return items?.length > 0 && items[0];
    });
    const expiry = Date.parse(reservation.expiryDate);
    const moved = await api.call('PUT', '/v1/sandbox/clock', {
      body: { now: new Date(expiry - 29 * 86_400_000).toISOString() },
    });
    expect(moved.status).toBe(200);
    const upcoming = await eventually(
      () => receiver.delivered('/renewals').find((payload) => payload.data.reservationId === reservation.reservationId),
      30_000,
      describeWorker,
    );
    expect(upcoming).toMatchObject({
      type: 'reservation.renewal_upcoming',
      occurredAt: new Date(expiry - 30 * 86_400_000).toISOString(),
      data: { daysBeforeExpiry: 30, renewal: expect.objectContaining({ quantity: 1, term: 'P1Y' }) },
    });
    await api.call('PUT', '/v1/sandbox/clock', { body: { now: new Date(expiry - 6 * 86_400_000).toISOString() } });
    await eventually(() =>
      receiver
        .delivered('/renewals')
        .some(
          (payload) => payload.data.reservationId === reservation.reservationId && payload.data.daysBeforeExpiry === 7,
        ),
    );
    await api.call('DELETE', `/v1/webhooks/${hook.webhookId}`);
  });
  it('tells endpoints whose threshold a reservation’s use over the last 7 days is under: reservation.utilization_low', async () => {
    const low = await api.call('POST', '/v1/webhooks', {
      body: {
        url: `${receiver.url}/utilization-60`,
        eventTypes: ['reservation.utilization_low'],
        utilizationThresholdPercent: 60,
      },
    });
    receiver.secrets.push(low.body.secret);
    expect(low.body.utilizationThresholdPercent).toBe(60);
    const outOfRange = await api.call('POST', '/v1/webhooks', {
      body: {
        url: `${receiver.url}/utilization-bad`,
        eventTypes: ['reservation.utilization_low'],
        utilizationThresholdPercent: 101,
      },
    });
    expect(outOfRange.body.errors).toEqual([expect.objectContaining({ field: 'utilizationThresholdPercent' })]);
    const { customerId } = await buy();
    const reservation = await eventually(async () => {
      const items = (await api.call('GET', `/v1/customers/${customerId}/reservations`, { consistent: false })).body
        .items;
      return items?.length > 0 && items[0];
    });
    const { now } = (await api.call('GET', '/v1/sandbox/clock')).body;
    // Eight days on, unused since bought: 0% over the window.
    await api.call('PUT', '/v1/sandbox/clock', {
      body: { now: new Date(Date.parse(now) + 8 * 86_400_000).toISOString() },
    });
    const notice = await eventually(
      () =>
        receiver
          .delivered('/utilization-60')
          .find((payload) => payload.data.reservationId === reservation.reservationId),
      30_000,
      describeWorker,
    );
    expect(notice).toMatchObject({
      type: 'reservation.utilization_low',
      data: { utilizationPercent: 0, usedHours: 0, reservedHours: 24 * 7 },
    });
    await api.call('DELETE', `/v1/webhooks/${low.body.webhookId}`);
  });

  it('an endpoint failing for 5 days on the Clock is disabled, with the reason shown', async () => {
    const hook = await register('/failing', ['order.completed']);
    receiver.answers.push(...Array<number>(20).fill(503));
    await api.call('POST', `/v1/webhooks/${hook.webhookId}/test`);
    await eventually(() => receiver.received.some((entry) => entry.path === '/failing'));
    const { now } = (await api.call('GET', '/v1/sandbox/clock')).body;
    await api.call('PUT', '/v1/sandbox/clock', {
      body: { now: new Date(Date.parse(now) + 5 * 86_400_000 + 60_000).toISOString() },
    });
    const disabled = await eventually(
      async () => {
        const read = (await api.call('GET', `/v1/webhooks/${hook.webhookId}`)).body;
        return read.enabled === false && read;
      },
      30_000,
      describeWorker,
    );
    expect(disabled.disabledReason).toMatch(/every delivery has failed since .*answered 503/);
    receiver.answers.length = 0;
    // Turned on again by the partner, the reason goes.
    const enabled = await api.call('PATCH', `/v1/webhooks/${hook.webhookId}`, { body: { enabled: true } });
    expect(enabled.body).toMatchObject({ enabled: true });
    expect(enabled.body.disabledReason).toBeUndefined();
    await api.call('DELETE', `/v1/webhooks/${hook.webhookId}`);
  });

  it('operators see the webhooks queue and the delivery counts', async () => {
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/webhook_deliveries_total\{outcome="delivered"\} [1-9]\d*/);
    expect(metrics).toMatch(/webhook_deliveries_total\{outcome="attempt_failed"\} [1-9]\d*/);
    expect(metrics).toMatch(/webhook_oldest_undelivered_seconds \d/);
    const queues = await fetch(`${api.url}/ops/queues/api/queues`, {
      headers: { authorization: `Basic ${Buffer.from('ops:ops').toString('base64')}` },
    });
    expect(queues.status).toBe(200);
    expect(JSON.stringify(await queues.json())).toContain('"name":"webhooks"');
  });
});
