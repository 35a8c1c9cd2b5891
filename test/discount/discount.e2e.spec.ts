/**
 * From usage to discounted costs: the API (in-process, with projections), a
 * worker process on the same store, BullMQ on the local Redis.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { EventStoreConnection } from '@app/eventstore-client';
import { DISCOUNT_QUEUE, queuePrefix } from '@app/queues';
import { ApiHarness, FABRIKAM_KEY, startApi } from '../support/api-harness';
import { eventually as waitFor } from '../support/eventually';
import { seedReservationOrder } from '../support/reservation-orders';
import { ROOT, RunningProcess, startTsProcess } from '../support/processes';

jest.setTimeout(90_000);

const DAY = 86_400_000;
/** Midnight UTC of the day the run started: usage hours counted back from it lie in the usage window on any date. */
const RUN_DAY = Math.floor(Date.now() / DAY) * DAY;
const usageHour = (daysAgo: number, hour: number, minute = 0) =>
  new Date(RUN_DAY - daysAgo * DAY + hour * 3_600_000 + minute * 60_000).toISOString();

describe('scope discount', () => {
  let api: ApiHarness;
  let worker: RunningProcess;
  let prefix: string;

  beforeAll(async () => {
    api = await startApi();
    prefix = api.app.get(Redis).options.keyPrefix!;
    worker = startTsProcess('apps/worker/src/main.ts', {
      EVENTSTORE_URL: api.app.get(EventStoreConnection).connectionString,
      REDIS_KEY_PREFIX: prefix,
      RUN_PROJECTIONS: 'false',
      PROVISIONING_LATENCY_MS: '0',
      LOG_LEVEL: 'warn',
    });
  });
  afterAll(async () => {
    await worker.kill('SIGTERM');
    await api.close();
  });

  const eventually = <T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000) =>
    waitFor(probe, timeoutMs, () => `worker said:\n${worker.output()}`);

  it('discounts usage under a single-scope reservation, shows costs and utilization, and a rerun changes nothing', async () => {
    const customer = await api.call('POST', '/v1/customers', { body: { name: 'Usage Co' } });
    const customerId = customer.body.customerId;
    const [s1, s2] = [randomUUID(), randomUUID()];
    for (const [subscriptionId, name] of [
      [s1, 'Production'],
      [s2, 'Test'],
    ]) {
      await api.call('POST', `/v1/customers/${customerId}/subscriptions`, { body: { subscriptionId, name } });
    }
    const cart = await api.call('POST', `/v1/customers/${customerId}/carts`);
    await api.call('POST', `/v1/carts/${cart.body.cartId}/items`, {
      body: {
        catalogItemId: 'ri-standard_d4s_v5-westeurope-p1y',
        quantity: 1,
        subscriptionId: s1,
        term: 'P1Y',
        billingPlan: 'Upfront',
      },
    });
    await api.call('PUT', `/v1/carts/${cart.body.cartId}/scope`, { body: { type: 'single', subscriptionId: s1 } });
    const order = await api.call('POST', `/v1/carts/${cart.body.cartId}/purchase`);
    const reservation = await eventually(async () => {
      const list = await api.call('GET', `/v1/customers/${customerId}/reservations`, { consistent: false });
      return list.body.items?.[0];
    });
    expect(reservation).toMatchObject({
      orderId: order.body.orderId,
      armSkuName: 'Standard_D4s_v5',
      quantity: 1,
      scope: { type: 'single', subscriptionId: s1 },
    });

    // The first whole hour after the reservation took effect.
    const hour = new Date(Math.ceil(Date.parse(reservation.effectiveDate) / 3_600_000) * 3_600_000).toISOString();
    const record = (subscriptionId: string, resourceId: string, vmSize: string, payAsYouGoRateUsd: number) => ({
      customerId,
      subscriptionId,
      resourceId,
      region: 'westeurope',
      vmSize,
      hour,
      quantity: 1,
      payAsYouGoRateUsd,
    });
    const records = [
      record(s1, 'vm-a', 'Standard_D2s_v5', 0.1), // 1 unit: covered
      record(s1, 'vm-b', 'Standard_D4s_v5', 0.2), // 2 units: half covered (the reservation has 2)
      record(s2, 'vm-c', 'Standard_D2s_v5', 0.1), // another subscription: single scope does not reach it
    ];
    const ingested = await api.call('POST', '/v1/usage', { body: { records } });
    expect(ingested.status).toBe(202);
    expect(ingested.body.accepted).toBe(3);
    expect(ingested.body.jobs).toHaveLength(1);

    const costs = await eventually(async () => {
      const answer = await api.call('GET', `/v1/customers/${customerId}/costs`, { consistent: false });
      return answer.body.items?.length === 2 ? answer.body.items : undefined;
    });
    const date = hour.slice(0, 10);
    expect(costs).toEqual(
      [
        { date, subscriptionId: s1, payAsYouGoCostUsd: 0.3, discountedCostUsd: 0.1, savingsUsd: 0.2 },
        { date, subscriptionId: s2, payAsYouGoCostUsd: 0.1, discountedCostUsd: 0.1, savingsUsd: 0 },
      ].sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId)),
    );

    const utilization = await api.call('GET', `/v1/reservations/${reservation.reservationId}/utilization`);
    // Days are listed from the purchase: near midnight UTC, the discounted hour falls on the next one.
    const usedDay = utilization.body.items.find((item: { date: string }) => item.date === date);
    expect(usedDay).toMatchObject({ date, usedHours: 1 });
    const foreign = await api.call('GET', `/v1/reservations/${reservation.reservationId}/utilization`, {
      key: FABRIKAM_KEY,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('RESERVATION_NOT_FOUND');
    expect((await api.call('GET', `/v1/customers/${customerId}/costs`, { key: FABRIKAM_KEY })).status).toBe(404);
    expect(usedDay.reservedHours).toBeGreaterThan(0);

    // Rerun the same hours: no new event, same totals.
    const client = api.app.get(EventStoreDBClient);
    const stream = `discount-${customerId}-${hour.slice(0, 10).replace(/-/g, '')}`;
    const count = async () => {
      let n = 0;
      for await (const _ of client.readStream(stream)) n++;
      return n;
    };
    expect(await count()).toBe(1);
    const queue = new Queue(DISCOUNT_QUEUE, {
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: queuePrefix(prefix),
    });
    try {
      const rerun = await queue.add(
        'discount',
        { customerId, fromHour: hour, toHour: hour, partnerId: 'partner-contoso', correlationId: 'rerun' },
        { jobId: `rerun-${randomUUID()}` },
      );
      await eventually(async () => ((await rerun.getState()) === 'completed' ? true : undefined));
      expect(await rerun.getState()).toBe('completed');
      expect((await queue.getJob(rerun.id!))!.returnvalue).toEqual({ hours: 1, records: 3, written: 0 });
    } finally {
      await queue.close();
    }
    expect(await count()).toBe(1);
    expect((await api.call('GET', `/v1/customers/${customerId}/costs`)).body.items).toEqual(costs);
  });

  it('applies resource-group and management-group scopes over HTTP, narrowest first, and sends a group left empty to shared', async () => {
    const customerId = (await api.call('POST', '/v1/customers', { body: { name: 'Hierarchy Co' } })).body
      .customerId as string;
    // s1 sorts first, so a management-group reservation applied before the resource-group one would take s1's VM.
    const [s1, s2, s3] = ['00000000', '77777777', 'ffffffff'].map((prefix) => `${prefix}${randomUUID().slice(8)}`);
    for (const subscriptionId of [s1, s2, s3])
      await api.call('POST', `/v1/customers/${customerId}/subscriptions`, {
        body: { subscriptionId, name: subscriptionId },
      });

    const badId = await api.call('POST', `/v1/customers/${customerId}/management-groups`, {
      body: { managementGroupId: 'finance.', name: 'Finance' },
    });
    expect({ status: badId.status, code: badId.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(badId.body.message).toMatch(/managementGroupId must be 1 to 90 letters/);
    const created = await api.call('POST', `/v1/customers/${customerId}/management-groups`, {
      body: { managementGroupId: 'finance', name: 'Finance' },
    });
    expect(created.status).toBe(201);
    const clash = await api.call('POST', `/v1/customers/${customerId}/management-groups`, {
      body: { managementGroupId: 'finance', name: 'Sales' },
    });
    expect({ status: clash.status, code: clash.body.code }).toEqual({
      status: 409,
      code: 'MANAGEMENT_GROUP_ALREADY_EXISTS',
    });
    const unknown = await api.call('PUT', `/v1/customers/${customerId}/subscriptions/${s1}/management-group`, {
      body: { managementGroupId: 'sales' },
    });
    expect({ status: unknown.status, code: unknown.body.code }).toEqual({
      status: 404,
      code: 'MANAGEMENT_GROUP_NOT_FOUND',
    });
    // Refusals write nothing; two identical creates at once make one group.
    const customerEvents = async () => {
      const found: string[] = [];
      for await (const { event } of api.app.get(EventStoreDBClient).readStream(`customer-${customerId}`))
        found.push(event!.type);
      return found;
    };
    // The 400, the 409 and the 404 above left nothing on the customer's stream.
    expect(await customerEvents()).toEqual([
      'CustomerRegistered',
      'SubscriptionAdded',
      'SubscriptionAdded',
      'SubscriptionAdded',
      'ManagementGroupCreated',
    ]);
    const twice = await Promise.all(
      [1, 2].map(() =>
        api.call('POST', `/v1/customers/${customerId}/management-groups`, {
          body: { managementGroupId: 'operations', name: 'Operations' },
        }),
      ),
    );
    expect(twice.map((answer) => answer.status)).toEqual([201, 201]);
    expect((await customerEvents()).filter((type) => type === 'ManagementGroupCreated')).toHaveLength(2);
    // Two identical moves at once move s1 once: the second is decided on the first's result and writes nothing.
    const moves = await Promise.all(
      [s1, s1, s2].map((subscriptionId) =>
        api.call('PUT', `/v1/customers/${customerId}/subscriptions/${subscriptionId}/management-group`, {
          body: { managementGroupId: 'finance' },
        }),
      ),
    );
    expect(moves.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect((await customerEvents()).filter((type) => type === 'SubscriptionMovedToManagementGroup')).toHaveLength(2);
    const customer = await api.call('GET', `/v1/customers/${customerId}`);
    expect(customer.body.managementGroups).toEqual([
      { managementGroupId: 'finance', name: 'Finance', subscriptionIds: [s1, s2] },
      { managementGroupId: 'operations', name: 'Operations', subscriptionIds: [] },
    ]);
    expect(customer.body.subscriptions.map((s: { managementGroupId?: string }) => s.managementGroupId)).toEqual([
      'finance',
      'finance',
      undefined,
    ]);

    // The management-group reservation is bought first, so it is the earlier one.
    const buy = async (scope: object) => {
      const cart = await api.call('POST', `/v1/customers/${customerId}/carts`);
      await api.call('POST', `/v1/carts/${cart.body.cartId}/items`, {
        body: {
          catalogItemId: 'ri-standard_d2s_v5-westeurope-p1y',
          quantity: 1,
          subscriptionId: s3,
          term: 'P1Y',
          billingPlan: 'Upfront',
        },
      });
      const scoped = await api.call('PUT', `/v1/carts/${cart.body.cartId}/scope`, { body: scope });
      expect(scoped.status).toBe(200);
      return (await api.call('POST', `/v1/carts/${cart.body.cartId}/purchase`)).body.orderId as string;
    };
    const missingGroup = await api.call('POST', `/v1/customers/${customerId}/carts`);
    const noGroup = await api.call('PUT', `/v1/carts/${missingGroup.body.cartId}/scope`, {
      body: { type: 'managementGroup', managementGroupId: 'sales' },
    });
    expect({ status: noGroup.status, code: noGroup.body.code }).toEqual({
      status: 404,
      code: 'MANAGEMENT_GROUP_NOT_FOUND',
    });
    const noName = await api.call('PUT', `/v1/carts/${missingGroup.body.cartId}/scope`, {
      body: { type: 'resourceGroup', subscriptionId: s1 },
    });
    expect(noName.status).toBe(400);
    expect(noName.body.message).toMatch(/resourceGroup must be/);

    const groupOrder = await buy({ type: 'managementGroup', managementGroupId: 'finance' });
    const groupReservation = await eventually(async () => {
      const list = await api.call('GET', `/v1/customers/${customerId}/reservations`, { consistent: false });
      return list.body.items?.find((r: { orderId: string }) => r.orderId === groupOrder);
    });
    const resourceGroupOrder = await buy({ type: 'resourceGroup', subscriptionId: s1, resourceGroup: 'RG-App' });
    const resourceGroupReservation = await eventually(async () => {
      const list = await api.call('GET', `/v1/customers/${customerId}/reservations`, { consistent: false });
      return list.body.items?.find((r: { orderId: string }) => r.orderId === resourceGroupOrder);
    });
    expect(groupReservation).toMatchObject({
      scope: { type: 'managementGroup', managementGroupId: 'finance' },
      appliedSubscriptionIds: [s1, s2],
    });
    expect(resourceGroupReservation).toMatchObject({
      scope: { type: 'resourceGroup', subscriptionId: s1, resourceGroup: 'RG-App' },
      appliedSubscriptionIds: [s1],
    });

    const hour = new Date(
      Math.ceil(Date.parse(resourceGroupReservation.effectiveDate) / 3_600_000) * 3_600_000,
    ).toISOString();
    const vm = (subscriptionId: string, name: string) => ({
      customerId,
      subscriptionId,
      resourceId: `/subscriptions/${subscriptionId}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/${name}`,
      region: 'West Europe',
      vmSize: 'Standard_D2s_v5',
      hour,
      quantity: 1,
      payAsYouGoRateUsd: 0.1,
    });
    expect(
      (await api.call('POST', '/v1/usage', { body: { records: [vm(s1, 'a'), vm(s2, 'b'), vm(s3, 'c')] } })).status,
    ).toBe(202);
    const costs = await eventually(async () => {
      const answer = await api.call('GET', `/v1/customers/${customerId}/costs`, { consistent: false });
      return answer.body.items?.length === 3 ? answer.body.items : undefined;
    });
    // s1's VM is in the resource group; s2's reaches the group's reservation; s3 is in no group and pays as you go.
    expect(
      costs.map((row: { subscriptionId: string; discountedCostUsd: number }) => [
        row.subscriptionId,
        row.discountedCostUsd,
      ]),
    ).toEqual([
      [s1, 0],
      [s2, 0],
      [s3, 0.1],
    ]);
    for (const id of [groupReservation.reservationId, resourceGroupReservation.reservationId]) {
      const utilization = await api.call('GET', `/v1/reservations/${id}/utilization`);
      const usedDay = utilization.body.items.find((item: { date: string }) => item.date === hour.slice(0, 10));
      expect(usedDay).toMatchObject({ date: hour.slice(0, 10), usedHours: 1 });
    }

    // Azure: a management group with no subscription left no longer scopes anything, so the reservation applies shared.
    await api.call('DELETE', `/v1/customers/${customerId}/subscriptions/${s1}/management-group`);
    expect((await api.call('GET', `/v1/reservations/${groupReservation.reservationId}`)).body.scope.type).toBe(
      'managementGroup',
    );
    await api.call('DELETE', `/v1/customers/${customerId}/subscriptions/${s2}/management-group`);
    const fellBack = await eventually(async () => {
      const answer = await api.call('GET', `/v1/reservations/${groupReservation.reservationId}`, { consistent: false });
      return answer.body.scope?.type === 'shared' ? answer.body : undefined;
    });
    expect(fellBack.appliedSubscriptionIds).toEqual([s1, s2, s3]);
    expect((await api.call('GET', `/v1/reservations/${resourceGroupReservation.reservationId}`)).body.scope.type).toBe(
      'resourceGroup',
    );
  });

  /** A customer with one subscription, and a function to read its costs once they hold `rows` rows. */
  async function customerWithCosts(name: string) {
    const customerId = (await api.call('POST', '/v1/customers', { body: { name } })).body.customerId as string;
    const subscriptionId = randomUUID();
    await api.call('POST', `/v1/customers/${customerId}/subscriptions`, { body: { subscriptionId, name: 'Main' } });
    const costsWhen = (wanted: (items: Array<{ payAsYouGoCostUsd: number; discountedCostUsd: number }>) => boolean) =>
      eventually(async () => {
        const answer = await api.call('GET', `/v1/customers/${customerId}/costs`, { consistent: false });
        return answer.body.items && wanted(answer.body.items) ? answer.body.items : undefined;
      });
    return { customerId, subscriptionId, costsWhen };
  }

  it('recomputes an hour when a usage record is sent again with the same id and other values (a correction)', async () => {
    const { customerId, subscriptionId, costsWhen } = await customerWithCosts('Correction Co');
    const record = {
      recordId: `fix-${randomUUID()}`,
      customerId,
      subscriptionId,
      resourceId: 'vm-1',
      region: 'eastus',
      vmSize: 'Standard_D2s_v5',
      hour: usageHour(7, 10),
      quantity: 1,
      payAsYouGoRateUsd: 0.1,
    };
    const original = await api.call('POST', '/v1/usage', { body: { records: [record] } });
    await costsWhen((items) => items[0]?.payAsYouGoCostUsd === 0.1);
    const corrected = await api.call('POST', '/v1/usage', { body: { records: [{ ...record, quantity: 0.5 }] } });
    expect(corrected.status).toBe(202);
    const costs = await costsWhen((items) => items[0]?.payAsYouGoCostUsd === 0.05);
    expect(costs).toHaveLength(1);

    // Corrected back to the first values: a new job, not the first one's id (kept an hour), and the hour follows.
    const reverted = await api.call('POST', '/v1/usage', { body: { records: [record] } });
    expect(reverted.body.jobs).not.toEqual(original.body.jobs);
    // Sent twice, the same batch queues its job once.
    expect((await api.call('POST', '/v1/usage', { body: { records: [record] } })).body.jobs).toEqual(
      reverted.body.jobs,
    );
    await costsWhen((items) => items[0]?.payAsYouGoCostUsd === 0.1);
  });

  it('moves a record corrected to another hour, recomputing the hour it left', async () => {
    const { customerId, subscriptionId, costsWhen } = await customerWithCosts('Moved Co');
    const record = {
      recordId: `moved-${randomUUID()}`,
      customerId,
      subscriptionId,
      resourceId: 'vm-1',
      region: 'eastus',
      vmSize: 'Standard_D2s_v5',
      hour: usageHour(5, 10),
      quantity: 1,
      payAsYouGoRateUsd: 0.1,
    };
    await api.call('POST', '/v1/usage', { body: { records: [record] } });
    await costsWhen((items) => items[0]?.payAsYouGoCostUsd === 0.1);
    const moved = await api.call('POST', '/v1/usage', {
      body: { records: [{ ...record, hour: usageHour(5, 11), quantity: 0.5 }] },
    });
    // One job for 11:00, one for the 10:00 it left.
    expect(moved.body.jobs).toHaveLength(2);
    // Counted once, at 11:00: 0.05, not 0.15.
    expect(await costsWhen((items) => items[0]?.payAsYouGoCostUsd === 0.05)).toHaveLength(1);
  });

  it('discounts a customer-hour of 10,000 records, each event well under the store’s 1 MiB append limit', async () => {
    const { customerId, subscriptionId, costsWhen } = await customerWithCosts('Big Hour Co');
    const hour = usageHour(6, 10);
    const records = Array.from({ length: 10_000 }, (_, i) => ({
      customerId,
      subscriptionId,
      resourceId: `vm-${i}`,
      region: 'eastus',
      vmSize: 'Standard_D2s_v5',
      hour,
      quantity: 1,
      payAsYouGoRateUsd: 0.1,
    }));
    expect((await api.call('POST', '/v1/usage', { body: { records } })).status).toBe(202);
    const costs = await costsWhen((items) => items.length === 1);
    expect(costs[0].payAsYouGoCostUsd).toBeCloseTo(1_000, 6);
    const client = api.app.get(EventStoreDBClient);
    let events = 0;
    for await (const { event } of client.readStream(
      `discount-${customerId}-${hour.slice(0, 10).replaceAll('-', '')}`,
    )) {
      events++;
      expect(JSON.stringify(event!.data).length).toBeLessThan(64 * 1024);
      expect(event!.data).toMatchObject({
        date: hour.slice(0, 10),
        hours: [expect.objectContaining({ hour, recordCount: 10_000 })],
      });
    }
    expect(events).toBe(1);
  });

  it('counts a day with no matching usage as 0% utilization', async () => {
    const { customerId, subscriptionId } = await customerWithCosts('Idle Co');
    const effectiveDate = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const { reservationIds } = await seedReservationOrder(
      api.app.get(EventStoreDBClient),
      { customerId, partnerId: 'partner-contoso', subscriptionIds: [subscriptionId] },
      [
        {
          quantity: 1,
          effectiveDate,
          expiryDate: new Date(Date.parse(effectiveDate) + 365 * 86_400_000).toISOString(),
        },
      ],
    );
    const items = await eventually(async () => {
      const answer = await api.call('GET', `/v1/reservations/${reservationIds[0]}/utilization`, { consistent: false });
      return answer.status === 200 ? answer.body.items : undefined;
    });
    // Four calendar days touched, none with usage: each at 0%, the whole days reserving 24 hours.
    expect(items).toHaveLength(4);
    expect(
      items.every((day: { usedHours: number; percentage: number }) => day.usedHours === 0 && day.percentage === 0),
    ).toBe(true);
    expect(items[1]).toMatchObject({ reservedHours: 24 });
  });

  it('reserves on each day what the reservation held in each hour: a return counts from its next whole hour, not before', async () => {
    const { customerId, subscriptionId } = await customerWithCosts('Returning Co');
    const effectiveDate = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const { reservationIds } = await seedReservationOrder(
      api.app.get(EventStoreDBClient),
      { customerId, partnerId: 'partner-contoso', subscriptionIds: [subscriptionId] },
      [
        {
          quantity: 2,
          effectiveDate,
          expiryDate: new Date(Date.parse(effectiveDate) + 365 * 86_400_000).toISOString(),
        },
      ],
    );
    const [id] = reservationIds;
    const returnedAt = new Date();
    const returned = await api.call('POST', `/v1/reservations/${id}/return`, {
      body: { quantity: 1 },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(returned.status).toBe(200);
    const items = await eventually(async () => {
      const answer = await api.call('GET', `/v1/reservations/${id}/utilization`, { consistent: false });
      return answer.body.items?.length === 4 ? answer.body.items : undefined;
    });
    // Two days ago it held 2 VMs all day; today, 2 until the return's next whole hour and 1 after.
    expect(items[1]).toMatchObject({ reservedHours: 48 });
    const heldTwo = returnedAt.getUTCHours() + 1;
    expect(items[3]).toMatchObject({
      date: returnedAt.toISOString().slice(0, 10),
      reservedHours: 2 * heldTwo + (24 - heldTwo),
    });
  });

  it('shows amortized cost: the reservation spread over its hours, used hours on the subscription that used them, the rest as UnusedReservation', async () => {
    const { customerId, subscriptionId: billing } = await customerWithCosts('Amortized Co');
    const user = randomUUID();
    await api.call('POST', `/v1/customers/${customerId}/subscriptions`, {
      body: { subscriptionId: user, name: 'User' },
    });
    const today = Math.floor(Date.now() / DAY) * DAY;
    // In effect since three days ago, for 8,760 hours, at 8,760 USD: one dollar an hour.
    const effectiveDate = new Date(today - 3 * DAY).toISOString();
    // A year's term has 8,760 or 8,784 hours (a 29 February in it): priced at one dollar an hour either way.
    const expiry = new Date(effectiveDate);
    expiry.setUTCFullYear(expiry.getUTCFullYear() + 1);
    const termHours = (expiry.getTime() - Date.parse(effectiveDate)) / 3_600_000;
    const { reservationIds } = await seedReservationOrder(
      api.app.get(EventStoreDBClient),
      { customerId, partnerId: 'partner-contoso', subscriptionIds: [billing, user] },
      [
        {
          quantity: 1,
          unitPriceUsd: termHours,
          billingSubscriptionId: billing,
          effectiveDate,
          expiryDate: expiry.toISOString(),
        },
      ],
    );
    // Yesterday 10:00, one D4s_v5 (the reserved size) runs the whole hour in the other subscription.
    const yesterday = new Date(today - DAY).toISOString().slice(0, 10);
    const hour = `${yesterday}T10:00:00.000Z`;
    const vm = (resourceId: string, vmSize: string, payAsYouGoRateUsd: number) => ({
      customerId,
      subscriptionId: user,
      resourceId,
      region: 'westeurope',
      vmSize,
      hour,
      quantity: 1,
      payAsYouGoRateUsd,
    });
    await eventually(async () => {
      const listed = await api.call('GET', `/v1/reservations/${reservationIds[0]}`, { consistent: false });
      return listed.status === 200 || undefined;
    });
    expect(
      (await api.call('POST', '/v1/usage', { body: { records: [vm('big', 'Standard_D4s_v5', 0.2)] } })).status,
    ).toBe(202);
    await eventually(async () => {
      const answer = await api.call('GET', `/v1/customers/${customerId}/costs`, { consistent: false });
      return answer.body.items?.length === 1 || undefined;
    });

    const twoDaysAgo = new Date(today - 2 * DAY).toISOString().slice(0, 10);
    const amortized = await api.call(
      'GET',
      `/v1/customers/${customerId}/costs?view=amortized&from=${twoDaysAgo}&to=${yesterday}`,
    );
    expect(amortized.status).toBe(200);
    expect(amortized.body.view).toBe('amortized');
    const reservationId = reservationIds[0];
    expect(amortized.body.items).toEqual([
      // An idle day: every hour unused (use it or lose it).
      {
        date: twoDaysAgo,
        subscriptionId: billing,
        chargeType: 'UnusedReservation',
        reservationId,
        unusedHours: 24,
        costUsd: 24,
      },
      // The hour used is charged to the subscription that used it; the other 23 are unused, on the billing subscription.
      {
        date: yesterday,
        subscriptionId: user,
        chargeType: 'Usage',
        payAsYouGoChargesUsd: 0,
        reservationChargesUsd: 1,
        costUsd: 1,
      },
      {
        date: yesterday,
        subscriptionId: billing,
        chargeType: 'UnusedReservation',
        reservationId,
        unusedHours: 23,
        costUsd: 23,
      },
    ]);
    // The actual view is unchanged: usage as billed, the covered hour at no charge.
    const actual = await api.call('GET', `/v1/customers/${customerId}/costs?from=${yesterday}&to=${yesterday}`);
    expect(actual.body).toEqual({
      view: 'actual',
      items: [{ date: yesterday, subscriptionId: user, payAsYouGoCostUsd: 0.2, discountedCostUsd: 0, savingsUsd: 0.2 }],
    });
    const bad = await api.call('GET', `/v1/customers/${customerId}/costs?view=billed`);
    expect({ status: bad.status, code: bad.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('imports a usage CSV through the API with npm run usage:import, and names the line of a bad row', async () => {
    const customer = await api.call('POST', '/v1/customers', { body: { name: 'Csv Co' } });
    const subscriptionId = randomUUID();
    await api.call('POST', `/v1/customers/${customer.body.customerId}/subscriptions`, {
      body: { subscriptionId, name: 'Main' },
    });
    const dir = mkdtempSync(join(tmpdir(), 'usage-csv-'));
    const header = 'customerId,subscriptionId,resourceId,region,vmSize,hour,quantity,payAsYouGoRateUsd';
    const rows = Array.from(
      { length: 5 },
      (_, i) =>
        `${customer.body.customerId},${subscriptionId},vm-${i},eastus,Standard_D2s_v5,${usageHour(7, i)},1,0.096`,
    );
    writeFileSync(join(dir, 'good.csv'), [header, ...rows].join('\n'));
    writeFileSync(join(dir, 'bad.csv'), [header, rows[0], rows[1].replace(',1,0.096', ',lots,0.096')].join('\n'));
    const run = (file: string) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          ['-r', '@swc-node/register', join(ROOT, 'tools/usage-import.ts'), join(dir, file)],
          { cwd: ROOT, env: { ...process.env, API_URL: api.url, API_KEY: 'demo-key-contoso' } },
          (error, stdout, stderr) =>
            resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    try {
      const good = await run('good.csv');
      expect(good).toMatchObject({ code: 0 });
      expect(good.stdout).toContain('imported 5 usage records');
      const bad = await run('bad.csv');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('line 3: quantity must be a number, found "lots"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses usage for another partner’s customer, batches over 10,000 records, and bodies over the limit, storing nothing', async () => {
    const customer = await api.call('POST', '/v1/customers', { body: { name: 'Other Co' } });
    const subscriptionId = randomUUID();
    await api.call('POST', `/v1/customers/${customer.body.customerId}/subscriptions`, {
      body: { subscriptionId, name: 'Main' },
    });
    const one = {
      customerId: customer.body.customerId,
      subscriptionId,
      resourceId: 'vm',
      region: 'eastus',
      vmSize: 'Standard_D2s_v5',
      hour: usageHour(7, 10),
      quantity: 1,
      payAsYouGoRateUsd: 0.1,
    };

    const foreign = await api.call('POST', '/v1/usage', { body: { records: [one] }, key: FABRIKAM_KEY });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('CUSTOMER_NOT_FOUND');

    const tooMany = await api.call('POST', '/v1/usage', {
      body: { records: Array.from({ length: 10_001 }, () => one) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/records must contain no more than 10000 elements/);

    const notAnHour = await api.call('POST', '/v1/usage', {
      body: { records: [{ ...one, hour: usageHour(7, 10, 30), quantity: 2 }] },
    });
    expect(notAnHour.status).toBe(400);
    expect(notAnHour.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'records.0.hour',
      'records.0.quantity',
    ]);

    const huge = await api.call('POST', '/v1/usage', {
      body: JSON.stringify({ records: [one], padding: 'x'.repeat(9 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);

    const costs = await api.call('GET', `/v1/customers/${customer.body.customerId}/costs`);
    expect(costs.body.items).toEqual([]);
  });
});
