import { SetMetadata } from '@nestjs/common';

/**
 * What an API key may do (docs/api.md, Roles):
 * - `writer`: every route of its partner but the audit routes (the default, what every key could do before roles);
 * - `reader`: every GET of its partner, and nothing else;
 * - `auditor`: what a reader may, plus the audit routes; personal data comes back redacted.
 */
export const ROLES = ['writer', 'reader', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role =>
  typeof value === 'string' && (ROLES as readonly string[]).includes(value);

export const ROLE_FORBIDDEN = 'ROLE_FORBIDDEN';

/**
 * The role a route needs: `reader` means any key of the partner (readers,
 * auditors and writers), `writer` a writer key, `auditor` an auditor key.
 */
export type RequiredRole = Role;

export const REQUIRED_ROLE = 'required-role';

/** Sets the role a route needs; ApiCommand and ApiRead set it, and state it in the OpenAPI document. */
export const RequiresRole = (role: RequiredRole) => SetMetadata(REQUIRED_ROLE, role);

/** Whether a key of `role` may use a route that needs `required`. */
export function permits(role: Role, required: RequiredRole): boolean {
  if (required === 'reader') return true;
  return role === required;
}

/** A route without a stated role: reads need any key, everything else a writer's. */
export const defaultRoleFor = (method: string): RequiredRole =>
  method === 'GET' || method === 'HEAD' ? 'reader' : 'writer';
