import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest } from './api-key.guard';
import { defaultRoleFor, permits, REQUIRED_ROLE, RequiredRole, ROLE_FORBIDDEN } from './roles';

/**
 * Refuses a route the key's role does not allow, 403 ROLE_FORBIDDEN naming
 * the role needed, before the handler, the Idempotency-Key or the body is
 * looked at, so a refused command writes nothing. Runs after ApiKeyGuard,
 * which found the caller (public routes have none and pass).
 */
@Injectable()
export class RoleGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Partial<AuthenticatedRequest>>();
    const caller = request.caller;
    if (!caller) return true;
    const required =
      this.reflector.getAllAndOverride<RequiredRole | undefined>(REQUIRED_ROLE, [
        context.getHandler(),
        context.getClass(),
      ]) ?? defaultRoleFor(request.method ?? 'GET');
    if (permits(caller.role, required)) return true;
    throw new ForbiddenException({
      statusCode: 403,
      error: 'Forbidden',
      code: ROLE_FORBIDDEN,
      message: `this route needs a${required === 'auditor' ? 'n' : ''} ${required} key; this key (${caller.client}) is a${caller.role === 'auditor' ? 'n' : ''} ${caller.role} key`,
      details: { requiredRole: required, role: caller.role },
    });
  }
}
