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
const SECRET_NAMESPACE = '7c1f0b6e-93a4-4f55-bd0e-3c8e5a9f2d14';

/** A partner's webhook endpoints: decided on the partner's one stream, with the expected revision. */
@Injectable()
export class WebhookRegistryService {
  constructor(
    private readonly streams: EventStreams,
    @Inject(Redis) private readonly redis: Redis,
  ) {}

  async load(partnerId: string): Promise<{ state: WebhookRegistry; revision: bigint }> {
    return this.streams.aggregate(webhooksStream(partnerId), webhookRegistryDecider);
  }

  /** One of the partner's endpoints; another partner's id is not found, exactly as an unknown one. */
  async endpoint(partnerId: string, webhookId: string, maxAgeMs?: number): Promise<WebhookEndpoint> {
    const { state } =
      maxAgeMs === undefined ? await this.load(partnerId) : await this.streams.recent(webhooksStream(partnerId), webhookRegistryDecider, maxAgeMs);
    const endpoint = state.endpoints[webhookId];
    if (!endpoint) throw notFound(WEBHOOK_NOT_FOUND, `webhook ${webhookId} not found`);
    return endpoint;
  }

  handle(
    partnerId: string,
    command: WebhookRegistryCommand,
    context: CommandContext,
    expectedRevision?: bigint,
  ): Promise<Handled<WebhookRegistry, WebhookRegistryEvent>> {
    return this.streams.handle(webhooksStream(partnerId), webhookRegistryDecider, command, context, { expectedRevision });
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
