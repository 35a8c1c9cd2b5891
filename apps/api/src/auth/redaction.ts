import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { map, Observable } from 'rxjs';
import type { AuthenticatedRequest } from './api-key.guard';

/** What an auditor gets instead of a field of personal data. */
export const REDACTED = '[redacted]';

const PERSONAL_FIELDS = 'personal-data-fields';

/** Marks the fields of a route's answer that are personal data: an auditor key gets them as `[redacted]`. */
export const PersonalData = (...fields: string[]) => SetMetadata(PERSONAL_FIELDS, fields);

/**
 * Auditors never see personal data (docs/audit.md): the fields a route marks
 * with @PersonalData come back as `[redacted]` to an auditor key. Other roles
 * get the answer as it is.
 */
@Injectable()
export class RedactPersonalData implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const fields = this.reflector.get<string[] | undefined>(PERSONAL_FIELDS, context.getHandler());
    const caller = context.switchToHttp().getRequest<Partial<AuthenticatedRequest>>().caller;
    if (!fields || caller?.role !== 'auditor') return next.handle();
    return next.handle().pipe(map((body: unknown) => redact(body, fields)));
  }
}

export function redact(body: unknown, fields: readonly string[]): unknown {
  if (Array.isArray(body)) return body.map((item) => redact(item, fields));
  if (body === null || typeof body !== 'object') return body;
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const field of fields) if (copy[field] !== undefined && copy[field] !== null) copy[field] = REDACTED;
  return copy;
}
