import { InjectQueue } from '@nestjs/bullmq';
import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Queue } from 'bullmq';
import { v5 as uuidv5 } from 'uuid';
import { AppConfig } from '@app/config';
import { DomainError, firstHourOutside, ruleViolated, UsageRecord, usageWindow } from '@app/domain';
import { enqueueDiscounts, UsageStore } from '@app/discount';
import { PartnerScopedReads } from '@app/ordering';
import { DISCOUNT_QUEUE } from '@app/queues';
import { correction, UsageBudget } from '../../budgets/usage-budget';
import { iso8601Instant, IsIso8601Date } from '../../http/iso-8601';
import { IsResourceGroupName } from '../../http/openapi/scope.resource';
import { ApiIngestUsage } from '../usage.openapi';
import { Ctx, RequestContext } from '../../http/request-context';

export const MAX_USAGE_BATCH = 10_000;
const RECORD_NAMESPACE = '9b1e4f2c-3a7d-4e86-b5c0-7f2d8a6e1c34';

export class UsageRecordRequest {
  @ApiPropertyOptional({
    description: 'Unique id of the record; derived from subscription, resource and hour when omitted',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  recordId?: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() customerId: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() subscriptionId: string;
  @ApiProperty({ example: '/subscriptions/…/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-1' })
  @IsString()
  @MaxLength(500)
  resourceId: string;
  @ApiPropertyOptional({
    example: 'rg-web',
    description: 'The VM’s resource group; read from an ARM resourceId when omitted',
  })
  @IsOptional()
  @IsResourceGroupName()
  resourceGroup?: string;
  @ApiProperty({ example: 'westeurope' }) @IsString() @MaxLength(50) region: string;
  @ApiProperty({ example: 'Standard_D4s_v5' }) @IsString() @MaxLength(100) vmSize: string;
  @ApiProperty({ example: '2026-06-01T10:00:00Z', description: 'Start of a UTC hour, in any ISO 8601 form' })
  @IsIso8601Date({ startOfHour: true })
  hour: string;
  @ApiProperty({ minimum: 0, maximum: 1, description: 'VM-hours in that hour' })
  @IsNumber()
  @Min(0)
  @Max(1)
  quantity: number;
  @ApiProperty({ example: 0.192, description: 'The compute rate per hour: what a reservation covers' })
  @IsNumber()
  @Min(0)
  @Max(1_000)
  payAsYouGoRateUsd: number;
  @ApiPropertyOptional({
    example: 0.092,
    description: 'The software licence rate per hour (Windows and other licensed images): always charged',
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1_000)
  licenseRateUsd?: number;
  @ApiPropertyOptional({ description: 'A spot VM: never covered by a reservation' })
  @IsOptional()
  @IsBoolean()
  spot?: boolean;
}

export class IngestUsageRequest {
  @ApiProperty({ type: [UsageRecordRequest], maxItems: MAX_USAGE_BATCH })
  @ValidateNested({ each: true })
  @Type(() => UsageRecordRequest)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_USAGE_BATCH)
  records: UsageRecordRequest[];
}

/**
 * Usage in, discount jobs out: one job per customer for the batch's hours.
 * Hours are taken within the usage window only, and records within the
 * partner's budget; a batch refused for either stores nothing.
 */
@ApiTags('usage')
@Controller({ path: 'usage', version: '1' })
export class IngestUsageController {
  private readonly retentionDays: number;

  constructor(
    private readonly store: UsageStore,
    private readonly reads: PartnerScopedReads,
    private readonly budget: UsageBudget,
    @InjectQueue(DISCOUNT_QUEUE) private readonly queue: Queue,
    @Inject(ConfigService) config: AppConfig,
  ) {
    this.retentionDays = config.get('USAGE_RETENTION_DAYS', { infer: true });
  }

  @Post()
  @HttpCode(202)
  @ApiIngestUsage()
  async ingest(@Body() body: IngestUsageRequest, @Ctx() context: RequestContext) {
    // An hour the store would expire at once, or never, is refused before anything is read or stored.
    const window = usageWindow(context.now, this.retentionDays);
    const outside = firstHourOutside(
      body.records.map((record) => iso8601Instant(record.hour)),
      window,
    );
    if (outside >= 0) {
      throw new DomainError(
        'USAGE_HOUR_OUT_OF_RANGE',
        `records[${outside}].hour ${body.records[outside].hour} is outside the usage window: from ${window.from} (USAGE_RETENTION_DAYS before now) to ${window.to}`,
        'rule',
        { index: outside, from: window.from, to: window.to },
      );
    }
    // Every customer must be the partner's, and every subscription the customer's, before anything is stored.
    const customers = new Map<string, Set<string>>();
    for (const record of body.records) {
      if (!customers.has(record.customerId)) {
        const { state } = await this.reads.customer(record.customerId, context.partnerId);
        customers.set(record.customerId, new Set(Object.keys(state.subscriptions)));
      }
      if (!customers.get(record.customerId)!.has(record.subscriptionId)) {
        throw ruleViolated(
          'USAGE_SUBSCRIPTION_UNKNOWN',
          `subscription ${record.subscriptionId} is not a subscription of customer ${record.customerId}`,
        );
      }
    }
    const records: UsageRecord[] = body.records.map((record) => {
      // Any ISO 8601 form in, one form on: the store and the engine read the hour with Date.parse.
      const hour = new Date(iso8601Instant(record.hour)).toISOString();
      return {
        ...record,
        hour,
        recordId: record.recordId ?? uuidv5(`${record.subscriptionId}/${record.resourceId}/${hour}`, RECORD_NAMESPACE),
      };
    });
    // Room for what the batch adds is held before the save and set to what it added after: records sent again add nothing.
    const adding = await this.store.newRecordsByDay(records);
    await this.budget.hold(context.partnerId, adding, context.now);
    let saved: Awaited<ReturnType<UsageStore['save']>>;
    try {
      saved = await this.store.save(records);
    } catch (error) {
      await this.budget.adjust(context.partnerId, correction(new Map(), adding)).catch(() => undefined);
      throw error;
    }
    await this.budget.adjust(context.partnerId, correction(saved.addedByDay, adding));
    const jobIds = await enqueueDiscounts(
      this.queue,
      saved.ranges.map((range) => ({ ...range, partnerId: context.partnerId, correlationId: context.correlationId })),
      records,
    );
    return { accepted: records.length, jobs: jobIds };
  }
}
