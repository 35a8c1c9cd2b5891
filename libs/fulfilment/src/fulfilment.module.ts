import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { AppConfig } from '@app/config';
import { Reactor, startReactor } from '@app/projections';
import { FULFILMENT_QUEUE, warnUnlessNoEviction } from '@app/queues';
import { DeadLetterProcessor, FulfilmentProcessor } from './fulfilment.processors';
import { enqueueFulfilment, orderHandoff } from './handoff/order-handoff';
import { OrderFulfilment } from './order-fulfilment';
import { ReservationProvisioner } from './provisioning/reservation-provisioner';
import { SimulatedAzureProvisioner, simulationSettings } from './provisioning/simulated-azure-provisioner';

/** Moves OrderPlaced events from the store to the fulfilment queue, one replica at a time. */
@Injectable()
export class OrderHandoffSupervisor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Fulfilment');
  private reactor: Reactor | undefined;

  constructor(
    private readonly client: EventStoreDBClient,
    @Inject(Redis) private readonly redis: Redis,
    @InjectQueue(FULFILMENT_QUEUE) private readonly queue: Queue,
    @Inject(ConfigService) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await warnUnlessNoEviction(this.redis, this.logger);
    this.reactor = startReactor(this.client, this.redis, orderHandoff, this.logger, enqueueFulfilment(this.queue, this.config.get('FULFILMENT_BACKOFF_MS', { infer: true })));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.reactor?.stop();
  }
}

/** Fulfilment in the worker: the hand-off, the processors, and the provisioning port. */
@Module({
  providers: [
    OrderFulfilment,
    OrderHandoffSupervisor,
    FulfilmentProcessor,
    DeadLetterProcessor,
    {
      // Production plugs the real Azure adapter in here.
      provide: ReservationProvisioner,
      inject: [ConfigService],
      useFactory: (config: AppConfig) =>
        new SimulatedAzureProvisioner(
          simulationSettings({
            PROVISIONING_LATENCY_MS: config.get('PROVISIONING_LATENCY_MS', { infer: true }),
            PROVISIONING_TRANSIENT_FAILURE_RATE: config.get('PROVISIONING_TRANSIENT_FAILURE_RATE', { infer: true }),
            PROVISIONING_PERMANENT_FAILURE_RATE: config.get('PROVISIONING_PERMANENT_FAILURE_RATE', { infer: true }),
            PROVISIONING_FAILING_SKUS: config.get('PROVISIONING_FAILING_SKUS', { infer: true }),
          }),
        ),
    },
  ],
})
export class FulfilmentModule {}
