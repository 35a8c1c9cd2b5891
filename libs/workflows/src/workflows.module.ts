import { Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Redis } from 'ioredis';
import { Reactor, startReactor } from '@app/projections';
import { PurchaseCompletion } from './purchase/purchase-completion.workflow';
import { RefundSettlementWorkflow } from './refund-settlement/refund-settlement.workflow';
import { RenewalOrderWorkflow } from './renewal/renewal-order.workflow';
import { Workflow } from './workflow';

/** Runs every workflow as a reactor: one replica at a time each, from a fenced checkpoint. */
@Injectable()
export class WorkflowReactors implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Workflows');
  private reactors: Reactor[] = [];
  private readonly workflows: Workflow[];

  constructor(
    private readonly client: EventStoreDBClient,
    @Inject(Redis) private readonly redis: Redis,
    purchase: PurchaseCompletion,
    refunds: RefundSettlementWorkflow,
    renewals: RenewalOrderWorkflow,
  ) {
    this.workflows = [purchase, refunds, renewals];
  }

  onApplicationBootstrap(): void {
    this.reactors = this.workflows.map((workflow) =>
      startReactor(this.client, this.redis, { name: workflow.name, eventTypes: workflow.eventTypes, reads: () => [], apply: () => [] }, this.logger, (event) => workflow.react(event)),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.reactors.map((reactor) => reactor.stop()));
  }
}

/** In the worker: the reactors that finish purchases, cancellations and renewals without the client. */
@Module({
  providers: [PurchaseCompletion, RefundSettlementWorkflow, RenewalOrderWorkflow, WorkflowReactors],
})
export class WorkflowsModule {}
