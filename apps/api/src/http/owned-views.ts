import { Customer, CustomerSnapshot } from '@app/domain';
import { ownedCustomer } from '@app/ordering';
import { customersProjection, FoldedDocument, ViewReader } from '@app/projections';

/** The customer from the customers view, if the partner owns it; otherwise 404. */
export async function customerFromView(views: ViewReader, customerId: string, partnerId: string): Promise<{ customer: CustomerSnapshot; revision: bigint }> {
  const document = await views.document<FoldedDocument<Customer>>(customersProjection.name, `customer:${customerId}`);
  const customer = ownedCustomer(document?.state ?? { status: 'unregistered' }, customerId, partnerId);
  return { customer, revision: BigInt(document!.revision) };
}
