import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { v5 as uuidv5 } from 'uuid';
import { ActiveReservation, DomainError, illegalState, mergedReservation, reservationDecider, reservationStream } from '@app/domain';
import { ConcurrencyError, EventStreams, Revision } from '@app/eventstore';
import { ownedReservation } from '@app/ordering';
import { RequestContext } from '../../http/request-context';
import { ReservationResource } from '../reservation.resource';

const NAMESPACE = '7d2a9b41-3e6f-4c08-b5d1-8e4f0a2c6b93';

/** The same sources always merge into the same reservation, whatever order they are named in. */
export const mergeTargetId = (reservationIds: string[]) => uuidv5([...reservationIds].sort().join('/'), NAMESPACE);

export class MergeReservationsCommand extends Command<ReservationResource> {
  constructor(
    readonly reservationIds: string[],
    readonly context: RequestContext,
  ) {
    super();
  }
}

/**
 * Checks the sources may merge, ends each as merged at the revision it was
 * read at, then creates the merged reservation. The target's id derives from
 * the sources, so a retry after a crash part-way finds the sources already
 * merged into it and finishes the job. If the merge cannot finish (a source
 * changed meanwhile, or is no longer mergeable on a retry), the sources
 * already merged into the target are given back, and the caller gets the
 * refusal.
 */
@CommandHandler(MergeReservationsCommand)
export class MergeReservationsHandler implements ICommandHandler<MergeReservationsCommand> {
  constructor(private readonly streams: EventStreams) {}

  async execute({ reservationIds, context }: MergeReservationsCommand): Promise<ReservationResource> {
    const targetReservationId = mergeTargetId(reservationIds);
    const sources: Array<{ reservation: ActiveReservation; revision: Revision }> = [];
    for (const reservationId of reservationIds) {
      const { state, revision } = await this.streams.aggregate(reservationStream(reservationId), reservationDecider);
      sources.push({ reservation: ownedReservation(state, reservationId, context.partnerId), revision });
    }
    try {
      for (const { reservation } of sources) {
        const retry = reservation.status === 'Merged' && reservation.mergedInto === targetReservationId;
        if (reservation.status !== 'Succeeded' && !retry) {
          throw illegalState('RESERVATION_NOT_ACTIVE', `reservation ${reservation.reservationId} is ${reservation.status.toLowerCase()} and can no longer be merged`);
        }
      }
      const mergedAt = sources.find((s) => s.reservation.status === 'Merged')?.reservation.endedAt ?? context.now;
      const target = mergedReservation(sources.map((s) => s.reservation), targetReservationId, mergedAt);
      for (const { reservation, revision } of sources) {
        await this.streams.handle(
          reservationStream(reservation.reservationId),
          reservationDecider,
          { type: 'MergeInto', data: { targetReservationId, mergedWith: reservationIds, now: mergedAt } },
          context,
          { expectedRevision: revision },
        );
      }
      const created = await this.streams.handle(reservationStream(targetReservationId), reservationDecider, { type: 'RecordProvisionedReservation', data: target }, context);
      return ReservationResource.of(created.state as ActiveReservation, created.revision, created.position);
    } catch (error) {
      if (!(error instanceof DomainError || error instanceof ConcurrencyError)) throw error; // an outage: a retry finishes or reverts
      const { state: target } = await this.streams.aggregate(reservationStream(targetReservationId), reservationDecider);
      if (target.status === 'none') await this.giveBack(reservationIds, targetReservationId, error.message, context);
      throw error;
    }
  }

  private async giveBack(reservationIds: string[], targetReservationId: string, reason: string, context: RequestContext): Promise<void> {
    for (const reservationId of reservationIds) {
      await this.streams.handle(
        reservationStream(reservationId),
        reservationDecider,
        { type: 'RevertMerge', data: { targetReservationId, reason, now: context.now } },
        { ...context, commandId: `${context.commandId}/revert-merge` },
      );
    }
  }
}
