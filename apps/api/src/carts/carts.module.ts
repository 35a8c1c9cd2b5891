import { Module } from '@nestjs/common';
import { AddToCartHandler } from './add-to-cart/add-to-cart.command';
import { AddToCartController } from './add-to-cart/add-to-cart.http';
import { ChangeQuantityHandler } from './change-quantity/change-quantity.command';
import { ChangeQuantityController } from './change-quantity/change-quantity.http';
import { CreateCartHandler } from './create-cart/create-cart.command';
import { CreateCartController } from './create-cart/create-cart.http';
import { GetCartController } from './get-cart/get-cart.http';
import { PurchaseOrderHandler } from './purchase-order/purchase-order.command';
import { PurchaseOrderController } from './purchase-order/purchase-order.http';
import { RemoveFromCartHandler } from './remove-from-cart/remove-from-cart.command';
import { RemoveFromCartController } from './remove-from-cart/remove-from-cart.http';
import { SetScopeHandler } from './set-scope/set-scope.command';
import { SetScopeController } from './set-scope/set-scope.http';

/** Carts: add, change, scope, and the purchase that turns one into a reservation order. */
@Module({
  controllers: [
    CreateCartController,
    AddToCartController,
    ChangeQuantityController,
    RemoveFromCartController,
    SetScopeController,
    PurchaseOrderController,
    GetCartController,
  ],
  providers: [
    CreateCartHandler,
    AddToCartHandler,
    ChangeQuantityHandler,
    RemoveFromCartHandler,
    SetScopeHandler,
    PurchaseOrderHandler,
  ],
})
export class CartsModule {}
