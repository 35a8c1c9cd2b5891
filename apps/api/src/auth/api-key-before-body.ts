import { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { API_KEY_HEADER, AuthenticatedRequest } from './api-key.guard';
import { ApiKeys } from './api-keys';

/**
 * A Fastify onRequest hook, which runs before the body is read: a /v1
 * request without a valid partner key is refused before its body (up to
 * 8 MB of JSON) is parsed, so an anonymous client cannot make the API parse
 * megabytes. ApiKeyGuard still runs later, on every route, and takes the
 * caller found here; the answer here is the one it gives.
 */
export function apiKeyBeforeBody(keys: ApiKeys) {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (!request.url.startsWith('/v1/')) return done();
    const header = request.headers[API_KEY_HEADER];
    const caller = keys.identify(Array.isArray(header) ? header[0] : header);
    if (caller) {
      // Kept for ApiKeyGuard, so the key is hashed once per request.
      (request as AuthenticatedRequest).caller = caller;
      // For the request's log line (libs/logging): who called, never the key.
      (request.raw as typeof request.raw & { apiKey?: object }).apiKey = {
        partnerId: caller.partnerId,
        client: caller.client,
        role: caller.role,
      };
      return done();
    }
    // The unread body stays on the socket: close it rather than reuse it.
    void reply
      .header('Connection', 'close')
      .status(401)
      .send({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'INVALID_API_KEY',
        message: `a valid partner API key is required in the ${API_KEY_HEADER} header`,
      });
  };
}
