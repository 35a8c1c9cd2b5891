import { ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface';
import { AuthenticatedRequest } from './api-key.guard';

/**
 * Counts requests per API key (its partner and client), not per address:
 * a partner's services sit behind NAT and proxies, and one key is one caller.
 * It runs after ApiKeyGuard, which has already refused requests without a key.
 */
@Injectable()
export class PerApiKeyThrottlerGuard extends ThrottlerGuard {
  // ThrottlerGuard's signature; the request is Fastify's.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  protected override async getTracker(request: Record<string, any>): Promise<string> {
    const caller = (request as AuthenticatedRequest).caller;
    return caller ? `key:${caller.partnerId}:${caller.client}` : `ip:${String(request.ip)}`;
  }

  /** One budget per key across all routes; the default key also names the handler. */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `rate-limit:${throttlerName}:${tracker}`;
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    // Public routes (health probes, metrics scrapes) carry no key and must never get 429.
    return !context.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new HttpException(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        error: 'Too Many Requests',
        code: 'RATE_LIMITED',
        message: `this API key may make ${detail.limit} requests per ${detail.ttl / 1000} s; retry after ${detail.timeToBlockExpire} s`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
