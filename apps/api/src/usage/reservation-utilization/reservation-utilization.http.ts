import { Controller, Get, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { FastifyRequest, FastifyReply } from 'fastify';
import { HeldReservation, heldHoursOfDay, HOUR_MS } from '@app/domain';
import { costsProjection, UtilizationDay, utilizationDays, ViewReader } from '@app/projections';
import { ConsistentReads } from '../../http/consistent-reads';
import { reservationFromView } from '../../http/owned-views';
import { ApiReservationUtilization } from '../usage.openapi';
import { Ctx, RequestContext } from '../../http/request-context';

const DAY_MS = 24 * HOUR_MS;

/** Reserved VM-hours of a day: the VMs it held in each hour of that day it was in effect. */
const reservedHours = (reservation: HeldReservation, date: string): number =>
  [...heldHoursOfDay(reservation, Date.parse(date))].reduce((total, [, held]) => total + held, 0);

const dayOf = (ms: number) => new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

/** Use it or lose it, made visible: used against reserved hours per day, idle days at 0%. */
@ApiTags('reservations')
@Controller({ path: 'reservations/:reservationId/utilization', version: '1' })
export class ReservationUtilizationController {
  constructor(
    private readonly views: ViewReader,
    private readonly consistency: ConsistentReads,
  ) {}

  @Get()
  @ApiReservationUtilization()
  async utilization(
    @Param('reservationId', ParseUUIDPipe) reservationId: string,
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    await this.consistency.ensure(costsProjection.name, request, response);
    const { reservation } = await reservationFromView(this.views, reservationId, context.partnerId);
    const documents = (await utilizationDays(this.views, reservationId, { limit: 1_500 })).map(
      ({ document }) => document,
    );
    const used = new Map(
      documents
        .filter((day): day is UtilizationDay => day !== undefined)
        .map((day) => [
          day.date,
          Math.round(Object.values(day.hours).reduce((sum, hours) => sum + hours, 0) * 1e6) / 1e6,
        ]),
    );
    // Every day it has been in effect so far counts, used or idle (use it or lose it); it reserved nothing after it ended.
    const nowMs = Date.parse(context.now);
    const lastMs = Math.min(
      nowMs,
      Date.parse(reservation.expiryDate),
      reservation.endedAt ? Date.parse(reservation.endedAt) : Infinity,
    );
    for (let day = Date.parse(dayOf(Date.parse(reservation.effectiveDate))); day < lastMs; day += DAY_MS) {
      if (!used.has(dayOf(day))) used.set(dayOf(day), 0);
    }
    const items = [...used.entries()]
      .map(([date, usedHours]) => {
        const reserved = reservedHours(reservation, date);
        return {
          date,
          usedHours,
          reservedHours: reserved,
          percentage: reserved > 0 ? Math.round((usedHours / reserved) * 10_000) / 100 : 0,
        };
      })
      .sort((a, b) => a.date.localeCompare(b.date));
    return { reservationId, items };
  }
}
