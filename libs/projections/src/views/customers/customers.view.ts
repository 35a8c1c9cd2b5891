import { Customer } from '@app/domain';
import { IndexCursor, ViewReader } from '../../view-reader';
import { FoldedDocument } from '../folding-projection';

export const CUSTOMERS = 'customers';

/** Where the customers view keeps a customer, and the index of a partner's customers by registration. */
export const customerKeys = {
  customer: (customerId: string) => `customer:${customerId}`,
  ofPartner: (partnerId: string) => `partner:${partnerId}`,
};

export const readCustomer = (views: ViewReader, customerId: string) =>
  views.document<FoldedDocument<Customer>>(CUSTOMERS, customerKeys.customer(customerId));

/** A partner's customers, newest registration first. */
export const customersOfPartner = (
  views: ViewReader,
  partnerId: string,
  options: { after?: IndexCursor; limit: number },
) =>
  views.listed<FoldedDocument<Customer>>(CUSTOMERS, customerKeys.ofPartner(partnerId), customerKeys.customer, options);
