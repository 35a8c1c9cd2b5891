import { Controller, Get, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { FastifyRequest, FastifyReply } from 'fastify';
import { costDays, costsProjection, subscriptionTotals, ViewReader } from '@app/projections';
import { ConsistentReads } from '../../http/consistent-reads';
import { iso8601Instant, IsIso8601Date, utcDayOf } from '../../http/iso-8601';
import { customerFromView } from '../../http/owned-views';
import { ApiCustomerCosts } from '../usage.openapi';
import { amortizedCosts, MAX_COST_DAYS } from './amortized-costs';
import { Ctx, RequestContext } from '../../http/request-context';

export class CostQuery {
  @ApiPropertyOptional({ example: '2026-06-01' }) @IsOptional() @IsIso8601Date() from?: string;
  @ApiPropertyOptional({ example: '2026-06-30', description: 'Inclusive' }) @IsOptional() @IsIso8601Date() to?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() minPosition?: string;
  @ApiPropertyOptional({
    enum: ['actual', 'amortized'],
    default: 'actual',
    description: 'actual: usage as billed; amortized: reservations spread over their hours',
  })
  @IsOptional()
  @IsIn(['actual', 'amortized'])
  view?: 'actual' | 'amortized';
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

/** A customer's costs per day: actual (pay-as-you-go, discounted, savings per subscription) or amortized. */
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
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    await this.consistency.ensure(costsProjection.name, request, response);
    await customerFromView(this.views, customerId, context.partnerId);
    // Days are UTC days, indexed by their midnight: a bound selects the whole day it falls in.
    const range = {
      fromMs: query.from ? utcDayOf(iso8601Instant(query.from)) : undefined,
      toMs: query.to ? utcDayOf(iso8601Instant(query.to)) : undefined,
    };
    if (query.view === 'amortized')
      return { view: 'amortized', items: await amortizedCosts(this.views, customerId, range, context.now) };
    const days = await costDays(this.views, customerId, {
      minScore: range.fromMs,
      maxScore: range.toMs,
      limit: MAX_COST_DAYS,
    });
    const documents = days.map(({ document }) => document);
    const rows = documents.flatMap((day) => {
      if (!day) return [];
      return [...subscriptionTotals(day).entries()].map(
        ([subscriptionId, { payAsYouGoCostUsd: payg, discountedCostUsd: discounted }]) => ({
          date: day.date,
          subscriptionId,
          payAsYouGoCostUsd: round(payg),
          discountedCostUsd: round(discounted),
          savingsUsd: round(payg - discounted),
        }),
      );
    });
    return {
      view: 'actual',
      items: rows.sort((a, b) => a.date.localeCompare(b.date) || a.subscriptionId.localeCompare(b.subscriptionId)),
    };
  }
}
