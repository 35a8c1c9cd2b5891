import { EventType } from '../event-type';
import { count, flag, id, instant, listOf, record, text } from '../json-schema';
import { at } from './event-examples';

const STREAM = 'webhooks-{partnerId}';
const webhookId = '3f0c2b8e-6a41-4d7e-9b52-8c1d0e7f6a93';
const secretId = 'a1e5d2c4-7b38-4f60-8e19-2d6c3b5a7f01';

/** A partner's webhook endpoints, all on the partner's one stream. Secrets are not in them: an id names each, its value is kept in Redis. */
export const WEBHOOK_EVENTS: EventType[] = [
  {
    type: 'WebhookRegistered',
    version: 1,
    stream: STREAM,
    cause: 'POST /v1/webhooks',
    schema: record(
      {
        webhookId: id,
        url: text,
        eventTypes: listOf(text),
        description: text,
        secretId: id,
        utilizationThresholdPercent: count(1),
        registeredAt: instant,
      },
      ['utilizationThresholdPercent'],
    ),
    example: {
      webhookId,
      url: 'https://erp.example.com/hooks/azure',
      eventTypes: ['order.completed'],
      description: 'ERP',
      secretId,
      registeredAt: at,
    },
  },
  {
    type: 'WebhookChanged',
    version: 1,
    stream: STREAM,
    cause: 'PATCH /v1/webhooks/{id}: only what changed',
    schema: record(
      {
        webhookId: id,
        url: text,
        eventTypes: listOf(text),
        description: text,
        enabled: flag,
        utilizationThresholdPercent: count(1),
        changedAt: instant,
      },
      ['utilizationThresholdPercent', 'url', 'eventTypes', 'description', 'enabled'],
    ),
    example: { webhookId, enabled: false, changedAt: at },
  },
  {
    type: 'WebhookSecretRotated',
    version: 1,
    stream: STREAM,
    cause: 'POST /v1/webhooks/{id}/rotate-secret: the previous secret keeps signing for 24 h',
    schema: record({
      webhookId: id,
      secretId: id,
      previousSecretId: id,
      previousValidUntil: instant,
      rotatedAt: instant,
    }),
    example: {
      webhookId,
      secretId: '5b2f9c1d-3e4a-4b6c-8d7e-9f0a1b2c3d4e',
      previousSecretId: secretId,
      previousValidUntil: '2026-06-02T09:31:00.000Z',
      rotatedAt: at,
    },
  },
  {
    type: 'WebhookDisabled',
    version: 1,
    stream: STREAM,
    cause: 'Every delivery to the endpoint failed for 5 days (on the Clock)',
    schema: record({ webhookId: id, reason: text, disabledAt: instant }),
    example: {
      webhookId,
      reason: 'every delivery has failed since 2026-05-27T09:31:00.000Z (last: answered 500)',
      disabledAt: at,
    },
  },
  {
    type: 'WebhookDeleted',
    version: 1,
    stream: STREAM,
    cause: 'DELETE /v1/webhooks/{id}',
    schema: record({ webhookId: id, deletedAt: instant }),
    example: { webhookId, deletedAt: at },
  },
];
