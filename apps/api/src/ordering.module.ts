import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { OrderingModule as OrderingServicesModule } from '@app/ordering';
import { PersonalDataModule } from '@app/personal-data';
import { AddToCartHandler } from './carts/add-to-cart/add-to-cart.command';
import { AddToCartController } from './carts/add-to-cart/add-to-cart.http';
import { ChangeQuantityHandler } from './carts/change-quantity/change-quantity.command';
import { ChangeQuantityController } from './carts/change-quantity/change-quantity.http';
import { CreateCartHandler } from './carts/create-cart/create-cart.command';
import { CreateCartController } from './carts/create-cart/create-cart.http';
import { GetCartController } from './carts/get-cart/get-cart.http';
import { PurchaseOrderHandler } from './carts/purchase-order/purchase-order.command';
import { PurchaseOrderController } from './carts/purchase-order/purchase-order.http';
import { RemoveFromCartHandler } from './carts/remove-from-cart/remove-from-cart.command';
import { RemoveFromCartController } from './carts/remove-from-cart/remove-from-cart.http';
import { SetScopeHandler } from './carts/set-scope/set-scope.command';
import { SetScopeController } from './carts/set-scope/set-scope.http';
import { BrowseCatalogController } from './catalog/browse-catalog/browse-catalog.http';
import { AddSubscriptionHandler } from './customers/add-subscription/add-subscription.command';
import { AddSubscriptionController } from './customers/add-subscription/add-subscription.http';
import { ChangeSubscriptionStatusHandler } from './customers/change-subscription-status/change-subscription-status.command';
import { ChangeSubscriptionStatusController } from './customers/change-subscription-status/change-subscription-status.http';
import { GetCustomerController } from './customers/get-customer/get-customer.http';
import { RegisterCustomerHandler } from './customers/register-customer/register-customer.command';
import { RegisterCustomerController } from './customers/register-customer/register-customer.http';
import { ListCustomersController } from './customers/list-customers/list-customers.http';
import { ErasePersonalDataHandler } from './customers/erase-personal-data/erase-personal-data.command';
import { ErasePersonalDataController } from './customers/erase-personal-data/erase-personal-data.http';
import { GetContactController } from './customers/get-contact/get-contact.http';
import { RecordContactHandler } from './customers/record-contact/record-contact.command';
import { RecordContactController } from './customers/record-contact/record-contact.http';
import { ConsistentReads } from './http/consistent-reads';
import { CustomerCostsController } from './usage/customer-costs/customer-costs.http';
import { IngestUsageController } from './usage/ingest-usage/ingest-usage.http';
import { ReservationUtilizationController } from './usage/reservation-utilization/reservation-utilization.http';
import { UsageStore } from '@app/discount';
import { CommandMetricsInterceptor, Metrics, MetricsController } from './operations/metrics';
import { OpsBasicAuthGuard, ProjectionStatusController } from './operations/projection-status.http';
import { OrderEventsController } from './orders/order-events/order-events.http';
import { OrderHistoryController } from './orders/order-history/order-history.http';
import { ListReservationsController } from './reservations/list-reservations/list-reservations.http';
import { CancelReservationHandler } from './reservations/cancel-reservation/cancel-reservation.command';
import { CancelReservationController } from './reservations/cancel-reservation/cancel-reservation.http';
import { ChangeScopeHandler } from './reservations/change-scope/change-scope.command';
import { ChangeScopeController } from './reservations/change-scope/change-scope.http';
import { GetReservationController } from './reservations/get-reservation/get-reservation.http';
import { MergeReservationsHandler } from './reservations/merge-reservations/merge-reservations.command';
import { MergeReservationsController } from './reservations/merge-reservations/merge-reservations.http';
import { RefundQuotes } from './reservations/refund-quote/refund-quote';
import { RefundQuoteController } from './reservations/refund-quote/refund-quote.http';
import { SetAutoRenewHandler } from './reservations/set-auto-renew/set-auto-renew.command';
import { SetAutoRenewController } from './reservations/set-auto-renew/set-auto-renew.http';
import { SplitReservationHandler } from './reservations/split-reservation/split-reservation.command';
import { SplitReservationController } from './reservations/split-reservation/split-reservation.http';
import { CancelOrderHandler } from './orders/cancel-order/cancel-order.command';
import { CancelOrderController } from './orders/cancel-order/cancel-order.http';
import { GetOrderController } from './orders/get-order/get-order.http';

/** The purchase flow and its views: customers, catalog, carts, orders, reservations; one folder per use case. */
@Module({
  imports: [CqrsModule.forRoot(), OrderingServicesModule, PersonalDataModule],
  controllers: [
    RegisterCustomerController,
    AddSubscriptionController,
    ChangeSubscriptionStatusController,
    GetCustomerController,
    ListCustomersController,
    RecordContactController,
    GetContactController,
    ErasePersonalDataController,
    BrowseCatalogController,
    CreateCartController,
    AddToCartController,
    ChangeQuantityController,
    RemoveFromCartController,
    SetScopeController,
    PurchaseOrderController,
    GetCartController,
    GetOrderController,
    CancelOrderController,
    OrderEventsController,
    OrderHistoryController,
    ListReservationsController,
    // Static route before :reservationId routes.
    MergeReservationsController,
    GetReservationController,
    ChangeScopeController,
    SplitReservationController,
    SetAutoRenewController,
    RefundQuoteController,
    CancelReservationController,
    ProjectionStatusController,
    MetricsController,
    IngestUsageController,
    CustomerCostsController,
    ReservationUtilizationController,
  ],
  providers: [
    UsageStore,
    Metrics,
    { provide: APP_INTERCEPTOR, useClass: CommandMetricsInterceptor },
    ConsistentReads,
    OpsBasicAuthGuard,
    RegisterCustomerHandler,
    AddSubscriptionHandler,
    ChangeSubscriptionStatusHandler,
    RecordContactHandler,
    ErasePersonalDataHandler,
    CreateCartHandler,
    AddToCartHandler,
    ChangeQuantityHandler,
    RemoveFromCartHandler,
    SetScopeHandler,
    PurchaseOrderHandler,
    CancelOrderHandler,
    RefundQuotes,
    ChangeScopeHandler,
    SplitReservationHandler,
    MergeReservationsHandler,
    SetAutoRenewHandler,
    CancelReservationHandler,
  ],
})
export class OrderingModule {}
