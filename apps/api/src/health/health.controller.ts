import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { InjectQueue } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FULFILMENT_QUEUE, liveWorkers } from '@app/queues';
import { EventStoreConnection } from '@app/eventstore';
import { Public } from '../auth/api-key.guard';

const STALE_WAITING_MS = 120_000;

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly eventStore: EventStoreConnection,
    @Inject(Redis) private readonly redis: Redis,
    @InjectQueue(FULFILMENT_QUEUE) private readonly fulfilment: Queue,
  ) {}

  /** Liveness: the process answers. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Readiness: the event store and Redis answer, and workers consume the queues. */
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
    if (workers.length === 0) throw new Error('no worker is consuming the queues');
    const [oldest] = await this.fulfilment.getWaiting(0, 0);
    if (oldest && Date.now() - oldest.timestamp > STALE_WAITING_MS) {
      throw new Error(`fulfilment job ${oldest.id} has waited ${Math.round((Date.now() - oldest.timestamp) / 1000)} s`);
    }
  }

  private async check(key: string, probe: () => Promise<unknown>) {
    const indicator = this.indicators.check(key);
    try {
      await probe();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
