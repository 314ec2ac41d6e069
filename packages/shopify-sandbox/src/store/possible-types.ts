// Which concrete types a fragment's type condition covers, read from the entity schema itself
// (store.graphql), so `... on Media` or `... on Node` cannot drift from what the schema declares.
import { readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';

const STORE_SDL = new URL('../schema/store.graphql', import.meta.url);

function load(): ReadonlyMap<string, ReadonlySet<string>> {
  const members = new Map<string, Set<string>>();
  const add = (abstract: string, concrete: string): void => {
    let set = members.get(abstract);
    if (!set) members.set(abstract, (set = new Set()));
    set.add(concrete);
  };
  for (const def of parse(readFileSync(STORE_SDL, 'utf8')).definitions) {
    if (def.kind === Kind.OBJECT_TYPE_DEFINITION) for (const iface of def.interfaces ?? []) add(iface.name.value, def.name.value);
    if (def.kind === Kind.UNION_TYPE_DEFINITION) for (const type of def.types ?? []) add(def.name.value, type.name.value);
  }
  return members;
}

const POSSIBLE = load();

/** True when a fragment on `condition` applies to a record of type `typename`. */
export function appliesTo(condition: string, typename: string): boolean {
  return condition === typename || (POSSIBLE.get(condition)?.has(typename) ?? false);
}
