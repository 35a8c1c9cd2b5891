import { NextFunction, Request, Response } from 'express';
import { API_KEY_HEADER } from './api-key.guard';
import { ApiKeys } from './api-keys';

/**
 * Express middleware mounted before the body parser: a /v1 request without a
 * valid partner key is refused before its body (up to 8 MB of JSON) is read,
 * so an anonymous client cannot make the API parse megabytes. ApiKeyGuard
 * still runs later and names the caller; the answer here is the one it gives.
 */
export function apiKeyBeforeBody(keys: ApiKeys) {
  return (request: Request, response: Response, next: NextFunction) => {
    if (!request.path.startsWith('/v1/')) return next();
    const header = request.headers[API_KEY_HEADER];
    if (keys.identify(Array.isArray(header) ? header[0] : header)) return next();
    // The unread body stays on the socket: close it rather than reuse it.
    response.set('Connection', 'close');
    response.status(401).json({
      statusCode: 401,
      error: 'Unauthorized',
      code: 'INVALID_API_KEY',
      message: `a valid partner API key is required in the ${API_KEY_HEADER} header`,
    });
  };
}
