import { Response } from 'express';

/**
 * Exposes a resource's stream revision as its ETag, for If-Match on the next
 * command, and the $all position of the write as X-Position, for
 * X-Min-Position on a read that must see it.
 */
export function withRevision<T extends { revision: string; position?: string }>(response: Response, resource: T): T {
  response.setHeader('ETag', `"${resource.revision}"`);
  if (resource.position) response.setHeader('X-Position', resource.position);
  return resource;
}
