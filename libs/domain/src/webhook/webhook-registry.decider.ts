import { Decider, Message } from '../shared/decider';
import { illegalState, notFound, ruleViolated } from '../shared/domain-error';

/** A partner's webhooks are decided on one stream, so its rules (how many, each URL once) hold under concurrent requests. */
export const webhooksStream = (partnerId: string) => `webhooks-${partnerId}`;
export const MAX_WEBHOOKS_PER_PARTNER = 20;
/** After a rotation, the secret before it keeps signing this long, so receivers can switch without losing a delivery. */
export const PREVIOUS_SECRET_VALID_MS = 24 * 3_600_000;

export interface WebhookSecretRef {
  secretId: string;
  /** Absent on the current secret; on a rotated-out one, until when it still signs. */
  validUntil?: string;
}

export interface WebhookEndpoint {
  webhookId: string;
  url: string;
  eventTypes: string[];
  description: string;
  enabled: boolean;
  disabledReason?: string;
  disabledAt?: string;
  /** reservation.utilization_low is sent to it for a reservation used under this share (percent) over the last 7 days. */
  utilizationThresholdPercent?: number;
  /** The current secret first, then those rotated out. */
  secrets: WebhookSecretRef[];
  createdAt: string;
  updatedAt: string;
}

export interface WebhookRegistry {
  endpoints: Record<string, WebhookEndpoint>;
  deleted: string[];
}

export type WebhookRegistryEvent =
  | Message<
      'WebhookRegistered',
      {
        webhookId: string;
        url: string;
        eventTypes: string[];
        description: string;
        secretId: string;
        utilizationThresholdPercent?: number;
        registeredAt: string;
      }
    >
  | Message<
      'WebhookChanged',
      {
        webhookId: string;
        url?: string;
        eventTypes?: string[];
        description?: string;
        enabled?: boolean;
        utilizationThresholdPercent?: number;
        changedAt: string;
      }
    >
  | Message<
      'WebhookSecretRotated',
      { webhookId: string; secretId: string; previousSecretId: string; previousValidUntil: string; rotatedAt: string }
    >
  | Message<'WebhookDisabled', { webhookId: string; reason: string; disabledAt: string }>
  | Message<'WebhookDeleted', { webhookId: string; deletedAt: string }>;

export type WebhookRegistryCommand =
  | {
      type: 'RegisterWebhook';
      data: {
        webhookId: string;
        url: string;
        eventTypes: string[];
        description: string;
        secretId: string;
        utilizationThresholdPercent?: number;
        now: string;
      };
    }
  | {
      type: 'ChangeWebhook';
      data: {
        webhookId: string;
        url?: string;
        eventTypes?: string[];
        description?: string;
        enabled?: boolean;
        utilizationThresholdPercent?: number;
        now: string;
      };
    }
  | { type: 'RotateWebhookSecret'; data: { webhookId: string; secretId: string; now: string } }
  | { type: 'DisableWebhook'; data: { webhookId: string; reason: string; now: string } }
  | { type: 'DeleteWebhook'; data: { webhookId: string; now: string } };

export const WEBHOOK_NOT_FOUND = 'WEBHOOK_NOT_FOUND';

const existing = (state: WebhookRegistry, webhookId: string): WebhookEndpoint => {
  const endpoint = state.endpoints[webhookId];
  if (!endpoint) throw notFound(WEBHOOK_NOT_FOUND, `webhook ${webhookId} not found`);
  return endpoint;
};

const sameUrl = (a: string, b: string) => new URL(a).href === new URL(b).href;

/** The secrets that sign at `now`: the current one, and a rotated-out one until its 24 h are up. */
export const signingSecrets = (endpoint: WebhookEndpoint, now: string): string[] =>
  endpoint.secrets
    .filter((secret) => secret.validUntil === undefined || Date.parse(secret.validUntil) > Date.parse(now))
    .map((secret) => secret.secretId);

