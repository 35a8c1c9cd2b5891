export { OrderingModule } from './ordering.module';
export { PartnerScopedReads } from './partner-scoped-reads';
export { OrderNumbers, formatOrderNumber } from './order-numbers';
