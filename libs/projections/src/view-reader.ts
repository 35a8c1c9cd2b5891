import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { scanKeys } from '@app/redis';
import { HandlerStatus } from './runner/handler-slot';
import { INITIAL_GENERATION, viewKeys } from './view-keys';

export interface IndexEntry {
  member: string;
  score: number;
}

/** Where a newest-first page ends; the next page starts strictly after it. */
export interface IndexCursor {
  score: number;
  member: string;
}

/** Which part of an index a page holds: a score range, after a cursor, at most `limit` entries. */
export interface PageOptions {
  minScore?: number;
  maxScore?: number;
  after?: IndexCursor;
  limit: number;
}

/** Reads views through each projection's live generation pointer. Never touches the event store. */
@Injectable()
export class ViewReader {
  constructor(@Inject(Redis) private readonly redis: Redis) {}

  private async generation(projection: string): Promise<string> {
    return (await this.redis.get(viewKeys(projection).live)) ?? INITIAL_GENERATION;
  }

  async document<T>(projection: string, key: string): Promise<T | undefined> {
    const [value] = await this.documents<T>(projection, [key]);
    return value;
  }

  async documents<T>(projection: string, keys: string[]): Promise<Array<T | undefined>> {
    if (keys.length === 0) return [];
    const generation = await this.generation(projection);
    let values = await this.redis.mget(keys.map((key) => viewKeys(projection).key(generation, key)));
    // A replay swapped the generation between the two reads and deleted the old one: read the new one.
    const swapped = values.includes(null) ? await this.swappedFrom(projection, generation) : undefined;
    if (swapped) values = await this.redis.mget(keys.map((key) => viewKeys(projection).key(swapped, key)));
    return values.map((value) => (value === null ? undefined : (JSON.parse(value) as T)));
  }

  /** The live generation when it is no longer `generation`. */
  private async swappedFrom(projection: string, generation: string): Promise<string | undefined> {
    const now = await this.generation(projection);
    return now === generation ? undefined : now;
  }

  async checkpoint(projection: string): Promise<bigint | undefined> {
    const value = await this.redis.get(viewKeys(projection).checkpoint(await this.generation(projection)));
    return value === null ? undefined : BigInt(value);
  }

  /** Waits until the projection has applied `position`; false when it has not within the timeout. */
  async reached(projection: string, position: bigint, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const checkpoint = await this.checkpoint(projection);
      if (checkpoint !== undefined && checkpoint >= position) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Index entries newest first (highest score), within [minScore, maxScore],
   * starting strictly after `after`. Members sharing a score are ordered by
   * member, so the cursor is exact even on ties.
   */
  async page(projection: string, index: string, options: PageOptions): Promise<IndexEntry[]> {
    const generation = await this.generation(projection);
    const entries = await this.pageOf(viewKeys(projection).key(generation, index), options);
    // Empty because a replay swapped the generation in between and deleted the old one: read the new one.
    const swapped = entries.length === 0 ? await this.swappedFrom(projection, generation) : undefined;
    return swapped ? this.pageOf(viewKeys(projection).key(swapped, index), options) : entries;
  }

  private async pageOf(key: string, options: PageOptions): Promise<IndexEntry[]> {
    const max = options.after
      ? String(options.after.score)
      : options.maxScore === undefined
        ? '+inf'
        : String(options.maxScore);
    const min = options.minScore === undefined ? '-inf' : String(options.minScore);
    const entries: IndexEntry[] = [];
    let offset = 0;
    while (entries.length < options.limit) {
      const chunk = await this.redis.zrevrangebyscore(key, max, min, 'WITHSCORES', 'LIMIT', offset, options.limit + 10);
      if (chunk.length === 0) break;
      for (let i = 0; i < chunk.length; i += 2) {
        const entry = { member: chunk[i], score: Number(chunk[i + 1]) };
        // Same-score members come in descending member order; those at or above the cursor's were already returned.
        if (options.after && entry.score === options.after.score && entry.member >= options.after.member) continue;
        entries.push(entry);
        if (entries.length === options.limit) break;
      }
      offset += chunk.length / 2;
    }
    return entries;
  }

  /** A page of an index with the documents its members name: the one way every view's lists are read. */
  async listed<T>(
    projection: string,
    index: string,
    documentKey: (member: string) => string,
    options: PageOptions,
  ): Promise<Array<{ entry: IndexEntry; document: T | undefined }>> {
    const entries = await this.page(projection, index, options);
    const documents = await this.documents<T>(
      projection,
      entries.map((entry) => documentKey(entry.member)),
    );
    return entries.map((entry, i) => ({ entry, document: documents[i] }));
  }

  /** What the runners report of every handler, views and reactors alike: each replica's status of the last few seconds. */
  async allStatuses(): Promise<HandlerStatus[]> {
    // One GET each: the keys sit on as many hash slots as there are handlers.
    const values = await Promise.all(
      (await scanKeys(this.redis, `${viewKeys('*').statuses}*`)).map((key) => this.redis.get(key)),
    );
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as HandlerStatus);
  }
}
