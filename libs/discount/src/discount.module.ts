import { Module } from '@nestjs/common';
import { CustomerBenefitsReader } from './customer-benefits';
import { DiscountCalculation } from './discount-calculation';
import { DiscountProcessor } from './discount.processor';
import { UsageStore } from './usage-store';

/** Discounting in the worker. */
@Module({ providers: [UsageStore, CustomerBenefitsReader, DiscountCalculation, DiscountProcessor] })
export class DiscountWorkerModule {}
