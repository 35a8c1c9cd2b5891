import { ClockModule } from '@app/clock';
import { appConfigModule } from '@app/config';
import { EventStoreModule } from '@app/eventstore-client';
import { LoggingModule } from '@app/logging';
import { OrderingServicesModule } from '@app/ordering';
import { RedisModule } from '@app/redis';

/**
 * What every deployable stands on: validated configuration, logs, the event
 * store client, Redis, and the ordering services. A function, so the
 * environment is read when an app module is built.
 */
export const infrastructureModules = () => [appConfigModule(), LoggingModule, EventStoreModule, RedisModule, ClockModule, OrderingServicesModule];
