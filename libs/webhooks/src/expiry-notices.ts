import { Injectable, Logger } from '@nestjs/common';
import { Catalog, catalogItemId, renewalOf } from '@app/domain';
import { eachReservationIn, reservationKeys, ViewReader } from '@app/projections';
import { expiryNoticeDue, NOTICE_DAYS } from './expiry-notice';
import { NotificationPublisher } from './notification-publisher';

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
  ) {}

  async run(now: string): Promise<number> {
    const nowMs = Date.parse(now);
    let published = 0;
    const horizon = nowMs + Math.max(...NOTICE_DAYS) * DAY_MS;
    for await (const reservation of eachReservationIn(this.views, reservationKeys.byExpiry, { minScore: nowMs + 1, maxScore: horizon })) {
      const market = reservation.autoRenew
        ? this.catalog.get(catalogItemId(reservation.armSkuName, reservation.region, renewalOf(reservation).term), now)?.unitPriceUsd
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
