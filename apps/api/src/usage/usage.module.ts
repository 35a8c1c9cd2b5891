import { Module } from '@nestjs/common';
import { CustomerBenefitsReader, UsageStore } from '@app/discount';
import { CustomerCostsController } from './customer-costs/customer-costs.http';
import { IngestUsageController } from './ingest-usage/ingest-usage.http';
import { PurchaseRecommendationsController } from './purchase-recommendations/purchase-recommendations.http';
import { ReservationUtilizationController } from './reservation-utilization/reservation-utilization.http';

/** VM usage in, and what the reservations' discount made of it: costs and utilization; and what to buy next. */
@Module({
  controllers: [
    IngestUsageController,
    CustomerCostsController,
    ReservationUtilizationController,
    PurchaseRecommendationsController,
  ],
  providers: [UsageStore, CustomerBenefitsReader],
})
export class UsageModule {}
