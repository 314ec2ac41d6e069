// Customers with their addresses (addressesV2 is a connection: one JSONL line per address).
import { address, bool, id, int, moneyV2, parentId, ref, str, strings, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const customers = table({
  name: 'customers',
  description: 'One row per customer. email and phone are the default email address and phone number; tags is REPEATED.',
  columns: [
    id(), str('firstName'), str('lastName'), str('displayName'), str('state'), str('note'), strings('tags'), bool('verifiedEmail'), bool('taxExempt'),
    str('locale'), int('numberOfOrders'), ts('createdAt'), ts('updatedAt'), str('defaultEmailAddress.emailAddress', 'email'),
    str('defaultPhoneNumber.phoneNumber', 'phone'), ref('defaultAddress.id', 'default_address_id'), moneyV2('amountSpent'),
  ],
});

const addresses = table({
  name: 'customer_addresses',
  description: 'One row per customer address (Customer.addressesV2).',
  parent: { column: 'customer_id', table: 'customers' },
  columns: [
    id(), parentId('customer_id'),
    ...address(['firstName', 'lastName', 'company', 'address1', 'address2', 'city', 'province', 'provinceCode', 'country', 'countryCodeV2', 'zip', 'phone']),
  ],
});

export const customersEntity = defineEntity({
  name: 'customers',
  scopes: ['read_customers'],
  sync: 'incremental',
  tables: [customers, addresses],
  routes: { Customer: customers, MailingAddress: addresses },
});
