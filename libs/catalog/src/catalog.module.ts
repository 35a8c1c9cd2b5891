import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfig } from '@app/config';
import { Catalog } from '@app/domain';
import { catalogWithChanges } from './catalog-changes';

/** The one Catalog of a process, for every module that prices or checks an item: as shipped, with CATALOG_CHANGES_FILE's changes. */
@Global()
@Module({
  providers: [
    {
      provide: Catalog,
      inject: [ConfigService],
      useFactory: (config: AppConfig) => catalogWithChanges(config.get('CATALOG_CHANGES_FILE', { infer: true })),
    },
  ],
  exports: [Catalog],
})
export class CatalogModule {}
