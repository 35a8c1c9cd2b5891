import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import {
  Catalog,
  HOUR_MS,
  LOOK_BACK_DAYS,
  LookBackDays,
  purchaseRecommendations,
  RecommendationScope,
  Term,
  TERMS,
  usageOfSummary,
} from '@app/domain';
import { CustomerBenefitsReader, UsageStore } from '@app/discount';
import { ViewReader } from '@app/projections';
import { customerFromView } from '../../http/owned-views';
import { ApiPurchaseRecommendations } from '../usage.openapi';
import { Ctx, RequestContext } from '../../http/request-context';

export class RecommendationQuery {
  @ApiPropertyOptional({
    enum: LOOK_BACK_DAYS,
    default: 7,
    description: 'Days of usage to look back over, as Azure’s Last7Days, Last30Days and Last60Days',
  })
  @IsOptional()
  @Type(() => Number)
  @IsIn(LOOK_BACK_DAYS)
  lookBackDays?: LookBackDays;
  @ApiPropertyOptional({ enum: TERMS, default: 'P1Y' }) @IsOptional() @IsIn(TERMS) term?: Term;
  @ApiPropertyOptional({
    enum: ['single', 'shared'],
    default: 'single',
    description: 'single: per subscription, as Azure’s default; shared: across the customer’s subscriptions',
  })
  @IsOptional()
  @IsIn(['single', 'shared'])
  scope?: RecommendationScope;
}

const DAY_MS = 24 * HOUR_MS;

/**
 * What the customer should buy next, from the usage already ingested, as
 * Azure's reservation recommendations API answers it: the look-back window
 * is the whole UTC days before today. It reads the customer's daily summary,
 * a few rows per hour, not every record of up to 60 days.
 */
@ApiTags('usage')
@Controller({ path: 'customers/:customerId/recommendations', version: '1' })
export class PurchaseRecommendationsController {
  constructor(
    private readonly views: ViewReader,
    private readonly usage: UsageStore,
    private readonly benefits: CustomerBenefitsReader,
    private readonly catalog: Catalog,
  ) {}

  @Get()
  @ApiPurchaseRecommendations()
  async recommendations(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Query() query: RecommendationQuery,
    @Ctx() context: RequestContext,
  ) {
    await customerFromView(this.views, customerId, context.partnerId);
    const lookBackDays = query.lookBackDays ?? 7;
    const term = query.term ?? 'P1Y';
    const scope = query.scope ?? 'single';
    const today = Math.floor(Date.parse(context.now) / DAY_MS) * DAY_MS;
    const fromHour = new Date(today - lookBackDays * DAY_MS).toISOString();
    const toHour = new Date(today - HOUR_MS).toISOString();
    const [summary, { reservations, groupOf }] = await Promise.all([
      this.usage.summaryOf(customerId, fromHour, lookBackDays),
      this.benefits.of(customerId),
    ]);
    const usage = usageOfSummary(customerId, summary);
    const items = purchaseRecommendations({
      usage,
      reservations,
      groupOf,
      catalog: this.catalog,
      fromHour,
      lookBackDays,
      term,
      scope,
    });
    return { lookBackDays, term, scope, fromHour, toHour, items };
  }
}
