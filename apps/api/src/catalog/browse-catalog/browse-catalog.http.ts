import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { Catalog, CatalogPage, notFound, Term, TERMS } from '@app/domain';
import { ApiRead } from '../../http/openapi/api-routes';
import { Ctx, RequestContext } from '../../http/request-context';
import { CatalogItemResource, CatalogPageResource } from '../catalog-item.resource';

export const MAX_PAGE_SIZE = 200;

export class CatalogQueryRequest {
  @ApiPropertyOptional({ enum: TERMS }) @IsOptional() @IsIn(TERMS) term?: Term;
  @ApiPropertyOptional({ example: 'westeurope' }) @IsOptional() @IsString() @MaxLength(50) region?: string;
  @ApiPropertyOptional({ example: 'Dsv5', description: 'Series or flexibility group' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  series?: string;
  @ApiPropertyOptional({ example: 'D4s', description: 'ARM SKU name, whole or in part' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  size?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(0) minCores?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(0) maxCores?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsNumber() @Min(0) minRamGb?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsNumber() @Min(0) maxRamGb?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsNumber() @Min(0) minPriceUsd?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsNumber() @Min(0) maxPriceUsd?: number;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
  @ApiPropertyOptional({ default: 50, maximum: MAX_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;
}

@ApiTags('catalog')
@Controller({ path: 'catalog', version: '1' })
export class BrowseCatalogController {
  constructor(private readonly catalog: Catalog) {}

  @Get()
  @ApiRead({
    type: CatalogPageResource,
    description:
      'A page of the reserved VM instance catalog items on sale now, at today’s prices, and the total that matched',
  })
  browse(@Query() query: CatalogQueryRequest, @Ctx() context: RequestContext): CatalogPage {
    return this.catalog.query(query, context.now);
  }

  @Get(':itemId')
  @ApiRead({ type: CatalogItemResource, description: 'One catalog item', errors: { 404: ['CATALOG_ITEM_NOT_FOUND'] } })
  item(@Param('itemId') itemId: string, @Ctx() context: RequestContext) {
    const item = this.catalog.get(itemId, context.now);
    if (!item) throw notFound('CATALOG_ITEM_NOT_FOUND', `catalog item ${itemId} does not exist`);
    return item;
  }
}
