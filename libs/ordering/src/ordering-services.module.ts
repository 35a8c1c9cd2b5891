import { Global, Module } from '@nestjs/common';
import { Catalog } from '@app/domain';
import { OrderNumbers } from './order-numbers';
import { PartnerScopedReads } from './partner-scoped-reads';
import { RefundSettlement } from './refund-settlement';
import { RenewalOrders } from './renewal-orders';
import { ReservationLocator, ViewReservationLocator } from './reservation-locator';
import { ReservationOrders } from './reservation-orders';

@Global()
@Module({
  providers: [
    PartnerScopedReads,
    OrderNumbers,
    ReservationOrders,
    RefundSettlement,
    RenewalOrders,
    { provide: ReservationLocator, useClass: ViewReservationLocator },
    { provide: Catalog, useFactory: () => Catalog.shipped() },
  ],
  exports: [PartnerScopedReads, OrderNumbers, ReservationOrders, RefundSettlement, RenewalOrders, Catalog],
})
export class OrderingServicesModule {}
