export const FULFILMENT_QUEUE = 'fulfilment';
/** Orders whose fulfilment exhausted its attempts, parked for an operator. */
export const FULFILMENT_DEAD_LETTER_QUEUE = 'fulfilment-dead-letter';
export const DISCOUNT_QUEUE = 'discount';
/** The daily pass over reservations near or past their end: price locks, renewals, expiry. */
export const RESERVATION_LIFECYCLE_QUEUE = 'reservation-lifecycle';

/** Webhook deliveries, one job per delivery, and the expiry-notice pass (libs/webhooks). */
export const WEBHOOKS_QUEUE = 'webhooks';

export const ALL_QUEUES = [
  FULFILMENT_QUEUE,
  FULFILMENT_DEAD_LETTER_QUEUE,
  DISCOUNT_QUEUE,
  RESERVATION_LIFECYCLE_QUEUE,
  WEBHOOKS_QUEUE,
] as const;

export const FULFILMENT_ATTEMPTS = 5;
