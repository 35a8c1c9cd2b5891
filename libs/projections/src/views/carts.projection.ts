import { Cart, CartEvent, cartDecider } from '@app/domain';
import { foldingProjection } from './folding-projection';

/** Cart view: the cart as its stream folds, for GET /v1/carts/{id}. */
export const cartsProjection = foldingProjection<Cart, CartEvent>({
  name: 'carts',
  eventTypes: ['CartCreated', 'CartItemAdded', 'CartItemQuantityChanged', 'CartItemRemoved', 'CartScopeSet', 'CartPurchased'],
  documentKey: (event) => `cart:${event.data.cartId}`,
  evolve: cartDecider.evolve,
  initialState: cartDecider.initialState,
});
