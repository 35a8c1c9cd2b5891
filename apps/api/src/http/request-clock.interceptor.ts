import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { from, Observable, switchMap } from 'rxjs';
import { Clock } from '@app/clock';

export type ClockedRequest = FastifyRequest & { clockNow?: string };

/**
 * Reads the Clock once per request, before the handler: the request's
 * business time (RequestContext.now), one instant for all it decides.
 * Asynchronous, as the sandbox clock lives in Redis, so it cannot be read
 * where the context is built.
 */
@Injectable()
export class RequestClockInterceptor implements NestInterceptor {
  constructor(private readonly clock: Clock) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() !== 'http') return next.handle();
    const request = execution.switchToHttp().getRequest<ClockedRequest>();
    return from(this.clock.now()).pipe(
      switchMap((now) => {
        request.clockNow = now;
        return next.handle();
      }),
    );
  }
}
