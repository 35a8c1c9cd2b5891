import { Module } from '@nestjs/common';
import { CancelReservationHandler } from './cancel-reservation/cancel-reservation.command';
import { CancelReservationController } from './cancel-reservation/cancel-reservation.http';
import { ExchangeReservationHandler } from './exchange-reservation/exchange-reservation.command';
import { ExchangeReservationController } from './exchange-reservation/exchange-reservation.http';
import { ReservationPaymentsController } from './reservation-payments/reservation-payments.http';
import { ReservationReturns } from './reservation-returns';
import { ReturnReservationHandler } from './return-reservation/return-reservation.command';
import { ReturnReservationController } from './return-reservation/return-reservation.http';
import { ChangeRenewalHandler } from './change-renewal/change-renewal.command';
import { ChangeRenewalController } from './change-renewal/change-renewal.http';
import { ChangeScopeHandler } from './change-scope/change-scope.command';
import { ChangeScopeController } from './change-scope/change-scope.http';
import { GetReservationController } from './get-reservation/get-reservation.http';
import { ListReservationsController } from './list-reservations/list-reservations.http';
import { MergeReservationsHandler } from './merge-reservations/merge-reservations.command';
import { MergeReservationsController } from './merge-reservations/merge-reservations.http';
import { RefundQuotes } from './refund-quotes';
import { RefundQuoteController } from './refund-quote/refund-quote.http';
import { SetAutoRenewHandler } from './set-auto-renew/set-auto-renew.command';
import { SetAutoRenewController } from './set-auto-renew/set-auto-renew.http';
import { SplitReservationHandler } from './split-reservation/split-reservation.command';
import { SplitReservationController } from './split-reservation/split-reservation.http';

/** Reservations after purchase: scope, split, merge, auto-renew, refund quote and return. */
@Module({
  controllers: [
    ListReservationsController,
    // The static route before the :reservationId routes.
    MergeReservationsController,
    GetReservationController,
    ChangeScopeController,
    SplitReservationController,
    SetAutoRenewController,
    ChangeRenewalController,
    RefundQuoteController,
    ReservationPaymentsController,
    CancelReservationController,
    ReturnReservationController,
    ExchangeReservationController,
  ],
  providers: [
    // Queries
    RefundQuotes,
    // Command handlers
    ChangeScopeHandler,
    SplitReservationHandler,
    MergeReservationsHandler,
    SetAutoRenewHandler,
    ChangeRenewalHandler,
    CancelReservationHandler,
    ReturnReservationHandler,
    ExchangeReservationHandler,
    ReservationReturns,
  ],
})
export class ReservationsModule {}
