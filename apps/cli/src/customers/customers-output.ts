import type { CustomerResourceV1, ListV1 } from '@aegis/contracts';
import { formatFields, formatTable } from '../output/table.js';

function metadataOf(customer: CustomerResourceV1): string {
  const pairs = Object.entries(customer.metadata).map(([key, value]) => `${key}=${value}`);
  return pairs.length === 0 ? '-' : pairs.join(', ');
}

/** What `aegis customers show` prints. */
export function formatCustomer(customer: CustomerResourceV1): string[] {
  return formatFields([
    ['id', customer.id],
    ['email', customer.email ?? '-'],
    ['name', customer.name ?? '-'],
    ['metadata', metadataOf(customer)],
    ['stripe customer', customer.stripe_customer_id],
    ['created', customer.created_at],
  ]);
}

/** `aegis customers create`: 201 made it, 200 found it (get-or-create by id). */
export function formatCreatedCustomer(customer: CustomerResourceV1, status: number): string[] {
  const first =
    status === 201 ? `created customer ${customer.id}` : `customer ${customer.id} already exists`;
  return [first, ...formatCustomer(customer)];
}

export function formatCustomerList(list: ListV1<CustomerResourceV1>): string[] {
  if (list.data.length === 0) return ['no customers'];
  return formatTable(
    ['ID', 'EMAIL', 'NAME', 'STRIPE CUSTOMER', 'CREATED'],
    list.data.map((customer) => [
      customer.id,
      customer.email ?? '-',
      customer.name ?? '-',
      customer.stripe_customer_id,
      customer.created_at,
    ]),
  );
}
