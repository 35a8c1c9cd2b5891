import { v5 as uuidv5 } from 'uuid';

/** The kinds of notification a partner can subscribe a webhook to (issue #29's table), and the test one. */
export const NOTIFICATION_TYPES = [
  'order.completed',
  'order.failed',
  'order.line.failed',
  'reservation.provisioned',
  'reservation.scope_fell_back',
  'reservation.renewal_upcoming',
  'reservation.renewed',
  'reservation.renewal_failed',
  'reservation.expiring',
  'reservation.expired',
  'payment.recorded',
  'refund.recorded',
  'exchange.completed',
  'reservation.utilization_low',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number] | 'webhook.test';

/** What a receiver gets, in a delivery and in the feed alike. `id` is the same every time this notification is sent: dedupe on it. */
export interface NotificationPayload {
  id: string;
  type: NotificationType;
  occurredAt: string;
  data: Record<string, unknown>;
  links: Record<string, string>;
}

/** A notification with what routes it: whose it is, and what it is about (deliveries about one subject keep their order). */
export interface Notification extends NotificationPayload {
  partnerId: string;
  subject: string;
}

/** An event as the mapping needs it: what the store recorded. */
export interface SourceEvent {
  id: string;
  type: string;
  streamId: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

const NAMESPACE = '2d0f7c55-8f0e-4a9a-b7a4-6f3c7d7f0a11';
/** A notification's id from what makes it one: the same input always names the same notification, so a replay or a retry sends no second one. */
export const notificationId = (...parts: string[]) => uuidv5(parts.join('/'), NAMESPACE);

/** The event types the reactor follows. */
export const SOURCE_EVENT_TYPES = [
  'OrderCompleted',
  'OrderPartiallyFulfilled',
  'OrderFailed',
  'OrderLineProvisioningFailed',
  'ReservationProvisioned',
  'ReservationScopeFellBack',
  'ReservationRenewed',
  'ReservationRenewalFailed',
  'ReservationExpired',
  'ReservationPaymentRecorded',
  'RefundRecorded',
  'ExchangeCompleted',
  'ReservationExchanged',
] as const;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The partner an event belongs to: its data's when it says, else the metadata's (system actors name the partner they act for). */
export function partnerOf(event: SourceEvent): string | undefined {
  const partner = str(event.data.partnerId) ?? str(event.metadata.partnerId);
  return partner === 'system' ? undefined : partner;
}

/** The order an event on an order stream belongs to. */
const orderIdOf = (event: SourceEvent): string | undefined =>
  str(event.data.orderId) ?? (event.streamId.startsWith('order-') ? event.streamId.slice('order-'.length) : undefined);

const orderLinks = (orderId: string) => ({ order: `/v1/orders/${orderId}`, events: `/v1/orders/${orderId}/events` });
const reservationLinks = (reservationId: string, orderId?: string) => ({
  reservation: `/v1/reservations/${reservationId}`,
  ...(orderId ? { order: `/v1/orders/${orderId}` } : {}),
});

/**
 * The notifications a domain event makes: pure, so a replay of the same
 * events makes the same notifications with the same ids. Events of no
 * partner (system streams) make none.
 */
export function notificationsOf(event: SourceEvent): Notification[] {
  const partnerId = partnerOf(event);
  if (!partnerId) return [];
  const data = event.data;
  const one = (
    type: NotificationType,
    occurredAt: unknown,
    subject: string,
    body: Record<string, unknown>,
    links: Record<string, string>,
    id?: string,
  ) => [
    {
      id: id ?? notificationId(event.id, type),
      type,
      occurredAt: str(occurredAt) ?? new Date(0).toISOString(),
      partnerId,
      subject,
      data: body,
      links,
    },
  ];
  const orderId = orderIdOf(event);
  switch (event.type) {
    case 'OrderCompleted':
    case 'OrderPartiallyFulfilled': {
      const partial = event.type === 'OrderPartiallyFulfilled';
      return one(
        'order.completed',
        partial ? data.fulfilledAt : data.completedAt,
        orderId!,
        {
          orderId,
          status: partial ? 'partiallyFulfilled' : 'completed',
          reservationIds: data.reservationIds,
          ...(partial ? { failedLineNumbers: data.failedLineNumbers } : {}),
        },
        orderLinks(orderId!),
      );
    }
    case 'OrderFailed':
      return one('order.failed', data.failedAt, orderId!, { orderId, reason: data.reason }, orderLinks(orderId!));
    case 'OrderLineProvisioningFailed':
      return one(
        'order.line.failed',
        data.failedAt,
        orderId!,
        { orderId, lineNumber: data.lineNumber, code: data.code, reason: data.reason },
        orderLinks(orderId!),
      );
    case 'ReservationProvisioned':
      return one(
        'reservation.provisioned',
        data.effectiveDate,
        String(data.reservationId),
        pick(data, [
          'reservationId',
          'orderId',
          'orderNumber',
          'customerId',
          'armSkuName',
          'region',
          'quantity',
          'term',
          'billingPlan',
          'scope',
          'appliedSubscriptionIds',
          'effectiveDate',
          'expiryDate',
          'autoRenew',
          'origin',
        ]),
        reservationLinks(String(data.reservationId), orderId),
      );
    case 'ReservationScopeFellBack':
      return one(
        'reservation.scope_fell_back',
        data.fellBackAt,
        String(data.reservationId),
        pick(data, ['reservationId', 'customerId', 'fromScope', 'scope', 'appliedSubscriptionIds', 'reason']),
        reservationLinks(String(data.reservationId), orderId),
      );
    case 'ReservationRenewed':
      return one(
        'reservation.renewed',
        data.renewedAt,
        String(data.reservationId),
        pick(data, [
          'reservationId',
          'renewalOrderId',
          'renewalOrderNumber',
          'unitPriceUsd',
          'quantity',
          'term',
          'billingPlan',
        ]),
        {
          ...reservationLinks(String(data.reservationId), orderId),
          renewalOrder: `/v1/orders/${String(data.renewalOrderId)}`,
        },
      );
    case 'ReservationRenewalFailed':
      return one(
        'reservation.renewal_failed',
        data.failedAt,
        String(data.reservationId),
        pick(data, ['reservationId', 'reason']),
        reservationLinks(String(data.reservationId), orderId),
      );
    case 'ReservationExpired':
      return one(
        'reservation.expired',
        data.expiredAt,
        String(data.reservationId),
        pick(data, ['reservationId', 'expiredAt']),
        reservationLinks(String(data.reservationId), orderId),
      );
    case 'ReservationPaymentRecorded':
      return one(
        'payment.recorded',
        data.recordedAt,
        String(data.reservationId),
        pick(data, ['reservationId', 'customerId', 'paymentNumber', 'amountUsd', 'quantity', 'dueAt']),
        {
          ...reservationLinks(String(data.reservationId), orderId),
          payments: `/v1/reservations/${String(data.reservationId)}/payments`,
        },
      );
    case 'RefundRecorded':
      return one(
        'refund.recorded',
        data.refundedAt,
        String(data.reservationId ?? data.customerId),
        pick(data, ['customerId', 'reservationId', 'orderId', 'cancellationId', 'kind', 'amountUsd', 'quantity']),
        {
          ...(str(data.reservationId) ? { reservation: `/v1/reservations/${String(data.reservationId)}` } : {}),
          ...(str(data.orderId) ? { order: `/v1/orders/${String(data.orderId)}` } : {}),
        },
      );
    // An exchange is one notification, whichever of its events is seen first: its id comes from the exchange.
    case 'ExchangeCompleted':
      return one(
        'exchange.completed',
        data.completedAt,
        String(data.exchangeId),
        { exchangeId: data.exchangeId, newReservationId: data.newReservationId },
        { newReservation: `/v1/reservations/${String(data.newReservationId)}` },
        notificationId('exchange', String(data.exchangeId)),
      );
    case 'ReservationExchanged': {
      const exchangedFor = str(data.newReservationId) ?? str(data.exchangedFor);
      return one(
        'exchange.completed',
        data.exchangedAt,
        String(data.exchangeId),
        { exchangeId: data.exchangeId, ...(exchangedFor ? { newReservationId: exchangedFor } : {}) },
        exchangedFor ? { newReservation: `/v1/reservations/${exchangedFor}` } : {},
        notificationId('exchange', String(data.exchangeId)),
      );
    }
    default:
      return [];
  }
}

function pick(data: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of keys) if (data[key] !== undefined) picked[key] = data[key];
  return picked;
}

/** The payload a receiver gets: the notification without its routing. */
export const payloadOf = ({ id, type, occurredAt, data, links }: NotificationPayload): NotificationPayload => ({
  id,
  type,
  occurredAt,
  data,
  links,
});
