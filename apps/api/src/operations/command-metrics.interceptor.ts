import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { FastifyRequest, FastifyReply } from 'fastify';
import { catchError, tap, throwError } from 'rxjs';
import { httpStatusOf } from '../http/error-status';
import { routePattern } from '../http/route-pattern';
import { Metrics } from './metrics.service';

/** Counts every command (a non-GET /v1 request) by route and outcome. */
@Injectable()
export class CommandMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: Metrics) {}

  intercept(context: ExecutionContext, next: CallHandler) {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (request.method === 'GET' || !request.url.startsWith('/v1/')) return next.handle();
    const command = `${request.method} ${routePattern(request) ?? 'unknown'}`;
    const count = (status: number) =>
      this.metrics.commands.inc({ command, outcome: status < 400 ? 'accepted' : `refused_${status}` });
    return next.handle().pipe(
      tap(() => count(context.switchToHttp().getResponse<FastifyReply>().statusCode)),
      catchError((error: unknown) => {
        count(httpStatusOf(error));
        return throwError(() => error);
      }),
    );
  }
}
