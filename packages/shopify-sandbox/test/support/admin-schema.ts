// Shopify's real Admin schema (a trimmed, committed copy with its provenance) lives with the ETL's
// tests at the repository root, which hold both the ETL's queries and this package to it; the
// sandbox's tests read the same copy rather than keep a second one.
export { adminSchema } from '../../../../test/support/admin-schema.ts';
