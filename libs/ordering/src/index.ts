export { OrderingModule } from './ordering.module';
export { PartnerScopedReads, ownedCart, ownedCustomer, ownedOrder, ownedReservation } from './partner-scoped-reads';
export { OrderNumbers, formatOrderNumber } from './order-numbers';
