import { Response } from 'express';

/** Exposes a resource's stream revision as its ETag, for If-Match on the next command. */
export function withRevision<T extends { revision: string }>(response: Response, resource: T): T {
  response.setHeader('ETag', `"${resource.revision}"`);
  return resource;
}
