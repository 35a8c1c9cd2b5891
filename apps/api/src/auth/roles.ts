import { CanActivate, ExecutionContext, ForbiddenException, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest } from './api-key.guard';

/**
 * What an API key may do (docs/api.md, Roles):
 * - `writer`: every route of its partner but the audit routes (the default, what every key could do before roles);
 * - `reader`: every GET of its partner, and nothing else;
 * - `auditor`: what a reader may, plus the audit routes; personal data comes back redacted.
 */
export const ROLES = ['writer', 'reader', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

export const ROLE_FORBIDDEN = 'ROLE_FORBIDDEN';

/**
 * The role a route needs: `reader` means any key of the partner (readers,
 * auditors and writers), `writer` a writer key, `auditor` an auditor key.
 */
export type RequiredRole = Role;

const REQUIRED_ROLE = 'required-role';

/** Sets the role a route needs; ApiCommand and ApiRead set it, and state it in the OpenAPI document. */
export const RequiresRole = (role: RequiredRole) => SetMetadata(REQUIRED_ROLE, role);

/** Whether a key of `role` may use a route that needs `required`. */
export function permits(role: Role, required: RequiredRole): boolean {
  if (required === 'reader') return true;
  return role === required;
}

/** A route without a stated role: reads need any key, everything else a writer's. */
export const defaultRoleFor = (method: string): RequiredRole => (method === 'GET' || method === 'HEAD' ? 'reader' : 'writer');

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
      this.reflector.getAllAndOverride<RequiredRole | undefined>(REQUIRED_ROLE, [context.getHandler(), context.getClass()]) ??
      defaultRoleFor(request.method ?? 'GET');
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
