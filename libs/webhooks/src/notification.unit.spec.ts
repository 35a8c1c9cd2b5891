/** Given the domain's events, the notifications partners get: pure, so replays make the same ones with the same ids. */
import { expiryNoticeDue, NoticedReservation } from './expiry-notice';
import { notificationsOf, SourceEvent } from './notification';
import { utilizationNotice } from './utilization-notice';

const orderId = '0b8c5a52-3d5e-4c1a-9a57-6f2b1c0d9e11';
const reservationId = '6a1f7e0c-9b24-4d3a-8c55-1e2f3a4b5c6d';
const event = (
  type: string,
  data: Record<string, unknown>,
  metadata: Record<string, unknown> = { partnerId: 'partner-contoso' },
): SourceEvent => ({
  id: `${type}-event-id`,
  type,
  streamId: `order-${orderId}`,
  data,
  metadata,
});

describe('notifications of domain events', () => {
  it('tells the partner an order completed, with a stable id, its time and links', () => {
    const completed = event('OrderCompleted', {
      orderId,
      reservationIds: [reservationId],
      completedAt: '2027-01-30T12:00:01.000Z',
    });
    const [notification] = notificationsOf(completed);
    expect(notification).toEqual({
      id: expect.any(String),
      type: 'order.completed',
      occurredAt: '2027-01-30T12:00:01.000Z',
      partnerId: 'partner-contoso',
      subject: orderId,
      data: { orderId, status: 'completed', reservationIds: [reservationId] },
      links: { order: `/v1/orders/${orderId}`, events: `/v1/orders/${orderId}/events` },
    });
    expect(notificationsOf(completed)[0].id).toBe(notification.id);
    expect(notificationsOf({ ...completed, id: 'another-event' })[0].id).not.toBe(notification.id);
  });

  it('maps each source event to its type', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [
        'OrderPartiallyFulfilled',
        { orderId, reservationIds: [], failedLineNumbers: [2], fulfilledAt: 't' },
        'order.completed',
      ],
      ['OrderFailed', { orderId, reason: 'suspended', failedAt: 't' }, 'order.failed'],
      [
        'OrderLineProvisioningFailed',
        { orderId, lineNumber: 2, code: 'Q', reason: 'no quota', failedAt: 't' },
        'order.line.failed',
      ],
      [
        'ReservationProvisioned',
        { reservationId, orderId, partnerId: 'partner-contoso', effectiveDate: 't', expiryDate: 'u' },
        'reservation.provisioned',
      ],
      [
        'ReservationScopeFellBack',
        { reservationId, scope: { type: 'shared' }, fellBackAt: 't' },
        'reservation.scope_fell_back',
      ],
      [
        'ReservationRenewed',
        { reservationId, renewalOrderId: orderId, unitPriceUsd: 1, renewedAt: 't' },
        'reservation.renewed',
      ],
      ['ReservationRenewalFailed', { reservationId, reason: 'withdrawn', failedAt: 't' }, 'reservation.renewal_failed'],
      ['ReservationExpired', { reservationId, expiredAt: 't' }, 'reservation.expired'],
      [
        'ReservationPaymentRecorded',
        { reservationId, paymentNumber: 2, amountUsd: 88.56, recordedAt: 't' },
        'payment.recorded',
      ],
      ['RefundRecorded', { customerId: 'c', reservationId, amountUsd: 10, refundedAt: 't' }, 'refund.recorded'],
      [
        'ExchangeCompleted',
        { exchangeId: 'x-1', newReservationId: reservationId, completedAt: 't' },
        'exchange.completed',
      ],
    ];
    for (const [type, data, expected] of cases) {
      expect({ type, notified: notificationsOf(event(type, data)).map((notification) => notification.type) }).toEqual({
        type,
        notified: [expected],
      });
    }
  });

  it('makes one exchange.completed per exchange, whichever of its events comes first', () => {
    const [fromOrder] = notificationsOf(
      event('ReservationExchanged', { reservationId, exchangeId: 'x-1', newReservationId: 'r2', exchangedAt: 't' }),
    );
    const [fromExchange] = notificationsOf(
      event('ExchangeCompleted', { exchangeId: 'x-1', newReservationId: 'r2', completedAt: 't' }),
    );
    expect(fromOrder.id).toBe(fromExchange.id);
  });

  it('belongs to the partner that owns the data, and to no one for system events', () => {
    expect(
      notificationsOf(
        event('ReservationProvisioned', { reservationId, partnerId: 'partner-fabrikam' }, { partnerId: 'system' }),
      )[0].partnerId,
    ).toBe('partner-fabrikam');
    expect(
      notificationsOf(event('ReservationExpired', { reservationId, expiredAt: 't' }, { partnerId: 'system' })),
    ).toEqual([]);
    expect(notificationsOf(event('CartCreated', { cartId: 'c' }))).toEqual([]);
  });
});

