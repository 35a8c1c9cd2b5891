import { randomUUID } from 'node:crypto';
import { BadRequestException, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { CommandContext, Revision } from '@app/eventstore-client';
import { AuthenticatedRequest } from '../auth/api-key.guard';
import { ClockedRequest } from './request-clock.interceptor';
import { Caller } from '../auth/api-keys';
import { canonicalJson } from './canonical-json';
import { requestId } from './correlation-id';
import { routePattern } from './route-pattern';

const ID_NAMESPACE = '6b8f1f6e-2f4d-4d53-8f5e-9a3f7c1d2e40';
const REVISION = /^(?:W\/)?"?(\d{1,18})"?$/;

/** Everything a command handler needs to know about the HTTP request that carried it. */
export interface RequestContext extends CommandContext {
  caller: Caller;
  idempotencyKey?: string;
  /** From If-Match: the revision the caller last saw. */
  expectedRevision?: Revision;
  /**
   * A new entity id. With an Idempotency-Key it is derived from the key, so a
   * retried request names the same entity and the domain sees a repeat.
   */
  newId(purpose: string): string;
}

export const Ctx = createParamDecorator((_: unknown, execution: ExecutionContext): RequestContext => {
  const request = execution.switchToHttp().getRequest<AuthenticatedRequest & ClockedRequest>();
  const { caller, clockNow } = request;
  // Set by RequestClockInterceptor, which runs before every handler.
  if (clockNow === undefined) throw new Error('the request clock was not read before the handler');
  const idempotencyKey = header(request, 'idempotency-key');
  // Its format is checked, and its reuse decided, by the IdempotencyInterceptor before the handler runs.
  const ifMatch = header(request, 'if-match');
  const revision = ifMatch === undefined ? undefined : REVISION.exec(ifMatch.trim())?.[1];
  if (ifMatch !== undefined && revision === undefined) {
    throw new BadRequestException({
      code: 'INVALID_IF_MATCH',
      message: 'If-Match must be a stream revision as returned in ETag, e.g. "3"',
    });
  }
  const scoped = (purpose: string) => `${caller.partnerId}\n${purpose}\n${idempotencyKey}`;
  // Same key and same request: same command id, so the store drops a repeated append.
  const fingerprint = canonicalJson([request.method, routePattern(request), request.params, request.body]);
  return {
    caller,
    partnerId: caller.partnerId,
    actor: `${caller.partnerId}/${caller.client}`,
    role: caller.role,
    correlationId: requestId(request),
    commandId: idempotencyKey ? uuidv5(`${scoped('command')}\n${fingerprint}`, ID_NAMESPACE) : randomUUID(),
    now: clockNow,
    idempotencyKey,
    expectedRevision: revision === undefined ? undefined : BigInt(revision),
    newId: (purpose) => (idempotencyKey ? uuidv5(scoped(purpose), ID_NAMESPACE) : randomUUID()),
  };
});

/**
 * An id naming what a request does from its Idempotency-Key, so a retry after
 * a lost answer names the same thing; undefined without a key, or when the
 * request carries If-Match: then the revision it was decided on names it,
 * so requests sent with one If-Match do it once whatever their keys.
 */
export const keyedId = (context: RequestContext, purpose: string): string | undefined =>
  context.idempotencyKey !== undefined && context.expectedRevision === undefined ? context.newId(purpose) : undefined;

function header(request: AuthenticatedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
