import { IncomingHttpHeaders } from 'node:http';
import { FastifyRequest } from 'fastify';

/** The route pattern a request matched (`/v1/carts/:cartId`), never its raw path; undefined when no route matched. */
export const routePattern = (request: FastifyRequest): string | undefined => request.routeOptions?.url;

/** The path of a request, without its query string. */
export const requestPath = (request: FastifyRequest): string => request.url.split('?', 1)[0];

export const CORRELATION_ID_HEADER = 'x-correlation-id';

/** The caller's own correlation id, when it sent a usable one (1 to 200 printable ASCII characters). */
export const correlationIdHeader = (headers: IncomingHttpHeaders): string | undefined => {
  const header = headers[CORRELATION_ID_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[\x21-\x7e]{1,200}$/.test(value) ? value : undefined;
};

/** The request's id: its correlation id (see createApi). */
export const requestId = (request: FastifyRequest): string => request.id;
