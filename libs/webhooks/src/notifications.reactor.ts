import { Injectable } from '@nestjs/common';
import { ProjectedEvent, Reactor } from '@app/projections';
import { notificationsOf, SOURCE_EVENT_TYPES } from './notification';
import { NotificationPublisher } from './notification-publisher';

/**
 * Turns the domain's events into partner notifications: each is recorded in
 * its partner's feed and queued for delivery to the partner's endpoints that
 * take it. Run as every reactor is (one replica, fenced checkpoint), so an
 * event is handed over at least once; the publisher makes each notification
 * and delivery once.
 */
@Injectable()
export class NotificationsReactor implements Reactor {
  readonly name = 'webhook-notifications';
  readonly eventTypes = SOURCE_EVENT_TYPES;

  constructor(private readonly publisher: NotificationPublisher) {}

  async react(event: ProjectedEvent): Promise<void> {
    for (const notification of notificationsOf(event)) await this.publisher.publish(notification);
  }
}
