import { CanActivate, ExecutionContext, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { ApiKeys, Caller } from './api-keys';

export const API_KEY_HEADER = 'x-api-key';
const PUBLIC = 'public-route';

/** Marks a route that needs no API key (health, metrics). */
export const Public = () => SetMetadata(PUBLIC, true);

export type AuthenticatedRequest = FastifyRequest & { caller: Caller };

/** Every route needs a partner API key unless marked @Public(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeys,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers[API_KEY_HEADER];
    // Found already by apiKeyBeforeBody on /v1 routes.
    const caller =
      (request as Partial<AuthenticatedRequest>).caller ??
      this.keys.identify(Array.isArray(header) ? header[0] : header);
    if (!caller)
      throw new UnauthorizedException({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'INVALID_API_KEY',
        message: `a valid partner API key is required in the ${API_KEY_HEADER} header`,
      });
    request.caller = caller;
    return true;
  }
}
