import { Global, Module } from '@nestjs/common';
import { Exchanges } from './exchanges';
import { OrderNumbers } from './order-numbers';
import { PartnerScopedReads } from './partner-scoped-reads';
import { RefundSettlement } from './refund-settlement';
import { RenewalOrders } from './renewal-orders';
import { ReservationLocator, ViewReservationLocator } from './reservation-locator';
import { ReservationOrders } from './reservation-orders';

/** The application services on reservation orders, shared by the apps; the Catalog they price from is CatalogModule's. */
@Global()
@Module({
  providers: [
    PartnerScopedReads,
    OrderNumbers,
    ReservationOrders,
    RefundSettlement,
    RenewalOrders,
    Exchanges,
    { provide: ReservationLocator, useClass: ViewReservationLocator },
  ],
  exports: [PartnerScopedReads, OrderNumbers, ReservationOrders, RefundSettlement, RenewalOrders, Exchanges],
})
export class OrderingServicesModule {}
