import { Module } from '@nestjs/common';
import { BrowseCatalogController } from './browse-catalog/browse-catalog.http';

/** The reserved-instance catalog, filtered by term, region, size, cores and memory. */
@Module({ controllers: [BrowseCatalogController] })
export class CatalogModule {}
