// Staff members: the shop's owner and a few staff accounts (one a collaborator, one invited and not
// yet active, one deactivated). Shopify lets apps read them only on Shopify Plus and Advanced shops;
// this shop's plan is one or the other exactly when it is on Plus (there is no Advanced here), and
// another refuses them: ACCESS_DENIED to an ordinary query, a bulk query FAILED with it, as Shopify does.
import { GraphQLError } from 'graphql';
import type { EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { gid, numericId } from './ids.ts';
import { connectionPage, type Args, type Rec } from './model.ts';
import { FIRST_NAMES, LAST_NAMES } from './names.ts';
import { rngFor } from './prng.ts';

const ROOT = 'staffMembers';
// This module's id space and random stream (apart from ids.ts's and the other modules').
const IDS = { StaffMember: 8_133_000_000_000 } as const;
const STREAM = 0x5354; // 'ST'
const ACCOUNTS = [
  { accountType: 'REGULAR', active: true },
  { accountType: 'REGULAR', active: true },
  { accountType: 'REGULAR', active: true },
  { accountType: 'COLLABORATOR', active: true },
  { accountType: 'INVITED', active: false },
  { accountType: 'REGULAR', active: false },
] as const;

/** The shop's staff members, the owner first, in id order. */
export function staffMembers(g: StoreGraph): Rec[] {
  const handle = g.ctx.shopDomain.replace(/\.myshopify\.com$/, '');
  return ACCOUNTS.map(({ accountType, active }, k): Rec => {
    const rng = rngFor(g.ctx.seed, STREAM, k);
    const firstName = rng.pick(FIRST_NAMES);
    const lastName = rng.pick(LAST_NAMES);
    return {
      __typename: 'StaffMember',
      id: gid('StaffMember', numericId(g.ctx.seed, IDS.StaffMember, k)),
      name: `${firstName} ${lastName}`,
      firstName,
      lastName,
      initials: [firstName.slice(0, 1), lastName.slice(0, 1)],
      email: k === 0 ? `owner@${handle}.example.com` : `staff${k}@${handle}.example.com`,
      phone: rng.chance(0.5) ? `+1 555 04${rng.range(10, 99)}` : null,
      locale: rng.pick(['en', 'en', 'fr', 'de', 'ja']),
      accountType,
      active,
      isShopOwner: k === 0,
      exists: true,
    };
  });
}

/** What Shopify answers a shop whose plan does not let apps read its staff. */
function denied(): GraphQLError {
  return new GraphQLError('Access denied for staffMembers field. Required access: `read_users` access scope. Also: The app must be a finance embedded app or installed on a Shopify Plus or Advanced store.', { extensions: { code: 'ACCESS_DENIED' } });
}

export const staffMembersGenerator: EntityGenerator = {
  root: ROOT,
  // Read whole every run: staff members have no timestamps, and the root filters on none.
  nodes: (g) => staffMembers(g),
  refused: (g) => !g.ctx.features.shopifyPlus,
  value: (g) => (args: Args) => {
    if (staffMembersGenerator.refused!(g)) throw denied();
    return connectionPage(staffMembers(g), args);
  },
  truth: (g) => ({ staff_members: staffMembersGenerator.refused!(g) ? 0 : staffMembers(g).length }),
};
