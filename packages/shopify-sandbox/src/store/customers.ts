// Customers and their addresses. Which orders a customer has is decided by the orders side
// (see StoreGraph.orderCustomer); numberOfOrders and amountSpent are computed from those orders.
import { gid, IdBase, numericId } from './ids.ts';
import { Connection, moneyV2, type Rec } from './model.ts';
import { FIRST_NAMES, LAST_NAMES, PLACES, STREETS, TAGS, type Place } from './names.ts';
import { rngFor, Streams, type Rng } from './prng.ts';
import { parseSearch } from './search-filter.ts';
import type { StoreContext } from './context.ts';
import { inWindow, mutableNodes, rootIndexes, Tally, type EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { iso } from './time.ts';
import { metafieldConnection } from './metafields.ts';

const MAX_ADDRESSES = 4;

export interface AddressCore {
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  address1: string;
  address2: string | null;
  place: Place;
  phone: string | null;
}

export interface CustomerCore {
  index: number;
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  addresses: readonly AddressCore[];
}

export function customerCore(ctx: StoreContext, c: number): CustomerCore {
  const rng = rngFor(ctx.seed, Streams.customer, c);
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const firstName = rng.chance(0.04) ? null : first;
  const lastName = rng.chance(0.03) ? null : last;
  const local = `${asciiName(first)}.${asciiName(last)}${c + 1}`;
  const email = rng.chance(0.05) ? null : `${local}@${rng.pick(['example.com', 'example.org', 'mail.example.net'])}`;
  const phone = rng.chance(0.5) ? `+1${rng.range(200, 999)}555${String(rng.range(0, 9999)).padStart(4, '0')}` : null;
  const addresses: AddressCore[] = [];
  const count = rng.weighted([10, 55, 25, 10]);
  for (let a = 0; a < count; a++) addresses.push(addressCore(rng, firstName, lastName, phone));
  return { index: c, id: gid('Customer', numericId(ctx.seed, IdBase.Customer, c)), firstName, lastName, email, phone, addresses };
}

export function addressCore(rng: Rng, firstName: string | null, lastName: string | null, phone: string | null): AddressCore {
  return {
    firstName,
    lastName,
    company: rng.chance(0.15) ? rng.pick(['Acme Corp', 'Müller & Söhne', 'Société Générale', '株式会社テスト']) : null,
    address1: `${rng.range(1, 999)} ${rng.pick(STREETS)}`,
    address2: rng.chance(0.25) ? `Apt ${rng.range(1, 40)}` : null,
    place: rng.pick(PLACES),
    phone: rng.chance(0.5) ? phone : null,
  };
}

/** A MailingAddress record. Shopify's ids for these carry the model as a query parameter. */
export function mailingAddress(address: AddressCore, id: string): Rec {
  const name = [address.firstName, address.lastName].filter(Boolean).join(' ');
  return {
    __typename: 'MailingAddress',
    id,
    firstName: address.firstName,
    lastName: address.lastName,
    name: name || null,
    company: address.company,
    address1: address.address1,
    address2: address.address2,
    city: address.place.city,
    province: address.place.province,
    provinceCode: address.place.provinceCode,
    country: address.place.country,
    countryCodeV2: address.place.countryCode,
    zip: address.place.zip,
    phone: address.phone,
  };
}

function asciiName(name: string): string {
  return name.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase() || 'customer';
}

export function customerRecord(g: StoreGraph, c: number): Rec {
  const core = g.customerCore(c);
  const rng = rngFor(g.ctx.seed, Streams.customer, c, 1);
  const times = g.ctx.rootTimes('customers', c);
  const addresses = core.addresses.map((a, i) =>
    mailingAddress(a, `${gid('MailingAddress', numericId(g.ctx.seed, IdBase.CustomerAddress, c * MAX_ADDRESSES + i))}?model_name=CustomerAddress`),
  );
  const displayName = [core.firstName, core.lastName].filter(Boolean).join(' ') || core.email || core.phone || 'Guest';
  return {
    __typename: 'Customer',
    id: core.id,
    firstName: core.firstName,
    lastName: core.lastName,
    displayName,
    state: (['ENABLED', 'DISABLED', 'INVITED', 'DECLINED'] as const)[rng.weighted([60, 30, 8, 2])] ?? 'DISABLED',
    note: rng.chance(0.15) ? rng.pick(['VIP – prefers email', 'Wholesale account', 'Kundin seit 2019']) : null,
    tags: rng.some(TAGS, 2),
    verifiedEmail: core.email !== null && rng.chance(0.9),
    taxExempt: rng.chance(0.03),
    locale: rng.pick(['en', 'en', 'fr', 'de', 'ja', 'pt-BR']),
    // UnsignedInt64 is serialised as a string.
    numberOfOrders: () => String(g.ordersOfCustomer(c).length),
    createdAt: iso(times.created),
    updatedAt: iso(times.updated),
    defaultEmailAddress: core.email === null ? null : { __typename: 'CustomerEmailAddress', emailAddress: core.email },
    defaultPhoneNumber: core.phone === null ? null : { __typename: 'CustomerPhoneNumber', phoneNumber: core.phone },
    defaultAddress: addresses[0] ?? null,
    amountSpent: () => moneyV2(g.ordersOfCustomer(c).reduce((sum, i) => sum + g.orderSpend(i), 0), g.ctx.shopCurrency),
    addresses,
    addressesV2: () => new Connection(addresses),
    metafields: metafieldConnection(g.ctx, 'CUSTOMER', c, times.created),
    orders: (args) => {
      const filter = parseSearch(args['query'], ['updated_at', 'created_at']);
      return new Connection(
        g.ordersOfCustomer(c)
          .filter((i) => {
            const t = g.ctx.rootTimes('orders', i);
            return filter.matches({ updated_at: t.updated, created_at: t.created });
          })
          .map((i) => g.order(i)),
      );
    },
  };
}

export const customersGenerator: EntityGenerator = {
  root: 'customers',
  mutable: { defaultSize: 60, gidType: 'Customer', idBase: IdBase.Customer },
  nodes: mutableNodes('customers', IdBase.Customer, (g, c) => g.customer(c)),
  truth(g, window) {
    const tally = new Tally(['customers', 'customer_addresses']);
    for (const c of rootIndexes(g, 'customers', (t) => inWindow(window, t.updated))) {
      tally.add('customers');
      tally.add('customer_addresses', g.customerCore(c).addresses.length);
    }
    return tally.counts;
  },
};