export const webhookRegistryDecider: Decider<WebhookRegistry, WebhookRegistryCommand, WebhookRegistryEvent> = {
  initialState: () => ({ endpoints: {}, deleted: [] }),

  decide(command, state) {
    switch (command.type) {
      case 'RegisterWebhook': {
        const { webhookId, url, eventTypes, description, secretId, utilizationThresholdPercent, now } = command.data;
        // The same request again (same Idempotency-Key): nothing new.
        if (state.endpoints[webhookId] || state.deleted.includes(webhookId)) return [];
        if (Object.values(state.endpoints).some((endpoint) => sameUrl(endpoint.url, url)))
          throw illegalState(
            'WEBHOOK_URL_TAKEN',
            `a webhook of this partner already posts to ${url}; change that one instead`,
          );
        if (Object.keys(state.endpoints).length >= MAX_WEBHOOKS_PER_PARTNER)
          throw ruleViolated(
            'WEBHOOK_LIMIT_REACHED',
            `a partner may have at most ${MAX_WEBHOOKS_PER_PARTNER} webhooks`,
          );
        const threshold = utilizationThresholdPercent === undefined ? {} : { utilizationThresholdPercent };
        return [
          {
            type: 'WebhookRegistered',
            data: { webhookId, url, eventTypes, description, secretId, ...threshold, registeredAt: now },
          },
        ];
      }
      case 'ChangeWebhook': {
        const { webhookId, now, ...change } = command.data;
        const endpoint = existing(state, webhookId);
        if (
          change.url !== undefined &&
          Object.values(state.endpoints).some(
            (other) => other.webhookId !== webhookId && sameUrl(other.url, change.url!),
          )
        )
          throw illegalState('WEBHOOK_URL_TAKEN', `a webhook of this partner already posts to ${change.url}`);
        const changed: Partial<typeof change> = {};
        if (change.url !== undefined && change.url !== endpoint.url) changed.url = change.url;
        if (
          change.eventTypes !== undefined &&
          JSON.stringify([...change.eventTypes].sort()) !== JSON.stringify([...endpoint.eventTypes].sort())
        )
          changed.eventTypes = change.eventTypes;
        if (change.description !== undefined && change.description !== endpoint.description)
          changed.description = change.description;
        if (change.enabled !== undefined && change.enabled !== endpoint.enabled) changed.enabled = change.enabled;
        if (
          change.utilizationThresholdPercent !== undefined &&
          change.utilizationThresholdPercent !== endpoint.utilizationThresholdPercent
        )
          changed.utilizationThresholdPercent = change.utilizationThresholdPercent;
        if (Object.keys(changed).length === 0) return [];
        return [{ type: 'WebhookChanged', data: { webhookId, ...changed, changedAt: now } }];
      }
      case 'RotateWebhookSecret': {
        const { webhookId, secretId, now } = command.data;
        const endpoint = existing(state, webhookId);
        if (endpoint.secrets[0].secretId === secretId) return [];
        return [
          {
            type: 'WebhookSecretRotated',
            data: {
              webhookId,
              secretId,
              previousSecretId: endpoint.secrets[0].secretId,
              previousValidUntil: new Date(Date.parse(now) + PREVIOUS_SECRET_VALID_MS).toISOString(),
              rotatedAt: now,
            },
          },
        ];
      }
      case 'DisableWebhook': {
        const { webhookId, reason, now } = command.data;
        const endpoint = state.endpoints[webhookId];
        if (!endpoint || !endpoint.enabled) return [];
        return [{ type: 'WebhookDisabled', data: { webhookId, reason, disabledAt: now } }];
      }
      case 'DeleteWebhook': {
        const { webhookId, now } = command.data;
        if (state.deleted.includes(webhookId)) return [];
        existing(state, webhookId);
        return [{ type: 'WebhookDeleted', data: { webhookId, deletedAt: now } }];
      }
    }
  },

  evolve(state, event) {
    const endpoints = { ...state.endpoints };
    switch (event.type) {
      case 'WebhookRegistered': {
        const { webhookId, url, eventTypes, description, secretId, utilizationThresholdPercent, registeredAt } =
          event.data;
        endpoints[webhookId] = {
          ...(utilizationThresholdPercent === undefined ? {} : { utilizationThresholdPercent }),
          webhookId,
          url,
          eventTypes,
          description,
          enabled: true,
          secrets: [{ secretId }],
          createdAt: registeredAt,
          updatedAt: registeredAt,
        };
        return { ...state, endpoints };
      }
      case 'WebhookChanged': {
        const { webhookId, changedAt, ...change } = event.data;
        const endpoint = endpoints[webhookId];
        if (!endpoint) return state;
        const reenabled = change.enabled === true;
        endpoints[webhookId] = {
          ...endpoint,
          ...change,
          ...(reenabled ? { disabledReason: undefined, disabledAt: undefined } : {}),
          updatedAt: changedAt,
        };
        return { ...state, endpoints };
      }
      case 'WebhookSecretRotated': {
        const { webhookId, secretId, previousSecretId, previousValidUntil, rotatedAt } = event.data;
        const endpoint = endpoints[webhookId];
        if (!endpoint) return state;
        // Only the secret just rotated out keeps signing; older ones are done.
        endpoints[webhookId] = {
          ...endpoint,
          secrets: [{ secretId }, { secretId: previousSecretId, validUntil: previousValidUntil }],
          updatedAt: rotatedAt,
        };
        return { ...state, endpoints };
      }
      case 'WebhookDisabled': {
        const { webhookId, reason, disabledAt } = event.data;
        const endpoint = endpoints[webhookId];
        if (!endpoint) return state;
        endpoints[webhookId] = {
          ...endpoint,
          enabled: false,
          disabledReason: reason,
          disabledAt,
          updatedAt: disabledAt,
        };
        return { ...state, endpoints };
      }
      case 'WebhookDeleted': {
        delete endpoints[event.data.webhookId];
        return { endpoints, deleted: [...state.deleted, event.data.webhookId] };
      }
    }
  },
};
