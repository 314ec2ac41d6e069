// Shopify's events log, as far as deletes need it: a destroy leaves a BasicEvent (action "destroy",
// subjectType and subjectId naming the record) in `events`, and a product or collection destroy a
// DeletionEvent in `deletionEvents` (deprecated by Shopify, still served). remove() (index.ts) records
// them; a delete made without events leaves neither, as an app or a bulk delete can.
import { parseSearch } from './search-filter.ts';
import type { DestroyEvent } from './context.ts';
import { type EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { gid, IdBase, numericId } from './ids.ts';
import type { Args, Rec } from './model.ts';
import { iso } from './time.ts';

/** The subject types deletionEvents reports (DeletionEventSubjectType). */
const DELETION_EVENT_TYPES = new Set(['PRODUCT', 'COLLECTION']);

function eventRecord(g: StoreGraph, e: DestroyEvent): Rec {
  const noun = e.subjectType.toLowerCase().replaceAll('_', ' ');
  return {
    __typename: 'BasicEvent',
    id: gid('BasicEvent', numericId(g.ctx.seed, IdBase.BasicEvent, e.ordinal)),
    action: 'destroy',
    appTitle: null,
    attributeToApp: false,
    attributeToUser: true,
    createdAt: iso(e.at),
    criticalAlert: false,
    message: `A ${noun} was deleted.`,
    subjectId: e.subjectId,
    subjectType: e.subjectType,
  };
}

/**
 * The string terms of an events search (`action:destroy`, `subject_type:PRODUCT`), all of which must
 * hold; the time and id terms go through parseSearch. Other fields are ignored, as Shopify does.
 */
function stringTerms(query: unknown): Array<{ field: 'action' | 'subject_type'; value: string }> {
  if (typeof query !== 'string') return [];
  return [...query.matchAll(/\b(action|subject_type):['"]?([A-Za-z_]+)['"]?/g)].map((m) => ({ field: m[1] as 'action' | 'subject_type', value: m[2]! }));
}

export const eventsGenerator: EntityGenerator = {
  root: 'events',
  *nodes(g, _filter, args: Args) {
    const times = parseSearch(args['query'], ['created_at', 'id']);
    const terms = stringTerms(args['query']);
    for (const e of g.ctx.overlay.events) {
      const id = numericId(g.ctx.seed, IdBase.BasicEvent, e.ordinal);
      if (!times.matches({ created_at: e.at, id })) continue;
      if (!terms.every((t) => (t.field === 'action' ? t.value.toLowerCase() === 'destroy' : t.value.toUpperCase() === e.subjectType))) continue;
      yield eventRecord(g, e);
    }
  },
  truth: () => ({}),
};

export const deletionEventsGenerator: EntityGenerator = {
  root: 'deletionEvents',
  *nodes(g, _filter, args: Args) {
    const times = parseSearch(args['query'], ['occurred_at']);
    const wanted = Array.isArray(args['subjectTypes']) ? new Set(args['subjectTypes'] as string[]) : DELETION_EVENT_TYPES;
    for (const e of g.ctx.overlay.events) {
      if (!DELETION_EVENT_TYPES.has(e.subjectType) || !wanted.has(e.subjectType) || !times.matches({ occurred_at: e.at })) continue;
      yield { __typename: 'DeletionEvent', occurredAt: iso(e.at), subjectId: e.subjectId, subjectType: e.subjectType };
    }
  },
  truth: () => ({}),
};
