// The deletions feed: one row per record found gone from the store (or found back), for the tables
// whose rows the sync would otherwise keep forever. Written by the deletions stage, never by an
// entity's processor: from destroy events (source 'event') and from id-only snapshots compared with
// the ids the warehouse holds (source 'snapshot').
import { bool, id, str, table, ts } from '../rows/spec.ts';

export const deletionsTable = table({
  name: 'deletions',
  description:
    'One row per deleted record of an output table (or one seen again: restored). source is event (Shopify reported the destroy; deleted_at is when) ' +
    'or snapshot (an id-only snapshot no longer held it; deleted_at is null, detected_at and detected_window say when it was found). ' +
    'restored = true: an id reported deleted earlier was seen again, and is no longer deleted.',
  columns: [
    str('table'), id(), ts('deletedAt'), ts('detectedAt'), str('detectedWindow'), str('source'), bool('restored'),
  ],
});
