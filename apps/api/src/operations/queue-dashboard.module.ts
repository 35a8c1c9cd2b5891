import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { BullBoardModule } from '@bull-board/nestjs';
import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ALL_QUEUES } from '@app/queues';
import { AuthModule } from '../auth/auth.module';
import { requestPath } from '../http/route-pattern';
import { OpsGate } from '../auth/ops-gate';

export const QUEUE_DASHBOARD_ROUTE = '/ops/queues';

const isDashboardPath = (path: string | undefined) =>
  path === QUEUE_DASHBOARD_ROUTE || (path?.startsWith(`${QUEUE_DASHBOARD_ROUTE}/`) ?? false);

/**
 * The operators' door in front of every path of the board (its page, its
 * assets, its API), as a Fastify hook: the board's routes are its own, so
 * Nest's guards never see them.
 */
@Injectable()
class QueueDashboardDoor implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly gate: OpsGate,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      // The route matched, not the raw URL: a percent-encoded path reaches the same route.
      if (!isDashboardPath(request.routeOptions.url) && !isDashboardPath(requestPath(request))) return;
      const verdict = await this.gate.check(request).catch(() => undefined);
      if (!verdict) {
        // Redis, which counts the failures, is down: so are the queues this page shows.
        return reply.header('Retry-After', '1').status(503).send({
          statusCode: 503,
          error: 'Service Unavailable',
          code: 'DEPENDENCY_UNAVAILABLE',
          message: 'Redis is unavailable; retry shortly',
        });
      }
      if (!verdict.admitted) return reply.headers(verdict.headers).status(verdict.status).send(verdict.body);
    });
  }
}

/**
 * Bull Board at /ops/queues. It is a Fastify plugin mounted outside Nest's
 * guards, so it goes through the operators' door (OpsGate) itself:
 * basic auth, failures limited per address; partner API keys do not open it.
 */
@Module({
  providers: [QueueDashboardDoor],
  imports: [
    AuthModule,
    BullBoardModule.forRoot({
      route: QUEUE_DASHBOARD_ROUTE,
      adapter: FastifyAdapter,
      boardOptions: { uiConfig: { boardTitle: 'Reservation orders' } },
    }),
    BullBoardModule.forFeature(...ALL_QUEUES.map((name) => ({ name, adapter: BullMQAdapter }))),
  ],
})
export class QueueDashboardModule {}
