// B2B companies, their locations and contacts. A snapshot: the companies root filters on the
// company's updated_at, and a change to one of its locations or contacts (a new address, a contact's
// title) does not move it, so windows on the company would lose those changes; B2B shops count their
// companies in thousands, not millions, so reading them whole each run is cheap. B2B exists on Shopify
// Plus only: another shop gets the tables empty, with a note (src/sync/scope-preflight.ts).
import { address, bool, id, int, parentId, ref, str, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const COMPANY_ADDRESS = ['address1', 'address2', 'city', 'zoneCode', 'countryCode', 'zip', 'companyName', 'recipient', 'phone'] as const;

const companies = table({
  name: 'companies',
  description: 'One row per B2B company (full snapshot each run). main_contact_id is its main company contact.',
  columns: [
    id(), str('name'), str('externalId'), str('note'), ts('createdAt'), ts('updatedAt'), ts('customerSince'), ref('mainContact.id', 'main_contact_id'),
  ],
});

const locations = table({
  name: 'company_locations',
  description: 'One row per company location (Company.locations): where a company buys, with its currency, tax settings, payment terms and flattened billing and shipping addresses.',
  parent: { column: 'company_id', table: 'companies' },
  columns: [
    id(), parentId('company_id'), str('name'), str('externalId'), str('phone'), str('locale'), str('currency'), str('note'), ts('createdAt'), ts('updatedAt'),
    bool('taxSettings.taxExempt', 'tax_exempt'), str('taxSettings.taxRegistrationId', 'tax_registration_id'),
    bool('buyerExperienceConfiguration.checkoutToDraft', 'checkout_to_draft'), bool('buyerExperienceConfiguration.editableShippingAddress', 'editable_shipping_address'),
    str('buyerExperienceConfiguration.paymentTermsTemplate.name', 'payment_terms_name'), int('buyerExperienceConfiguration.paymentTermsTemplate.dueInDays', 'payment_terms_due_in_days'),
    ...address(COMPANY_ADDRESS, 'billingAddress'), ...address(COMPANY_ADDRESS, 'shippingAddress'),
  ],
});

const contacts = table({
  name: 'company_contacts',
  description: 'One row per company contact (Company.contacts): a customer who buys for the company; customer_id is that customer.',
  parent: { column: 'company_id', table: 'companies' },
  columns: [id(), parentId('company_id'), ref('customer.id', 'customer_id'), bool('isMainContact'), str('title'), str('locale'), ts('createdAt'), ts('updatedAt')],
});

export const companiesEntity = defineEntity({
  name: 'companies',
  // Shopify accepts either: read_companies, or read_customers (hasScope counts it).
  scopes: ['read_companies'],
  requires: 'shopifyPlus',
  sync: 'snapshot',
  tables: [companies, locations, contacts],
  routes: { Company: companies, CompanyLocation: locations, CompanyContact: contacts },
});
