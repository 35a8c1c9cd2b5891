export { OrderingServicesModule } from './ordering-services.module';
export {
  CART_CUSTOMER_MAX_AGE_MS,
  PartnerScopedReads,
  ownedCart,
  ownedCustomer,
  ownedOrder,
  ownedReservation,
} from './partner-scoped-reads';
export { OrderNumbers, formatOrderNumber } from './order-numbers';
export { ReservationOrders, PlacedEvent } from './reservation-orders';
export { RefundSettlement } from './refund-settlement';
export { ExchangeAsked, ExchangeMade, ExchangeQuote, Exchanges, QuotedReturn } from './exchanges';
export { billingSubscriptionOf, RenewalOrders, renewalOrderIdFor } from './renewal-orders';
export { ReservationLocator, ReservationPlace, ViewReservationLocator } from './reservation-locator';
export { migrateReservationStreams, MigrationOptions, MigrationTally } from './reservation-streams-migration';
