import { Module } from '@nestjs/common';
import { CancelOrderHandler } from './cancel-order/cancel-order.command';
import { CancelOrderController } from './cancel-order/cancel-order.http';
import { GetOrderController } from './get-order/get-order.http';
import { OrderEventsController } from './order-events/order-events.http';
import { OrderHistoryController } from './order-history/order-history.http';

/** Reservation orders: the order, its history, its events for auditors, and cancelling it before fulfilment. */
@Module({
  controllers: [GetOrderController, CancelOrderController, OrderEventsController, OrderHistoryController],
  providers: [CancelOrderHandler],
})
export class OrdersModule {}
