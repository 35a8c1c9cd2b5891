import { Inject, Injectable, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Catalog, catalogItemId, renewalOf, WebhookEndpoint } from '@app/domain';
import { eachReservationIn, reservationKeys, utilizationDays, ViewReader } from '@app/projections';
import { expiryNoticeDue, NOTICE_DAYS } from './expiry-notice';
import { NotificationPublisher, subscribes } from './notification-publisher';
import { UTILIZATION_WINDOW_DAYS, utilizationNotice } from './utilization-notice';
import { WebhookRegistryService } from './webhook-registry';

const DAY_MS = 86_400_000;

/**
 * The notices that depend on time (renewal coming, expiry coming), as of an
 * instant of the Clock: every reservation ending within 30 days is looked at,
 * and the notice it is due is published once (its id says which). The
 * worker runs it every minute as of the Clock's now; the sandbox clock's
 * moves run it at each day they cross, beside the lifecycle pass, so the
 * notices fire as sandbox time moves.
 */
@Injectable()
export class ExpiryNotices {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly views: ViewReader,
    private readonly catalog: Catalog,
    private readonly publisher: NotificationPublisher,
    private readonly registry: WebhookRegistryService,
    @Inject(Redis) private readonly redis: Redis,
  ) {}

  async run(now: string): Promise<number> {
    return (await this.expiryNotices(now)) + (await this.utilizationNotices(now));
  }

  /**
   * Once per day of the Clock: each running reservation whose partner has an
   * endpoint taking `reservation.utilization_low` with a threshold, judged
   * over the 7 whole days before, from the costs view.
   */
  private async utilizationNotices(now: string): Promise<number> {
    const day = now.slice(0, 10);
    if ((await this.redis.set(`webhooks:utilization-pass:${day}`, now, 'EX', 7 * 86_400, 'NX')) !== 'OK') return 0;
    const thresholds = new Map<string, WebhookEndpoint[]>();
    const endpointsOf = async (partnerId: string) => {
      if (!thresholds.has(partnerId)) {
        const { state } = await this.registry.load(partnerId);
        thresholds.set(
          partnerId,
          Object.values(state.endpoints).filter(
            (endpoint) =>
              endpoint.utilizationThresholdPercent !== undefined && subscribes(endpoint, 'reservation.utilization_low'),
          ),
        );
      }
      return thresholds.get(partnerId)!;
    };
    const to = Math.floor(Date.parse(now) / DAY_MS) * DAY_MS;
    let published = 0;
    for await (const reservation of eachReservationIn(this.views, reservationKeys.byExpiry, { minScore: to })) {
      const endpoints = await endpointsOf(reservation.partnerId);
      if (endpoints.length === 0) continue;
      const days = await utilizationDays(this.views, reservation.reservationId, {
        minScore: to - UTILIZATION_WINDOW_DAYS * DAY_MS,
        maxScore: to - 1,
        limit: 31,
      });
      const used: Record<string, number> = {};
      for (const { document } of days)
        if (document) used[document.date] = Object.values(document.hours).reduce((sum, hours) => sum + hours, 0);
      const notice = utilizationNotice(reservation, used, now);
      if (!notice || !endpoints.some((endpoint) => notice.utilizationPercent < endpoint.utilizationThresholdPercent!))
        continue;
      const { utilizationPercent, ...notification } = notice;
      await this.publisher.publish(
        notification,
        (endpoint) =>
          endpoint.utilizationThresholdPercent !== undefined &&
          utilizationPercent < endpoint.utilizationThresholdPercent,
      );
      published++;
    }
    return published;
  }

  private async expiryNotices(now: string): Promise<number> {
    const nowMs = Date.parse(now);
    let published = 0;
    const horizon = nowMs + Math.max(...NOTICE_DAYS) * DAY_MS;
    for await (const reservation of eachReservationIn(this.views, reservationKeys.byExpiry, {
      minScore: nowMs + 1,
      maxScore: horizon,
    })) {
      const market = reservation.autoRenew
        ? this.catalog.get(catalogItemId(reservation.armSkuName, reservation.region, renewalOf(reservation).term), now)
            ?.unitPriceUsd
        : undefined;
      const notice = expiryNoticeDue(reservation, now, market);
      if (!notice) continue;
      await this.publisher.publish(notice);
      published++;
    }
    if (published > 0) this.logger.debug(`expiry notices as of ${now}: ${published} looked at`);
    return published;
  }
}
