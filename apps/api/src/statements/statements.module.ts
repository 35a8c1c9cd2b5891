import { Module } from '@nestjs/common';
import { MonthlyStatementController } from './monthly-statement/monthly-statement.http';

/** A customer's monthly statement of charges and credits, to reconcile against Partner Center's invoice. */
@Module({ controllers: [MonthlyStatementController] })
export class StatementsModule {}
