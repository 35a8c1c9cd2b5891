export const FULFILMENT_QUEUE = 'fulfilment';
/** Orders whose fulfilment exhausted its attempts, parked for an operator. */
export const FULFILMENT_DEAD_LETTER_QUEUE = 'fulfilment-dead-letter';
export const DISCOUNT_QUEUE = 'discount';

export const ALL_QUEUES = [FULFILMENT_QUEUE, FULFILMENT_DEAD_LETTER_QUEUE, DISCOUNT_QUEUE] as const;

export const FULFILMENT_ATTEMPTS = 5;
