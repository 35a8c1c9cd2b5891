import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { ALL_QUEUES } from '@app/queues';
import { AuthModule } from '../auth/auth.module';
import { OpsCredentials } from '../auth/ops-credentials';

export const QUEUE_DASHBOARD_ROUTE = '/ops/queues';

/**
 * Bull Board at /ops/queues. It is plain Express middleware mounted outside
 * Nest's guards, so it carries its own basic-auth check with the operators'
 * credentials; partner API keys do not open it.
 */
@Module({
  imports: [
    BullBoardModule.forRootAsync({
      imports: [AuthModule],
      inject: [OpsCredentials],
      useFactory: (credentials: OpsCredentials) => ({
        route: QUEUE_DASHBOARD_ROUTE,
        adapter: ExpressAdapter,
        boardOptions: { uiConfig: { boardTitle: 'Reservation orders' } },
        middleware: (request: Request, response: Response, next: NextFunction) => {
          if (credentials.accepts(request.headers.authorization)) return next();
          response.setHeader('WWW-Authenticate', 'Basic realm="ops"');
          response.status(401).json({ statusCode: 401, error: 'Unauthorized', code: 'OPS_CREDENTIALS_REQUIRED', message: 'operator credentials are required' });
        },
      }),
    }),
    BullBoardModule.forFeature(...ALL_QUEUES.map((name) => ({ name, adapter: BullMQAdapter }))),
  ],
})
export class QueueDashboardModule {}
