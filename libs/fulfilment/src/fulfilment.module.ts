import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Clock } from '@app/clock';
import { AppConfig } from '@app/config';
import { reactorProviders } from '@app/projections';
import { DeadLetterProcessor, FulfilmentProcessor } from './fulfilment.processors';
import { OrderHandoff } from './handoff/order-handoff.reactor';
import { OrderFulfilment } from './order-fulfilment';
import { ReservationProvisioner } from './provisioning/reservation-provisioner';
import { SimulatedAzureProvisioner, simulationSettings } from './provisioning/simulated-azure-provisioner';

/** Fulfilment in the worker: the hand-off, the processors, and the provisioning port. */
@Module({
  providers: [
    OrderFulfilment,
    ...reactorProviders(OrderHandoff),
    FulfilmentProcessor,
    DeadLetterProcessor,
    {
      // Production plugs the real Azure adapter in here.
      provide: ReservationProvisioner,
      inject: [ConfigService, Clock],
      useFactory: (config: AppConfig, clock: Clock) =>
        new SimulatedAzureProvisioner(
          simulationSettings({
            PROVISIONING_LATENCY_MS: config.get('PROVISIONING_LATENCY_MS', { infer: true }),
            PROVISIONING_TRANSIENT_FAILURE_RATE: config.get('PROVISIONING_TRANSIENT_FAILURE_RATE', { infer: true }),
            PROVISIONING_PERMANENT_FAILURE_RATE: config.get('PROVISIONING_PERMANENT_FAILURE_RATE', { infer: true }),
            PROVISIONING_FAILING_SKUS: config.get('PROVISIONING_FAILING_SKUS', { infer: true }),
          }),
          clock,
        ),
    },
  ],
})
export class FulfilmentModule {}
