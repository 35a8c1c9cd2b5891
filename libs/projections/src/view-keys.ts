/**
 * Redis key layout. A projection's views live under a generation, so a
 * rebuild can fill a fresh generation and then swap the `live` pointer in one
 * command; readers and the live runner follow the pointer. Every key of a
 * projection carries the hash tag `{name}`, so its transactions (documents,
 * checkpoint, fence and pointer together) stay on one slot of a Redis Cluster.
 * A reactor, the other kind of handler, has the same keys but no documents.
 *
 *   view:{name}:live                 → the live generation
 *   view:{name}:<gen>:<key>          → documents (strings, JSON) and indexes (sorted sets)
 *   view:{name}:<gen>:_checkpoint    → $all commit position applied last
 *   projection:{name}:lock           → single-writer lease (the holding runner's owner id, TTL)
 *   projection:{name}:fence          → fencing token, incremented by every new lock holder
 *   projection:{name}:status:<owner> → what each replica's runner reports of this handler
 */
export const viewKeys = (name: string) => ({
  live: `view:{${name}}:live`,
  generation: (gen: string) => `view:{${name}}:${gen}:`,
  key: (gen: string, key: string) => `view:{${name}}:${gen}:${key}`,
  checkpoint: (gen: string) => `view:{${name}}:${gen}:_checkpoint`,
  lock: `projection:{${name}}:lock`,
  fence: `projection:{${name}}:fence`,
  rebuildLock: `projection:{${name}}:rebuild-lock`,
  status: (owner: string) => `projection:{${name}}:status:${owner}`,
  statuses: `projection:{${name}}:status:`,
});

export const INITIAL_GENERATION = '1';
