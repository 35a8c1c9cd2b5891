import { fullest, redisMemoryOf } from './redis-memory';

describe('Redis memory for /metrics', () => {
  it('reads used_memory and maxmemory out of INFO memory, not their look-alikes', () => {
    const info =
      '# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nused_memory_rss:2097152\r\nmaxmemory:4194304\r\nmaxmemory_human:4.00M\r\nmaxmemory_policy:noeviction\r\n';
    expect(redisMemoryOf(info)).toEqual({ used: 1_048_576, max: 4_194_304 });
    expect(redisMemoryOf('used_memory:10\nmaxmemory:0\n')).toEqual({ used: 10, max: 0 });
  });

  it('of several masters, takes the one nearest its limit', () => {
    expect(
      fullest([
        { used: 900, max: 1_000 },
        { used: 5_000, max: 100_000 },
        { used: 50, max: 0 },
      ]),
    ).toEqual({ used: 900, max: 1_000 });
    expect(
      fullest([
        { used: 5, max: 0 },
        { used: 9, max: 0 },
      ]),
    ).toEqual({ used: 9, max: 0 });
  });
});
