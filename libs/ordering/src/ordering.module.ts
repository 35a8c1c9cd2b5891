import { Global, Module } from '@nestjs/common';
import { Catalog } from '@app/domain';
import { OrderNumbers } from './order-numbers';
import { PartnerScopedReads } from './partner-scoped-reads';

@Global()
@Module({
  providers: [PartnerScopedReads, OrderNumbers, { provide: Catalog, useFactory: () => Catalog.shipped() }],
  exports: [PartnerScopedReads, OrderNumbers, Catalog],
})
export class OrderingModule {}
