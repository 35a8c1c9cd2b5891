import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { AppConfig } from '@app/config';
import { OrderPlacedData } from '@app/domain';
import { storedVersionOf } from '@app/event-catalog';
import { correlationIdOf, ProjectedEvent, Reactor } from '@app/projections';
import { FULFILMENT_QUEUE, warnUnlessNoEviction } from '@app/queues';
import { FulfilmentRequest } from '../order-fulfilment';
import { enqueueFulfilment } from './fulfilment-job';

/**
 * Moves each OrderPlaced from the store to the fulfilment queue, one replica
 * at a time. A crash between the enqueue and the checkpoint re-enqueues
 * after restart; the job id derived from the order makes BullMQ drop the
 * duplicate while the first job exists.
 */
@Injectable()
export class OrderHandoff implements Reactor, OnApplicationBootstrap {
  readonly name = 'fulfilment-handoff';
  readonly eventTypes = ['OrderPlaced'];
  private readonly logger = new Logger('Fulfilment');

  constructor(
    @InjectQueue(FULFILMENT_QUEUE) private readonly queue: Queue<FulfilmentRequest>,
    @Inject(Redis) private readonly redis: Redis,
    @Inject(ConfigService) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await warnUnlessNoEviction(this.redis, this.logger);
  }

  async react(event: ProjectedEvent): Promise<void> {
    const { orderId, partnerId } = event.data as OrderPlacedData;
    const request: FulfilmentRequest = {
      orderId,
      placedEventId: event.id,
      correlationId: correlationIdOf(event),
      partnerId,
      placed: {
        data: event.data as OrderPlacedData,
        revision: event.revision,
        schemaVersion: storedVersionOf(event.metadata),
      },
    };
    await enqueueFulfilment(this.queue, request, this.config.get('FULFILMENT_BACKOFF_MS', { infer: true }));
  }
}
