import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { ALL_QUEUES } from '@app/queues';
import { AuthModule } from '../auth/auth.module';
import { OpsGate } from '../auth/ops-gate';

export const QUEUE_DASHBOARD_ROUTE = '/ops/queues';

/**
 * Bull Board at /ops/queues. It is plain Express middleware mounted outside
 * Nest's guards, so it goes through the operators' door (OpsGate) itself:
 * basic auth, failures limited per address; partner API keys do not open it.
 */
@Module({
  imports: [
    BullBoardModule.forRootAsync({
      imports: [AuthModule],
      inject: [OpsGate],
      useFactory: (gate: OpsGate) => ({
        route: QUEUE_DASHBOARD_ROUTE,
        adapter: ExpressAdapter,
        boardOptions: { uiConfig: { boardTitle: 'Reservation orders' } },
        middleware: (request: Request, response: Response, next: NextFunction) => {
          gate.check(request).then(
            (verdict) => {
              if (verdict.admitted) return next();
              response.set(verdict.headers).status(verdict.status).json(verdict.body);
            },
            // Redis, which counts the failures, is down: so are the queues this page shows.
            () =>
              response
                .set('Retry-After', '1')
                .status(503)
                .json({ statusCode: 503, error: 'Service Unavailable', code: 'DEPENDENCY_UNAVAILABLE', message: 'Redis is unavailable; retry shortly' }),
          );
        },
      }),
    }),
    BullBoardModule.forFeature(...ALL_QUEUES.map((name) => ({ name, adapter: BullMQAdapter }))),
  ],
})
export class QueueDashboardModule {}
