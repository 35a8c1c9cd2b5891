import { IncomingHttpHeaders } from 'node:http';
import { FastifyRequest } from 'fastify';

/** Names the request in logs, in error answers and in the metadata of the events it writes. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

/** The caller's own correlation id, when it sent a usable one (1 to 200 printable ASCII characters). */
export const correlationIdHeader = (headers: IncomingHttpHeaders): string | undefined => {
  const header = headers[CORRELATION_ID_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[\x21-\x7e]{1,200}$/.test(value) ? value : undefined;
};

/** The request's id, which createApi makes its correlation id. */
export const requestId = (request: FastifyRequest): string => request.id;
