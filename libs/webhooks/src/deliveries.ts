import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { v5 as uuidv5 } from 'uuid';

/** Each endpoint's deliveries on one slot ({webhookId}): their records, the pending ones in order, and the history. */
export const deliveryKeys = (webhookId: string) => ({
  seq: `webhook:{${webhookId}}:seq`,
  pending: `webhook:{${webhookId}}:pending`,
  history: `webhook:{${webhookId}}:history`,
  failingSince: `webhook:{${webhookId}}:failing-since`,
  delivery: (deliveryId: string) => `webhook:{${webhookId}}:delivery:${deliveryId}`,
});
/** Deliveries not yet delivered or given up, by when they were made: /metrics reads the oldest one's age. */
export const UNDELIVERED = 'webhooks:{metrics}:undelivered';
export const DELIVERY_COUNTER = (outcome: DeliveryOutcome) => `metrics:{metrics}:webhook-deliveries:${outcome}`;
export type DeliveryOutcome = 'delivered' | 'failed' | 'attempt_failed';
/** History kept per endpoint. */
const HISTORY_KEPT = 1_000;

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  deliveryId: string;
  webhookId: string;
  partnerId: string;
  notificationId: string;
  type: string;
  status: DeliveryStatus;
  attempts: number;
  lastResponseCode?: number;
  lastAttemptAt?: string;
  lastError?: string;
  nextAttemptAt?: string;
  createdAt: string;
  finishedAt?: string;
  /** The delivery this one sends again (POST …/redeliver). */
  redeliveryOf?: string;
  payload: string;
}

const NAMESPACE = 'b5a3c3e1-0f52-4c1e-8a7d-2f9b61d0c4e7';
export const deliveryIdFor = (notificationId: string, webhookId: string) =>
  uuidv5(`${notificationId}/${webhookId}`, NAMESPACE);

// Creates a delivery once: a second call for the same id changes nothing. Pending ones are ordered by a per-endpoint sequence.
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local seq = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'status', 'pending', 'attempts', 0, 'seq', seq)
redis.call('ZADD', KEYS[3], seq, ARGV[1])
redis.call('ZADD', KEYS[4], seq, ARGV[1])
local excess = redis.call('ZCARD', KEYS[4]) - tonumber(ARGV[3])
if excess > 0 then
  local old = redis.call('ZRANGE', KEYS[4], 0, excess - 1)
  for _, id in ipairs(old) do
    if redis.call('ZSCORE', KEYS[3], id) == false then
      redis.call('DEL', ARGV[4] .. id)
      redis.call('ZREM', KEYS[4], id)
    end
  end
