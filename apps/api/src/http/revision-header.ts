import { FastifyReply } from 'fastify';

/**
 * Exposes a resource's stream revision as its ETag, for If-Match on the next
 * command, and the $all position of the write as X-Position, for
 * X-Min-Position on a read that must see it.
 */
export function withRevision<T extends { revision: string; position?: string }>(
  response: FastifyReply,
  resource: T,
): T {
  response.header('ETag', `"${resource.revision}"`);
  if (resource.position) response.header('X-Position', resource.position);
  return resource;
}
