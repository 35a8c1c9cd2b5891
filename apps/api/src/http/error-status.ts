import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError } from '@app/domain';
import { ConcurrencyError } from '@app/eventstore-client';
import { isDependencyOutage } from '@app/runtime';

/**
 * How a refusal maps to HTTP, in one place for the error answers and the
 * command metrics: a rule of the business 422, an illegal state or stale
 * revision 409, something that does not exist for this caller 404, an
 * outage 503.
 */
export const STATUS_OF_KIND: Record<DomainError['kind'], HttpStatus> = {
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  rule: HttpStatus.UNPROCESSABLE_ENTITY,
};

export function httpStatusOf(error: unknown): number {
  if (error instanceof DomainError) return STATUS_OF_KIND[error.kind];
  if (error instanceof ConcurrencyError) return HttpStatus.CONFLICT;
  if (error instanceof HttpException) return error.getStatus();
  if (isDependencyOutage(error)) return HttpStatus.SERVICE_UNAVAILABLE;
  return HttpStatus.INTERNAL_SERVER_ERROR;
}
