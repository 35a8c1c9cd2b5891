import { FastifyReply, FastifyRequest } from 'fastify';
import { Clock } from '@app/clock';
import { AuthenticatedRequest } from '../auth/api-key.guard';
import { UsageBudget } from './usage-budget';

/**
 * A Fastify onRequest hook, after the API key's: a partner at its usage
 * budget is refused (429) before its batch, up to 8 MB, is parsed and
 * validated, so flooding at the budget costs the API little. Under the
 * budget the batch is read, and held against the budget as it is saved.
 */
export function usageBudgetBeforeBody(budget: UsageBudget, clock: Clock) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const { caller } = request as AuthenticatedRequest;
    if (!caller || request.method !== 'POST' || request.url.split('?')[0] !== '/v1/usage') return;
    const refusal = await budget.refusalWhenFull(caller.partnerId, await clock.now());
    if (!refusal) return;
    // The unread body stays on the socket: close it rather than reuse it.
    await reply
      .header('Connection', 'close')
      .header('Retry-After', String(refusal.retryAfterSeconds))
      .status(429)
      .send(refusal.getResponse());
    return reply;
  };
}
