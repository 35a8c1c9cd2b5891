import { Logger } from '@nestjs/common';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Redis } from 'ioredis';
import { dedicatedConnection } from '@app/redis';
import { ProjectedEvent, Projection } from '../projection';
import { ProjectionRunner } from './projection-runner';
import { reactorCommit } from './reactor-commit';

/** A running reactor; stop it on shutdown. */
export interface Reactor {
  stop(): Promise<void>;
}

/**
 * Starts a reactor: the events of `projection` from $all, handed to `react`
 * by a runner with its own lease (one replica at a time) on a connection of
 * its own, with a fenced checkpoint.
 */
export function startReactor(client: EventStoreDBClient, redis: Redis, projection: Projection, logger: Logger, react: (event: ProjectedEvent) => Promise<unknown>): Reactor {
  const connection = dedicatedConnection(redis, projection.name, logger);
  const runner = new ProjectionRunner(client, connection, projection, logger, reactorCommit(react));
  runner.start();
  return {
    async stop() {
      await runner.stop();
      await connection.quit().catch(() => undefined);
    },
  };
}
