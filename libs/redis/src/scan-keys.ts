import { Redis } from 'ioredis';

/**
 * Keys matching `pattern`, as the connection's other commands name them.
 * ioredis adds its keyPrefix to key arguments but not to SCAN's pattern nor
 * to what SCAN returns, so both are adjusted here.
 */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const prefix = redis.options.keyPrefix ?? '';
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}${pattern}`, 'COUNT', '1000');
    for (const key of keys) found.push(key.slice(prefix.length));
    cursor = next;
  } while (cursor !== '0');
  return found;
}

export const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');
