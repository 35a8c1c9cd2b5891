/**
 * Purchase recommendations over HTTP, from usage ingested through the API and
 * reservations in the reservations view (the API runs the projections).
 */
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { ApiHarness, CONTOSO_KEY, FABRIKAM_KEY, startApi } from '../support/api-harness';
import { eventually } from '../support/eventually';
import { seedReservationOrder } from '../support/reservation-orders';

jest.setTimeout(60_000);

const DAY_MS = 86_400_000;

describe('purchase recommendations', () => {
  let api: ApiHarness;
  beforeAll(async () => (api = await startApi()));
  afterAll(() => api.close());

  /** The 7 whole UTC days before today, hour by hour. */
  const lastWeek = () => {
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    return Array.from({ length: 168 }, (_, h) => new Date(today - 7 * DAY_MS + h * 3_600_000).toISOString());
  };

  async function customerWithUsage() {
    const customerId = (await api.call('POST', '/v1/customers', { body: { name: 'Steady Co' } })).body
      .customerId as string;
    const [steady, office] = [randomUUID(), randomUUID()];
    for (const subscriptionId of [steady, office])
      await api.call('POST', `/v1/customers/${customerId}/subscriptions`, {
        body: { subscriptionId, name: subscriptionId },
      });
    // steady: 2 × D2s_v5 in eastus every hour; office: 1 × D2s_v5 from 09:00 to 17:00 only.
    const records = lastWeek().flatMap((hour) => [
      ...[1, 2].map((v) => ({
        recordId: `${hour}/steady-${v}`,
        customerId,
        subscriptionId: steady,
        resourceId: `vm-steady-${v}`,
        region: 'eastus',
        vmSize: 'Standard_D2s_v5',
        hour,
        quantity: 1,
        payAsYouGoRateUsd: 0.096,
      })),
      ...(Number(hour.slice(11, 13)) >= 9 && Number(hour.slice(11, 13)) < 17
        ? [
            {
              recordId: `${hour}/office`,
              customerId,
              subscriptionId: office,
              resourceId: 'vm-office',
              region: 'eastus',
              vmSize: 'Standard_D2s_v5',
              hour,
              quantity: 1,
              payAsYouGoRateUsd: 0.096,
            },
          ]
        : []),
    ]);
    expect((await api.call('POST', '/v1/usage', { body: { records } })).status).toBe(202);
    return { customerId, steady, office };
  }

  it('recommends per subscription by default, from the last 7 days, in the group’s smallest size; VMs shut down at night get none', async () => {
    const { customerId, steady } = await customerWithUsage();
    const answer = await api.call('GET', `/v1/customers/${customerId}/recommendations`);
    expect(answer.status).toBe(200);
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    expect(answer.body).toMatchObject({
      lookBackDays: 7,
      term: 'P1Y',
      scope: 'single',
      fromHour: new Date(today - 7 * DAY_MS).toISOString(),
      toHour: new Date(today - 3_600_000).toISOString(),
    });
    // Hand-checked in the domain's unit tests: 336 VM-hours at 0.096 against 2 × 168 h of USD 529.80 / 8,760 h.
    expect(answer.body.items).toEqual([
      expect.objectContaining({
        scope: 'single',
        subscriptionId: steady,
        region: 'eastus',
        normalizedSize: 'Standard_D2s_v5',
        catalogItemId: 'ri-standard_d2s_v5-eastus-p1y',
        recommendedQuantity: 2,
        costWithNoReservedInstancesUsd: 32.26,
        totalCostWithReservedInstancesUsd: 20.32,
        netSavingsUsd: 11.94,
        breakEvenUtilizationPercent: 63,
      }),
    ]);
    const shared = await api.call(
      'GET',
      `/v1/customers/${customerId}/recommendations?scope=shared&lookBackDays=30&term=P3Y`,
    );
    expect(shared.status).toBe(200);
    expect(shared.body).toMatchObject({ lookBackDays: 30, term: 'P3Y', scope: 'shared' });
    // Over 30 days the week of usage is 168 of 720 hours (23%), under even the three-year term's break-even (40%): nothing saves.
    expect(shared.body.items).toEqual([]);
    const sharedWeek = await api.call('GET', `/v1/customers/${customerId}/recommendations?scope=shared&term=P3Y`);
    expect(
      sharedWeek.body.items.map((item: { subscriptionId?: string; recommendedQuantity: number }) => [
        item.subscriptionId,
        item.recommendedQuantity,
      ]),
    ).toEqual([[undefined, 2]]);
  });

  it('leaves out what an existing reservation already covers', async () => {
    const { customerId, steady, office } = await customerWithUsage();
    const store = api.app.get(EventStoreDBClient);
    const {
      reservationIds: [reservationId],
    } = await seedReservationOrder(
      store,
      { customerId, partnerId: 'partner-contoso', subscriptionIds: [steady, office] },
      [
        {
          catalogItemId: 'ri-standard_d2s_v5-eastus-p1y',
          armSkuName: 'Standard_D2s_v5',
          region: 'eastus',
          ratio: 1,
          quantity: 1,
          effectiveDate: new Date(Date.now() - 30 * DAY_MS).toISOString(),
        },
      ],
    );
    await eventually(async () => {
      const list = await api.call('GET', `/v1/customers/${customerId}/reservations`, { consistent: false });
      return (
        list.body.items?.some((item: { reservationId: string }) => item.reservationId === reservationId) || undefined
      );
    });
    const answer = await api.call('GET', `/v1/customers/${customerId}/recommendations?scope=shared`);
    // Uncovered: 1 steady VM all week and the office VM 56 hours = 224 VM-hours (21.50). One more saves: 168 h at 0.060479 plus the office hours at pay-as-you-go.
    expect(answer.body.items).toEqual([
      expect.objectContaining({
        recommendedQuantity: 1,
        costWithNoReservedInstancesUsd: 21.5,
        totalCostWithReservedInstancesUsd: 15.54,
        netSavingsUsd: 5.96,
      }),
    ]);
  });

  it('answers 400 with field messages for values Azure does not take, and 404 for an unknown customer or another partner’s', async () => {
    const { customerId } = await customerWithUsage();
    const bad = await api.call(
      'GET',
      `/v1/customers/${customerId}/recommendations?lookBackDays=10&term=P5Y&scope=everywhere`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.message).toMatch(/lookBackDays must be one of the following values: 7, 30, 60/);
    expect(bad.body.message).toMatch(/term must be one of the following values: P1Y, P3Y/);
    expect(bad.body.message).toMatch(/scope must be one of the following values: single, shared/);
    const foreign = await api.call('GET', `/v1/customers/${customerId}/recommendations`, { key: FABRIKAM_KEY });
    expect({ status: foreign.status, code: foreign.body.code }).toEqual({ status: 404, code: 'CUSTOMER_NOT_FOUND' });
    const unknown = await api.call('GET', `/v1/customers/${randomUUID()}/recommendations`, { key: CONTOSO_KEY });
    expect({ status: unknown.status, code: unknown.body.code }).toEqual({ status: 404, code: 'CUSTOMER_NOT_FOUND' });
  });
});