describe('expiry notices, as of the Clock', () => {
  const reservation: NoticedReservation = {
    reservationId,
    orderId,
    partnerId: 'partner-contoso',
    customerId: 'c',
    status: 'Succeeded',
    expiryDate: '2028-01-30T12:00:00.000Z',
    autoRenew: true,
    quantity: 2,
    term: 'P1Y',
    billingPlan: 'Monthly',
    armSkuName: 'Standard_D4s_v5',
    region: 'westeurope',
  };

  it('is due 30 days before expiry, then 7, each once by id, never after expiry', () => {
    expect(expiryNoticeDue(reservation, '2027-12-31T11:59:59.999Z')).toBeUndefined();
    const thirty = expiryNoticeDue(reservation, '2027-12-31T12:00:00.000Z', 1040.5)!;
    expect(thirty).toMatchObject({
      type: 'reservation.renewal_upcoming',
      occurredAt: '2027-12-31T12:00:00.000Z',
      data: {
        daysBeforeExpiry: 30,
        renewal: { quantity: 2, term: 'P1Y', billingPlan: 'Monthly', unitPriceUsd: 1040.5, priceLocked: false },
      },
    });
    expect(expiryNoticeDue(reservation, '2028-01-20T00:00:00.000Z')!.id).toBe(thirty.id);
    const seven = expiryNoticeDue(reservation, '2028-01-23T12:00:00.000Z')!;
    expect(seven).toMatchObject({ occurredAt: '2028-01-23T12:00:00.000Z', data: { daysBeforeExpiry: 7 } });
    expect(seven.id).not.toBe(thirty.id);
    expect(expiryNoticeDue(reservation, '2028-01-30T12:00:00.000Z')).toBeUndefined();
  });

  it('says expiring, without a renewal, when auto-renew is off; the locked price when there is one', () => {
    expect(expiryNoticeDue({ ...reservation, autoRenew: false }, '2028-01-25T00:00:00.000Z')).toMatchObject({
      type: 'reservation.expiring',
      data: { autoRenew: false, daysBeforeExpiry: 7 },
    });
    expect(
      expiryNoticeDue(
        {
          ...reservation,
          renewalUnitPriceUsd: 990,
          renewalSettings: { quantity: 1, term: 'P3Y', billingPlan: 'Upfront' },
        },
        '2028-01-25T00:00:00.000Z',
        1040.5,
      )!.data,
    ).toMatchObject({
      renewal: { quantity: 1, term: 'P3Y', billingPlan: 'Upfront', unitPriceUsd: 990, priceLocked: true },
    });
    expect(
      expiryNoticeDue({ ...reservation, status: 'Cancelled', endedAt: 't' }, '2028-01-25T00:00:00.000Z'),
    ).toBeUndefined();
  });
});

describe('utilization notices, over the 7 whole days before the Clock’s now', () => {
  const reservation = {
    reservationId,
    orderId,
    partnerId: 'partner-contoso',
    customerId: 'c',
    status: 'Succeeded',
    quantity: 2,
    effectiveDate: '2027-03-01T10:00:00.000Z',
    expiryDate: '2028-03-01T10:00:00.000Z',
  };
  const now = '2027-03-20T00:05:00.000Z';

  it('counts idle days as 0% and names the window', () => {
    // 2 VMs × 24 h × 7 days = 336 reserved hours; 84 used, on two days of the window and one outside it.
    const notice = utilizationNotice(
      reservation,
      { '2027-03-13': 48, '2027-03-19': 36, '2027-03-20': 48, '2027-03-12': 48 },
      now,
    )!;
    expect(notice).toMatchObject({
      type: 'reservation.utilization_low',
      occurredAt: '2027-03-20T00:00:00.000Z',
      utilizationPercent: 25,
      data: {
        from: '2027-03-13T00:00:00.000Z',
        to: '2027-03-20T00:00:00.000Z',
        usedHours: 84,
        reservedHours: 336,
        utilizationPercent: 25,
      },
    });
    expect(utilizationNotice(reservation, {}, '2027-03-20T23:00:00.000Z')!.id).toBe(notice.id);
    expect(utilizationNotice(reservation, {}, '2027-03-21T00:00:00.000Z')!.id).not.toBe(notice.id);
  });

  it('judges only a reservation in effect for the whole window', () => {
    expect(utilizationNotice(reservation, {}, '2027-03-07T00:05:00.000Z')).toBeUndefined();
    expect(utilizationNotice({ ...reservation, status: 'Cancelled', endedAt: 't' }, {}, now)).toBeUndefined();
  });
});
