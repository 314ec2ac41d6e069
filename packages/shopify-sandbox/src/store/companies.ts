// B2B companies (Shopify Plus only: a shop without it serves none), each with one to three locations
// (billing and shipping addresses, tax settings, payment terms) and one to three contacts, each of
// them one of the store's customers, the first the main contact. Locations and contacts have their own
// updatedAt, which moves without the company's: many are newer than their company.
import { Tally, type EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { gid, IdBase, numericId } from './ids.ts';
import { Connection, type Rec } from './model.ts';
import { LAST_NAMES, PLACES, STREETS } from './names.ts';
import { rngFor } from './prng.ts';
import { DAY, iso } from './time.ts';
import { metafieldConnection } from './metafields.ts';

const ROOT = 'companies';
// This module's id spaces and random stream (apart from ids.ts's and the other modules').
const IDS = { Company: 6_203_000_000_000, CompanyContact: 6_317_000_000_000, CompanyLocation: 6_429_000_000_000, CompanyAddress: 6_541_000_000_000 } as const;
const STREAM = 0x4232; // 'B2'
/** Locations and contacts per company at most (their ordinals are company * PER_COMPANY + k). */
const PER_COMPANY = 3;
const KINDS = ['Supply', 'Trading', 'Wholesale', 'Hospitality Group', 'Outfitters', 'GmbH', 'S.A.R.L.'] as const;
const TITLES = ['Purchasing Manager', 'Buyer', 'Owner', 'Einkäuferin', 'Office Manager', null] as const;
const TERMS = [{ name: 'Net 30', dueInDays: 30 }, { name: 'Net 60', dueInDays: 60 }, { name: 'Due on receipt', dueInDays: null }] as const;

/** The customers that are contacts of company c: seeded customers c * 3 + k, those that exist and are not deleted. */
export function contactCustomers(g: StoreGraph, c: number): number[] {
  const rng = rngFor(g.ctx.seed, STREAM, c, 1);
  const wanted = rng.range(1, PER_COMPANY);
  const out: number[] = [];
  for (let k = 0; k < wanted; k++) {
    const customer = c * PER_COMPANY + k;
    if (customer < g.ctx.size.customers && !g.ctx.overlay.isDeleted('customers', customer)) out.push(customer);
  }
  return out;
}

function companyAddress(g: StoreGraph, ordinal: number, companyName: string, recipient: string, created: number): Rec {
  const rng = rngFor(g.ctx.seed, STREAM, ordinal, 2);
  const place = rng.pick(PLACES);
  return {
    __typename: 'CompanyAddress',
    id: gid('CompanyAddress', numericId(g.ctx.seed, IDS.CompanyAddress, ordinal)),
    address1: `${rng.range(1, 900)} ${rng.pick(STREETS)}`,
    address2: rng.chance(0.3) ? `Suite ${rng.range(100, 900)}` : null,
    city: place.city,
    zoneCode: place.provinceCode,
    countryCode: place.countryCode,
    zip: place.zip,
    companyName,
    recipient,
    phone: rng.chance(0.5) ? `+1 555 02${rng.range(10, 99)}` : null,
    createdAt: iso(created),
    updatedAt: iso(created),
  };
}

/** Company c, its locations and contacts included; null on a shop off Shopify Plus or past the store's companies. */
export function companyRecord(g: StoreGraph, c: number): Rec | null {
  if (!g.ctx.features.shopifyPlus || c >= (g.ctx.size.companies)) return null;
  const rng = rngFor(g.ctx.seed, STREAM, c);
  const { start, end } = g.ctx.timeline;
  const created = start + Math.floor(((c + rng.float()) * (end - start) / 2) / Math.max(1, g.ctx.size.companies));
  const updated = created + rng.int(end - created);
  const name = `${LAST_NAMES[c % LAST_NAMES.length]} ${KINDS[c % KINDS.length]}${c >= LAST_NAMES.length ? ` ${c + 1}` : ''}`;
  const childTimes = (k: number, salt: number): { created: number; updated: number } => {
    const r = rngFor(g.ctx.seed, STREAM, c * PER_COMPANY + k, salt);
    const at = created + r.int(30 * DAY);
    return { created: at, updated: at + r.int(Math.max(1, end - at)) };
  };
  const customers = contactCustomers(g, c);
  const contacts = customers.map((customer, k): Rec => {
    const r = rngFor(g.ctx.seed, STREAM, c * PER_COMPANY + k, 3);
    const times = childTimes(k, 4);
    return {
      __typename: 'CompanyContact',
      id: gid('CompanyContact', numericId(g.ctx.seed, IDS.CompanyContact, c * PER_COMPANY + k)),
      isMainContact: k === 0,
      title: r.pick(TITLES),
      locale: r.pick(['en', 'en', 'fr', 'de']),
      createdAt: iso(times.created),
      updatedAt: iso(times.updated),
      customer: { __typename: 'Customer', id: gid('Customer', numericId(g.ctx.seed, IdBase.Customer, customer)) },
    };
  });
  const locationCount = rngFor(g.ctx.seed, STREAM, c, 5).range(1, PER_COMPANY);
  const locations = Array.from({ length: locationCount }, (_, k): Rec => {
    const ordinal = c * PER_COMPANY + k;
    const r = rngFor(g.ctx.seed, STREAM, ordinal, 6);
    const times = childTimes(k, 7);
    const billing = companyAddress(g, ordinal * 2, name, 'Accounts Payable', times.created);
    const terms = r.pick(TERMS);
    const exempt = r.chance(0.2);
    return {
      __typename: 'CompanyLocation',
      id: gid('CompanyLocation', numericId(g.ctx.seed, IDS.CompanyLocation, ordinal)),
      name: k === 0 ? 'Head office' : `${String(billing['city'])} branch`,
      externalId: r.chance(0.5) ? `LOC-${1000 + ordinal}` : null,
      phone: r.chance(0.5) ? `+1 555 03${r.range(10, 99)}` : null,
      locale: r.pick(['en', 'fr', 'de']),
      currency: r.pick(['USD', 'USD', 'EUR', 'CAD']),
      note: r.chance(0.2) ? 'Deliveries before noon' : null,
      createdAt: iso(times.created),
      updatedAt: iso(times.updated),
      taxSettings: { __typename: 'CompanyLocationTaxSettings', taxExempt: exempt, taxRegistrationId: exempt || r.chance(0.4) ? `VAT${r.range(100000, 999999)}` : null },
      buyerExperienceConfiguration: {
        __typename: 'BuyerExperienceConfiguration',
        checkoutToDraft: r.chance(0.3),
        editableShippingAddress: r.chance(0.5),
        paymentTermsTemplate: terms.dueInDays === null && r.chance(0.5) ? null : { __typename: 'PaymentTermsTemplate', name: terms.name, dueInDays: terms.dueInDays },
      },
      billingAddress: billing,
      shippingAddress: r.chance(0.6) ? billing : companyAddress(g, ordinal * 2 + 1, name, 'Receiving', times.created),
    };
  });
  return {
    __typename: 'Company',
    id: gid('Company', numericId(g.ctx.seed, IDS.Company, c)),
    name,
    externalId: rng.chance(0.6) ? `ERP-${10_000 + c}` : null,
    note: rng.chance(0.25) ? 'Annual contract, reviewed each January' : null,
    createdAt: iso(created),
    updatedAt: iso(updated),
    customerSince: iso(created),
    mainContact: contacts[0] ? { __typename: 'CompanyContact', id: contacts[0]['id'] as string } : null,
    contacts: () => new Connection(contacts),
    locations: () => new Connection(locations),
    metafields: metafieldConnection(g.ctx, 'COMPANY', c, created),
  };
}

/** The store's companies, in id order. */
export function* companies(g: StoreGraph): Generator<Rec> {
  for (let c = 0; ; c++) {
    const company = companyRecord(g, c);
    if (!company) return;
    yield company;
  }
}

export const companiesGenerator: EntityGenerator = {
  root: ROOT,
  // A snapshot: the root filters on the company's updated_at, which a location's or contact's change does not move.
  nodes: (g) => companies(g),
  truth(g) {
    const tally = new Tally(['companies', 'company_locations', 'company_contacts']);
    for (const company of companies(g)) {
      tally.add('companies');
      tally.add('company_locations', [...(company['locations'] as () => Connection)().nodes].length);
      tally.add('company_contacts', [...(company['contacts'] as () => Connection)().nodes].length);
    }
    return tally.counts;
  },
};
