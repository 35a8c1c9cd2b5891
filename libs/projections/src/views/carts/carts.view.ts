import { Cart } from '@app/domain';
import { ViewReader } from '../../view-reader';
import { FoldedDocument } from '../folding-projection';

export const CARTS = 'carts';

/** Where the carts view keeps a cart. */
export const cartKeys = {
  cart: (cartId: string) => `cart:${cartId}`,
};

export const readCart = (views: ViewReader, cartId: string) =>
  views.document<FoldedDocument<Cart>>(CARTS, cartKeys.cart(cartId));
