import { Cart, CartEvent, cartDecider } from '@app/domain';
import { foldingProjection } from '../folding-projection';
import { CARTS, cartKeys } from './carts.view';

/** Cart view: the cart as its stream folds, for GET /v1/carts/{id}. */
export const cartsProjection = foldingProjection<Cart, CartEvent>({
  name: CARTS,
  eventTypes: [
    'CartCreated',
    'CartItemAdded',
    'CartItemQuantityChanged',
    'CartItemRemoved',
    'CartScopeSet',
    'CartPurchased',
  ],
  documentKey: (event) => cartKeys.cart(event.data.cartId),
  evolve: cartDecider.evolve,
  initialState: cartDecider.initialState,
});
