import { CartCommand, cartDecider, cartStream, OpenCart } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { ownedCart } from '@app/ordering';
import { RequestContext } from '../http/request-context';
import { CartResource } from './cart.resource';

/**
 * The shape every cart change shares: one read of the cart stream, on which
 * the partner must own the cart, then decide and append (honouring If-Match),
 * answering the cart.
 */
export async function changeCart(
  streams: EventStreams,
  cartId: string,
  context: RequestContext,
  command: (cart: OpenCart) => Promise<CartCommand> | CartCommand,
): Promise<CartResource> {
  const { state, revision, position } = await streams.handle(
    cartStream(cartId),
    cartDecider,
    (cart) => command(ownedCart(cart, cartId, context.partnerId)),
    context,
    { expectedRevision: context.expectedRevision },
  );
  return CartResource.of(state as OpenCart, revision, context.now, position);
}
