import { Controller, Get, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { Request, Response } from 'express';
import { costDays, costsProjection, ViewReader } from '@app/projections';
import { ConsistentReads } from '../../http/consistent-reads';
import { iso8601Instant, IsIso8601Date, utcDayOf } from '../../http/iso-8601';
import { customerFromView } from '../../http/owned-views';
import { ApiCustomerCosts } from '../../http/openapi/usage.openapi';
import { Ctx, RequestContext } from '../../http/request-context';

export class CostQuery {
  @ApiPropertyOptional({ example: '2026-06-01' }) @IsOptional() @IsIso8601Date() from?: string;
  @ApiPropertyOptional({ example: '2026-06-30', description: 'Inclusive' }) @IsOptional() @IsIso8601Date() to?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() minPosition?: string;
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

/** A customer's costs per day and subscription: pay-as-you-go, discounted, savings. */
@ApiTags('usage')
@Controller({ path: 'customers/:customerId/costs', version: '1' })
export class CustomerCostsController {
  constructor(
    private readonly views: ViewReader,
    private readonly consistency: ConsistentReads,
  ) {}

  @Get()
  @ApiCustomerCosts()
  async costs(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Query() query: CostQuery,
    @Ctx() context: RequestContext,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    await this.consistency.ensure(costsProjection.name, request, response);
    await customerFromView(this.views, customerId, context.partnerId);
    const days = await costDays(this.views, customerId, {
      // Days are UTC days, indexed by their midnight: a bound selects the whole day it falls in.
      minScore: query.from ? utcDayOf(iso8601Instant(query.from)) : undefined,
      maxScore: query.to ? utcDayOf(iso8601Instant(query.to)) : undefined,
      limit: 1_000,
    });
    const documents = days.map(({ document }) => document);
    const rows = documents.flatMap((day) => {
      if (!day) return [];
      const totals = new Map<string, { payg: number; discounted: number }>();
      for (const perSubscription of Object.values(day.hours)) {
        for (const [subscriptionId, figures] of Object.entries(perSubscription)) {
          const sum = totals.get(subscriptionId) ?? { payg: 0, discounted: 0 };
          sum.payg += figures.payAsYouGoCostUsd;
          sum.discounted += figures.discountedCostUsd;
          totals.set(subscriptionId, sum);
        }
      }
      return [...totals.entries()].map(([subscriptionId, { payg, discounted }]) => ({
        date: day.date,
        subscriptionId,
        payAsYouGoCostUsd: round(payg),
        discountedCostUsd: round(discounted),
        savingsUsd: round(payg - discounted),
      }));
    });
    return { items: rows.sort((a, b) => a.date.localeCompare(b.date) || a.subscriptionId.localeCompare(b.subscriptionId)) };
  }
}
