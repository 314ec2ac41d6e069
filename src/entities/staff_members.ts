// Staff members: the accounts that work in the shop's admin. A snapshot: they have no createdAt or
// updatedAt, and the root filters on neither. Shopify serves them only with read_users, a scope it
// grants on Shopify Plus and Advanced shops; without it the entity is skipped like any missing scope,
// and a shop whose plan refuses them anyway gets the table empty, with a note (src/shopify/features.ts).
import { bool, id, str, strings, table } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const staffMembers = table({
  name: 'staff_members',
  description: 'One row per staff account (full snapshot each run): name, email, phone, locale, account type (REGULAR, COLLABORATOR, INVITED, …), active, shop owner; initials is REPEATED.',
  columns: [
    id(), str('name'), str('firstName'), str('lastName'), strings('initials'), str('email'), str('phone'), str('locale'), str('accountType'), bool('active'), bool('isShopOwner'), bool('exists'),
  ],
});

export const staffMembersEntity = defineEntity({
  name: 'staff_members',
  scopes: ['read_users'],
  requires: 'staffAccess',
  sync: 'snapshot',
  tables: [staffMembers],
  routes: { StaffMember: staffMembers },
});
