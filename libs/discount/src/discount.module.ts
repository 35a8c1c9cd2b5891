import { Module } from '@nestjs/common';
import { DiscountCalculation } from './discount-calculation';
import { DiscountProcessor } from './discount.processor';
import { UsageStore } from './usage-store';

/** Discounting in the worker. */
@Module({ providers: [UsageStore, DiscountCalculation, DiscountProcessor] })
export class DiscountWorkerModule {}
