import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { OpsBasicAuthGuard } from '../auth/ops-basic-auth.guard';
import { CommandMetricsInterceptor } from './command-metrics.interceptor';
import { MetricsController } from './metrics.controller';
import { Metrics } from './metrics.service';
import { ProjectionStatusController } from './projection-status.http';
import { QueueDashboardModule } from './queue-dashboard.module';

/** What operators watch: /metrics, the projections' state and the queue dashboard. */
@Module({
  imports: [QueueDashboardModule],
  controllers: [ProjectionStatusController, MetricsController],
  providers: [Metrics, OpsBasicAuthGuard, { provide: APP_INTERCEPTOR, useClass: CommandMetricsInterceptor }],
  exports: [Metrics],
})
export class OperationsModule {}
