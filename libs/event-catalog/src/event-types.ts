import { EventType } from './event-type';
import { AUDIT_EVENTS } from './events/audit.events';
import { CART_EVENTS } from './events/cart.events';
import { CUSTOMER_EVENTS } from './events/customer.events';
import { DISCOUNT_EVENTS } from './events/discount.events';
import { EXCHANGE_EVENTS } from './events/exchange.events';
import { ORDER_EVENTS } from './events/order.events';
import { REFUND_LEDGER_EVENTS } from './events/refund-ledger.events';
import { RESERVATION_EVENTS } from './events/reservation.events';
import { SANDBOX_CLOCK_EVENTS } from './events/sandbox-clock.events';
import { WEBHOOK_EVENTS } from './events/webhook.events';

export { EventType } from './event-type';

/** Every event type the system writes, aggregate by aggregate. Add one to its aggregate's file (events/), with its schema, in the same change that adds it to libs/domain. */
export const EVENT_TYPES: EventType[] = [
  ...CUSTOMER_EVENTS,
  ...CART_EVENTS,
  ...ORDER_EVENTS,
  ...RESERVATION_EVENTS,
  ...REFUND_LEDGER_EVENTS,
  ...DISCOUNT_EVENTS,
  ...SANDBOX_CLOCK_EVENTS,
  ...EXCHANGE_EVENTS,
  ...AUDIT_EVENTS,
  ...WEBHOOK_EVENTS,
];
