/** What a Redis server holds against its limit. */
export interface RedisMemory {
  used: number;
  /** maxmemory; 0 is no limit. */
  max: number;
}

/** used_memory and maxmemory out of the text of INFO memory. */
export function redisMemoryOf(info: string): RedisMemory {
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)\\r?$`, 'm').exec(info)?.[1] ?? 0);
  return { used: field('used_memory'), max: field('maxmemory') };
}

const share = ({ used, max }: RedisMemory) => (max > 0 ? used / max : 0);

/** The server nearest its limit; with none set, the one using most. */
export const fullest = (servers: RedisMemory[]): RedisMemory =>
  servers.reduce((worst, next) =>
    share(next) > share(worst) || (share(next) === share(worst) && next.used > worst.used) ? next : worst,
  );
