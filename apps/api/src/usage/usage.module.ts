import { Module } from '@nestjs/common';
import { UsageStore } from '@app/discount';
import { CustomerCostsController } from './customer-costs/customer-costs.http';
import { IngestUsageController } from './ingest-usage/ingest-usage.http';
import { ReservationUtilizationController } from './reservation-utilization/reservation-utilization.http';

/** VM usage in, and what the reservations' discount made of it: costs and utilization. */
@Module({
  controllers: [IngestUsageController, CustomerCostsController, ReservationUtilizationController],
  providers: [UsageStore],
})
export class UsageModule {}
