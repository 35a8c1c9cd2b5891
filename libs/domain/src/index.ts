export * from './shared/decider';
export * from './shared/domain-error';
export * from './shared/money';
export * from './shared/hours';
export * from './shared/calendar';
export * from './shared/scope';
export * from './catalog/catalog-item';
export * from './catalog/catalog';
export * from './customer/customer.decider';
export * from './customer/scope-subscriptions';
export * from './cart/cart.decider';
export * from './order/order';
export * from './order/order.decider';
export { returnQuantityInvalid, ReservationChangeCommand } from './order/reservation-changes.decider';
export { ReservationExchangeCommand } from './order/reservation-exchange.decider';
export {
  legacyReservationStream,
  madeFrom,
  MigrateReservationStreams,
  reservationsOutsideOrder,
} from './order/reservation-streams-migration';
export * from './reservation/reservation.events';
export * from './reservation/reservation';
export * from './discount/discount-engine';
export * from './reservation/reservation.decider';
export * from './reservation/reservation-changes';
export * from './reservation/refund-quote';
export * from './reservation/refund-ledger.decider';
export * from './discount/discount.decider';
export * from './discount/amortized-cost';
export * from './discount/usage-window';
export * from './recommendation/purchase-recommendations';
export * from './recommendation/usage-summary';
export * from './reservation/payment-schedule';
export * from './sandbox/sandbox-clock.decider';
export * from './reservation/exchange';
export * from './reservation/exchange.decider';
export * from './statement/statement';
export * from './audit/audit-anchor.decider';
export * from './webhook/webhook-registry.decider';
