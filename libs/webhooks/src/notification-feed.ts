import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Notification, NotificationPayload, payloadOf } from './notification';

/** A partner's feed: a Redis stream (its entry ids are the cursors) and the notification ids it holds, on one slot ({partnerId}). */
const feedKeys = (partnerId: string) => ({
  stream: `notifications:{${partnerId}}:feed`,
  ids: `notifications:{${partnerId}}:ids`,
});
/** Entries kept per partner; older ones are trimmed (a receiver further behind than that reads the routes instead). */
export const FEED_MAX_ENTRIES = 100_000;
export const CURSOR = /^\d{1,20}-\d{1,20}$/;

// Appends once per notification id: a replayed event or a second pass adds nothing.
const APPEND = `
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then return {0, existing} end
local entry = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 't', ARGV[2], 'p', ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], entry)
return {1, entry}`;

export interface FeedPage {
  items: Array<NotificationPayload & { cursor: string }>;
  /** Where to go on from: the last entry read, even when the types filter left it out. */
  nextCursor?: string;
}

/** The per-partner feed of notifications, in the order they were recorded. */
@Injectable()
export class NotificationFeed {
  constructor(@Inject(Redis) private readonly redis: Redis) {}

  /** Records a notification; false when it was recorded before. */
  async append(notification: Notification): Promise<{ added: boolean; cursor: string }> {
    const keys = feedKeys(notification.partnerId);
    const [added, cursor] = (await this.redis.eval(
      APPEND,
      2,
      keys.stream,
      keys.ids,
      notification.id,
      notification.type,
      JSON.stringify(payloadOf(notification)),
      FEED_MAX_ENTRIES,
    )) as [number, string];
    return { added: added === 1, cursor };
  }

  /** The partner's notifications after the cursor (from the start without one), of the types asked (all without). */
  async read(
    partnerId: string,
    { after, types, limit }: { after?: string; types?: string[]; limit: number },
  ): Promise<FeedPage> {
    const { stream } = feedKeys(partnerId);
    const items: FeedPage['items'] = [];
    let from = after ? `(${after}` : '-';
    let nextCursor = after;
    const wanted = types && types.length > 0 ? new Set(types) : undefined;
    for (;;) {
      const entries = (await this.redis.xrange(stream, from, '+', 'COUNT', Math.max(limit, 100))) as Array<
        [string, string[]]
      >;
      for (const [cursor, fields] of entries) {
        nextCursor = cursor;
        const type = fields[fields.indexOf('t') + 1];
        if (wanted && !wanted.has(type)) continue;
        items.push({ ...(JSON.parse(fields[fields.indexOf('p') + 1]) as NotificationPayload), cursor });
        if (items.length >= limit) return { items, nextCursor };
      }
      if (entries.length === 0 || entries.length < Math.max(limit, 100)) return { items, nextCursor };
      from = `(${nextCursor}`;
    }
  }
}
