import { Request } from 'express';

/** The route pattern a request matched (`/v1/carts/:cartId`), never its raw path; undefined before routing. */
export const routePattern = (request: Request): string | undefined => (request.route as { path?: string } | undefined)?.path;

/** Express's request id (set by pino-http), or undefined. */
export const requestId = (request: Request): string | undefined => {
  const id = (request as Request & { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
};
