import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@app/clock';
import { auditAnchorDecider, auditAnchorStream, AuditAnchorEvent, DomainError } from '@app/domain';
import { EventStore, EventStreams } from '@app/eventstore-client';
import { ChainHeads, scanAll } from './chain-heads';
import { AuditAnchor } from './export-format';

export interface AnchorRun {
  /** The Clock's time the anchors were recorded at. */
  at: string;
  /** The $all position the heads were computed to. */
  headPosition: string;
  recorded: number;
  unchanged: number;
  /** Customers whose history no longer matches their last anchor: rewritten since. Logged as errors, never anchored over. */
  rewritten: string[];
}

/**
 * The daily anchor job (docs/audit.md, Anchors): reads $all once up to its
 * head, computes every customer's audit chain head, and records it as
 * AuditAnchorRecorded on the customer's own stream when it moved since the
 * last anchor. The time is the Clock's; the job carries none.
 */
@Injectable()
export class AuditAnchorRecorder {
  private readonly logger = new Logger('AuditAnchors');

  constructor(
    private readonly store: EventStore,
    private readonly streams: EventStreams,
    private readonly clock: Clock,
  ) {}

  async run(correlationId = 'audit-anchors'): Promise<AnchorRun> {
    const at = await this.clock.now();
    const headPosition = await this.store.headPosition();
    const heads = new ChainHeads();
    for await (const page of scanAll((options) => this.store.readAll(options), headPosition))
      for (const event of page) heads.push(event);
    const run: AnchorRun = { at, headPosition: headPosition.toString(), recorded: 0, unchanged: 0, rewritten: [] };
    for (const [customerId, head] of heads.heads) {
      const data = { customerId, count: head.count, position: head.position, chain: head.chain, recordedAt: at };
      try {
        const { events } = await this.streams.handle(
          auditAnchorStream(customerId),
          auditAnchorDecider,
          { type: 'RecordAuditAnchor', data },
          {
            correlationId,
            commandId: `audit-anchor-${customerId}-${head.count}-${head.chain}`,
            partnerId: head.partnerId,
            actor: 'system/audit-anchors',
            now: at,
          },
        );
        if (events.length > 0) run.recorded++;
        else run.unchanged++;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        run.rewritten.push(customerId);
        this.logger.error(
          `audit history of customer ${customerId} no longer matches its last anchor: ${error.message}`,
        );
      }
    }
    return run;
  }
}

/** A customer's anchors as recorded, oldest first. */
export async function anchorsOf(streams: EventStreams, customerId: string): Promise<AuditAnchor[]> {
  const events = await streams.events<AuditAnchorEvent>(auditAnchorStream(customerId));
  return events.filter((event) => event.type === 'AuditAnchorRecorded').map((event) => ({ ...event.data }));
}
