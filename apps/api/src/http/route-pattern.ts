import { FastifyRequest } from 'fastify';

/** The route pattern a request matched (`/v1/carts/:cartId`), never its raw path; undefined when no route matched. */
export const routePattern = (request: FastifyRequest): string | undefined => request.routeOptions?.url;

/** The path of a request, without its query string. */
export const requestPath = (request: FastifyRequest): string => request.url.split('?', 1)[0];
