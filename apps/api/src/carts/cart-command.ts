import { CartCommand, cartDecider, cartStream, OpenCart } from '@app/domain';
import { EventStreams } from '@app/eventstore';
import { PartnerScopedReads } from '@app/ordering';
import { RequestContext } from '../http/request-context';
import { CartResource } from './cart.resource';

/**
 * The shape every cart change shares: the partner must own the cart, then
 * read-decide-append on its stream (honouring If-Match), answering the cart.
 */
export async function changeCart(
  reads: PartnerScopedReads,
  streams: EventStreams,
  cartId: string,
  context: RequestContext,
  command: (cart: OpenCart) => Promise<CartCommand> | CartCommand,
): Promise<CartResource> {
  const { state: owned } = await reads.cart(cartId, context.partnerId);
  const decided = await command(owned);
  const { state, revision } = await streams.handle(cartStream(cartId), cartDecider, decided, context, { expectedRevision: context.expectedRevision });
  return CartResource.of(state as OpenCart, revision, context.now);
}