end
return 1`;

/** Delivery records and their per-endpoint order, in Redis. */
@Injectable()
export class Deliveries {
  constructor(@Inject(Redis) private readonly redis: Redis) {}

  /** Records a pending delivery at the end of its endpoint's line; false when it exists. */
  async create(delivery: Omit<Delivery, 'status' | 'attempts'>): Promise<boolean> {
    const keys = deliveryKeys(delivery.webhookId);
    const prefix = keys.delivery('');
    const created =
      (await this.redis.eval(
        CREATE,
        4,
        keys.delivery(delivery.deliveryId),
        keys.seq,
        keys.pending,
        keys.history,
        delivery.deliveryId,
        JSON.stringify(delivery),
        HISTORY_KEPT,
        (this.redis.options.keyPrefix ?? '') + prefix,
      )) === 1;
    if (created) await this.redis.zadd(UNDELIVERED, Date.now(), `${delivery.webhookId}/${delivery.deliveryId}`);
    return created;
  }

  async get(webhookId: string, deliveryId: string): Promise<Delivery | undefined> {
    const fields = await this.redis.hgetall(deliveryKeys(webhookId).delivery(deliveryId));
    return fields.record ? toDelivery(fields) : undefined;
  }

  /** The delivery whose turn it is: the oldest pending one of the endpoint. */
  async head(webhookId: string): Promise<string | undefined> {
    const [first] = await this.redis.zrange(deliveryKeys(webhookId).pending, '0', '0');
    return first;
  }

  async recordAttempt(
    webhookId: string,
    deliveryId: string,
    attempt: { status?: number; error?: string; at: string; nextAttemptAt?: string },
  ): Promise<void> {
    const key = deliveryKeys(webhookId).delivery(deliveryId);
    await this.redis
      .multi()
      .hincrby(key, 'attempts', 1)
      .hset(
        key,
        'lastAttemptAt',
        attempt.at,
        'lastResponseCode',
        String(attempt.status ?? 0),
        'lastError',
        attempt.error ?? '',
        'nextAttemptAt',
        attempt.nextAttemptAt ?? '',
      )
      .exec();
  }

  /** Ends a delivery: delivered or failed; the next of its endpoint gets its turn. */
  async finish(
    webhookId: string,
    deliveryId: string,
    status: 'delivered' | 'failed',
    at: string,
    error?: string,
  ): Promise<void> {
    const keys = deliveryKeys(webhookId);
    const fields: string[] = ['status', status, 'finishedAt', at, 'nextAttemptAt', ''];
    if (error !== undefined) fields.push('lastError', error);
    await this.redis
      .multi()
      .hset(keys.delivery(deliveryId), ...fields)
      .zrem(keys.pending, deliveryId)
      .exec();
    await this.redis.zrem(UNDELIVERED, `${webhookId}/${deliveryId}`);
    await this.redis.incr(DELIVERY_COUNTER(status)).catch(() => undefined);
  }

  async countFailedAttempt(): Promise<void> {
    await this.redis.incr(DELIVERY_COUNTER('attempt_failed')).catch(() => undefined);
  }

  /** The endpoint's deliveries, newest first. */
  async list(webhookId: string, limit: number, before?: number): Promise<Delivery[]> {
    const keys = deliveryKeys(webhookId);
    const ids = await this.redis.zrevrangebyscore(
      keys.history,
      before === undefined ? '+inf' : `(${before}`,
      '-inf',
      'LIMIT',
      0,
      limit,
    );
    const found = await Promise.all(ids.map((id) => this.redis.hgetall(keys.delivery(id))));
    return found.filter((fields) => fields.record).map(toDelivery);
  }

  /** When the endpoint's current run of failures began (on the Clock), set by its first failure. */
  async failingSince(webhookId: string, now: string): Promise<string> {
    const key = deliveryKeys(webhookId).failingSince;
    await this.redis.set(key, now, 'NX');
    return (await this.redis.get(key)) ?? now;
  }

  async recovered(webhookId: string): Promise<void> {
    await this.redis.del(deliveryKeys(webhookId).failingSince);
  }

  /** Age in seconds of the oldest delivery not yet delivered or given up; 0 when none. */
  async oldestUndeliveredAgeSeconds(): Promise<number> {
    const [, score] = await this.redis.zrange(UNDELIVERED, '0', '0', 'WITHSCORES');
    return score === undefined ? 0 : Math.max(0, (Date.now() - Number(score)) / 1000);
  }
}

function toDelivery(fields: Record<string, string>): Delivery & { seq: number } {
  const record = JSON.parse(fields.record) as Delivery;
  return {
    ...record,
    status: fields.status as DeliveryStatus,
    attempts: Number(fields.attempts ?? 0),
    seq: Number(fields.seq),
    ...(fields.lastAttemptAt ? { lastAttemptAt: fields.lastAttemptAt } : {}),
    ...(fields.lastResponseCode && fields.lastResponseCode !== '0'
      ? { lastResponseCode: Number(fields.lastResponseCode) }
      : {}),
    ...(fields.lastError ? { lastError: fields.lastError } : {}),
    ...(fields.nextAttemptAt ? { nextAttemptAt: fields.nextAttemptAt } : {}),
    ...(fields.finishedAt ? { finishedAt: fields.finishedAt } : {}),
  };
}
