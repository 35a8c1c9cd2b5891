import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfig } from '@app/config';
import { Catalog } from '@app/domain';
import { catalogWithChanges } from './catalog-changes';
import { Exchanges } from './exchanges';
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
    Exchanges,
    { provide: ReservationLocator, useClass: ViewReservationLocator },
    { provide: Catalog, inject: [ConfigService], useFactory: (config: AppConfig) => catalogWithChanges(config.get('CATALOG_CHANGES_FILE', { infer: true })) },
  ],
  exports: [PartnerScopedReads, OrderNumbers, ReservationOrders, RefundSettlement, RenewalOrders, Exchanges, Catalog],
})
export class OrderingServicesModule {}
