import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { CommandContext, EventStreams, Handled } from '@app/eventstore-client';
import { v5 as uuidv5 } from 'uuid';
import {
  WebhookEndpoint,
  WebhookRegistry,
  WebhookRegistryCommand,
  webhookRegistryDecider,
  WebhookRegistryEvent,
  webhooksStream,
  WEBHOOK_NOT_FOUND,
} from '@app/domain';
import { notFound } from '@app/domain';

/**
 * Secrets are kept out of the event store (whose events are kept forever and
 * shown to auditors): the events name a secret by id, and its value is in
 * Redis, which is persisted (AOF) like the queues. Its id derives from the
 * command that made it, so a retried command names the same secret.
 */
const secretKey = (secretId: string) => `webhook-secret:${secretId}`;
/** The revision of a partner's webhooks stream, set after each append: readers with a fold at that revision need not read the stream. */
const revisionKey = (partnerId: string) => `webhooks:{${partnerId}}:revision`;
// Only ever moves forward.
const RAISE = `local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1]) end
return 1`;
const SECRET_NAMESPACE = '7c1f0b6e-93a4-4f55-bd0e-3c8e5a9f2d14';

/** A partner's webhook endpoints: decided on the partner's one stream, with the expected revision. */
@Injectable()
export class WebhookRegistryService {
  /** Folds of partners' streams, each with its revision; used only while Redis says the stream is still at that revision. */
  private readonly folds = new Map<string, { state: WebhookRegistry; revision: bigint; at: number }>();

  constructor(
    private readonly streams: EventStreams,
    @Inject(Redis) private readonly redis: Redis,
  ) {}

  async load(partnerId: string): Promise<{ state: WebhookRegistry; revision: bigint }> {
    const folded = await this.streams.aggregate(webhooksStream(partnerId), webhookRegistryDecider);
    this.remember(partnerId, folded);
    return folded;
  }

  /**
   * The partner's endpoints as the reactor and the deliveries read them: the
   * fold this process holds when Redis says the stream has not moved since
   * (one GET instead of reading the stream), else a read. Every append sets
   * that revision before its command answers, so a registration, a rotation
   * or a change answered to the partner is seen by every notification and
   * delivery after it.
   */
  async current(partnerId: string): Promise<{ state: WebhookRegistry; revision: bigint }> {
    const known = this.folds.get(partnerId);
    const revision = await this.redis.get(revisionKey(partnerId));
    // Read again at least every 30 s, in case an api died between an append and setting its revision.
    // No revision in Redis: no webhook was ever registered (the stream's revision is then -1).
    if (known && BigInt(revision ?? -1) === known.revision && performance.now() - known.at < 30_000) return known;
    return this.load(partnerId);
  }

  private remember(partnerId: string, folded: { state: WebhookRegistry; revision: bigint }): void {
    const known = this.folds.get(partnerId);
    if (known && known.revision > folded.revision) return;
    this.folds.delete(partnerId);
    this.folds.set(partnerId, { state: folded.state, revision: folded.revision, at: performance.now() });
    if (this.folds.size > 10_000) this.folds.delete(this.folds.keys().next().value!);
  }

  /** One of the partner's endpoints; another partner's id is not found, exactly as an unknown one. */
  async endpoint(partnerId: string, webhookId: string, { current = false } = {}): Promise<WebhookEndpoint> {
    const { state } = current ? await this.current(partnerId) : await this.load(partnerId);
    const endpoint = state.endpoints[webhookId];
    if (!endpoint) throw notFound(WEBHOOK_NOT_FOUND, `webhook ${webhookId} not found`);
    return endpoint;
  }

  async handle(
    partnerId: string,
    command: WebhookRegistryCommand,
    context: CommandContext,
    expectedRevision?: bigint,
  ): Promise<Handled<WebhookRegistry, WebhookRegistryEvent>> {
    const handled = await this.streams.handle(webhooksStream(partnerId), webhookRegistryDecider, command, context, {
      expectedRevision,
    });
    await this.redis.eval(RAISE, 1, revisionKey(partnerId), handled.revision.toString());
    return handled;
  }

  /** A new whsec_ secret, stored under an id derived from the command, so a retry finds the one the first try made. */
  async newSecret(commandId: string, purpose: string): Promise<{ secretId: string; secret: string }> {
    const secretId = uuidv5(`${commandId}/${purpose}`, SECRET_NAMESPACE);
    const candidate = `whsec_${randomBytes(32).toString('base64')}`;
    await this.redis.set(secretKey(secretId), candidate, 'NX');
    return { secretId, secret: (await this.redis.get(secretKey(secretId))) ?? candidate };
  }

  async secrets(secretIds: string[]): Promise<string[]> {
    if (secretIds.length === 0) return [];
    const values = await this.redis.mget(...secretIds.map(secretKey));
    return values.filter((value): value is string => typeof value === 'string');
  }
}
