import { fold } from '../shared/decider';
import {
  WebhookRegistryEvent,
  webhookRegistryDecider,
  MAX_WEBHOOKS_PER_PARTNER,
  signingSecrets,
} from './webhook-registry.decider';

const now = '2027-01-30T12:00:00.000Z';
const register = (webhookId: string, url: string) => ({
  type: 'RegisterWebhook' as const,
  data: { webhookId, url, eventTypes: ['order.completed'], description: '', secretId: `secret-${webhookId}`, now },
});
const decideAll = (events: WebhookRegistryEvent[], command: Parameters<typeof webhookRegistryDecider.decide>[0]) =>
  webhookRegistryDecider.decide(command, fold(webhookRegistryDecider, events));

describe('a partner’s webhooks', () => {
  const registered = webhookRegistryDecider.decide(
    register('w1', 'https://erp.example.com/hooks'),
    webhookRegistryDecider.initialState(),
  );

  it('registers one per URL; the same request again adds nothing', () => {
    expect(registered).toHaveLength(1);
    expect(decideAll(registered, register('w1', 'https://erp.example.com/hooks'))).toEqual([]);
    expect(() => decideAll(registered, register('w2', 'https://ERP.example.com/hooks'))).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_URL_TAKEN' }),
    );
  });

  it('holds at most the limit', () => {
    const many = Array.from(
      { length: MAX_WEBHOOKS_PER_PARTNER },
      (_, index) =>
        webhookRegistryDecider.decide(
          register(`w${index}`, `https://h${index}.example.com/`),
          webhookRegistryDecider.initialState(),
        )[0],
    );
    expect(() => decideAll(many, register('one-more', 'https://more.example.com/'))).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_LIMIT_REACHED' }),
    );
  });

  it('rotates the secret, the previous one signing for 24 h', () => {
    const rotated = decideAll(registered, {
      type: 'RotateWebhookSecret',
      data: { webhookId: 'w1', secretId: 'secret-2', now },
    });
    const endpoint = fold(webhookRegistryDecider, [...registered, ...rotated]).endpoints.w1;
    expect(signingSecrets(endpoint, now)).toEqual(['secret-2', 'secret-w1']);
    expect(signingSecrets(endpoint, '2027-01-31T11:59:59.999Z')).toEqual(['secret-2', 'secret-w1']);
    expect(signingSecrets(endpoint, '2027-01-31T12:00:00.000Z')).toEqual(['secret-2']);
  });

  it('disables with a reason, and enabling clears it; a deleted one is not found', () => {
    const disabled = decideAll(registered, {
      type: 'DisableWebhook',
      data: { webhookId: 'w1', reason: 'failing for 5 days', now },
    });
    const state = fold(webhookRegistryDecider, [...registered, ...disabled]);
    expect(state.endpoints.w1).toMatchObject({ enabled: false, disabledReason: 'failing for 5 days' });
    const enabled = webhookRegistryDecider.decide(
      { type: 'ChangeWebhook', data: { webhookId: 'w1', enabled: true, now } },
      state,
    );
    expect(fold(webhookRegistryDecider, [...registered, ...disabled, ...enabled]).endpoints.w1).toMatchObject({
      enabled: true,
      disabledReason: undefined,
    });
    const deleted = decideAll(registered, { type: 'DeleteWebhook', data: { webhookId: 'w1', now } });
    expect(() =>
      decideAll([...registered, ...deleted], { type: 'ChangeWebhook', data: { webhookId: 'w1', enabled: false, now } }),
    ).toThrow(expect.objectContaining({ code: 'WEBHOOK_NOT_FOUND' }));
  });
});
