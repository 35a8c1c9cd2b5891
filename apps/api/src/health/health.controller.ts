import { Controller, Get, Inject, Logger } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { InjectQueue } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FULFILMENT_QUEUE, liveWorkers } from '@app/queues';
import { EventStore } from '@app/eventstore-client';
import { Public } from '../auth/api-key.guard';

const STALE_WAITING_MS = 120_000;

/** A readiness failure in our own words, safe to show to anyone. */
class NotReady extends Error {}

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly eventStore: EventStore,
    @Inject(Redis) private readonly redis: Redis,
    @InjectQueue(FULFILMENT_QUEUE) private readonly fulfilment: Queue,
  ) {}

  /** Liveness: the process answers. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /**
   * Readiness: the event store and Redis answer, and workers consume the
   * queues. Cheap (a ping each, one HGETALL, one LRANGE) and public, so it
   * says what is down but never why in a driver's words: those name hosts
   * and addresses, and go to the log instead.
   */
  @Get()
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.check('eventstore', () => this.eventStore.ping()),
      () => this.check('redis', () => this.redis.ping()),
      () => this.check('workers', () => this.workersConsume()),
    ]);
  }

  /** A live worker heartbeat that consumes, and no job left waiting too long. */
  private async workersConsume(): Promise<void> {
    const workers = (await liveWorkers(this.redis)).filter((worker) => worker.consuming);
    if (workers.length === 0) throw new NotReady('no worker is consuming the queues');
    const [oldest] = await this.fulfilment.getWaiting(0, 0);
    if (oldest && Date.now() - oldest.timestamp > STALE_WAITING_MS) {
      throw new NotReady(
        `fulfilment job ${oldest.id} has waited ${Math.round((Date.now() - oldest.timestamp) / 1000)} s`,
      );
    }
  }

  private async check(key: string, probe: () => Promise<unknown>) {
    const indicator = this.indicators.check(key);
    try {
      await probe();
      return indicator.up();
    } catch (error) {
      if (error instanceof NotReady) return indicator.down({ message: error.message });
      this.logger.warn(`readiness: ${key} is not answering: ${(error as Error).message}`);
      return indicator.down({ message: 'not answering' });
    }
  }
}
