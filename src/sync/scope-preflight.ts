// The scope preflight of one shop: before the first bulk operation, the scopes the app was granted
// are read and each selected entity's declared scopes checked against them (plan.ts checkScopes). An
// entity missing one does not run: skipped with a note when the run took it by default (the run can
// still exit 0), failed with SCOPE_MISSING naming the scope when --entities asked for it. An entity
// whose data the shop cannot have (gift cards off Shopify Plus) runs neither: its tables stay empty,
// with a note, and the run does not fail for it. A further query of a snapshot that needs a scope not
// granted, or data the shop cannot have (QueryPart.ownScopes, onlyWith: one kind of metafield owner),
// is left out: the entity runs its other queries, with a note naming what is missing.
import type { Entity, QueryPart, ShopFeature } from '../entities/types.ts';
import { EtlError, ErrorCodes, isEtlError } from '../errors/index.ts';
import type { Manifest } from '../load/manifest.ts';
import type { Logger } from '../report/log.ts';
import { reportScopes, scopeNote } from '../report/preflight.ts';
import type { ShopifyClient } from '../shopify/client.ts';
import { MISSING_FEATURE, readShopFeatures } from '../shopify/features.ts';
import { hasScope, readGrantedScopes } from '../shopify/scopes.ts';
import type { EntityOutcome } from './entity-run.ts';
import { checkScopes, type ScopeCheck, type Window } from './plan.ts';

export interface ScopePreflightDeps {
  client: ShopifyClient;
  manifest: Pick<Manifest, 'addFailure'>;
  logger: Logger;
  /** The run's start: where the 60 days of order history read_orders alone shows end. */
  now: Date;
  /** --entities named the selected entities (not the default list). */
  asked: boolean;
  /** How the table is shown: off a terminal (json) as log lines only. */
  view: { json: boolean; write: (text: string) => void };
  windows: (entity: Entity) => Window[];
}

/** What the preflight decides for a shop: what a run does, and what its --dry-run shows. */
export interface ScopeDecision {
  checks: ScopeCheck[];
  granted: ReadonlySet<string>;
  /** The entities that run, in the selection's order, each with only the queries it can read. */
  runnable: Entity[];
  /** Per entity that runs without some of its queries: which, and why. */
  notes: ReadonlyMap<string, string>;
}

/** Whether an entity so checked runs: every scope granted, and the shop can have its data. */
const runs = (check: ScopeCheck): boolean => check.missing.length === 0 && check.unmet === null;

/**
 * Reads the scopes the app was granted and what the shop has of the features the entities require,
 * checks the selected entities against both, shows the preflight, and leaves out the queries an entity
 * that runs cannot read. Null: the shop would not say which scopes it granted (every entity is attempted).
 */
export async function checkShopScopes(deps: Omit<ScopePreflightDeps, 'manifest'>, selected: readonly Entity[]): Promise<ScopeDecision | null> {
  const granted = await grantedScopes(deps);
  if (granted === null) return null;
  const needed = (e: Entity): ShopFeature[] => [e.requires, ...e.parts.map((p) => p.onlyWith)].filter((f): f is ShopFeature => f !== undefined);
  const wanted = new Set(selected.flatMap((e) => (e.scopes.every((s) => hasScope(granted, s)) ? needed(e) : [])));
  const ungranted = (part: QueryPart): string[] => (part.ownScopes ?? []).filter((s) => !hasScope(granted, s));
  const features = await readShopFeatures(deps.client, wanted);
  const checks = checkScopes(selected, granted, deps.asked, deps.now, deps.windows, features);
  reportScopes(checks, deps.view, deps.logger);
  const notes = new Map<string, string>();
  const runnable = selected.filter((_, i) => runs(checks[i]!)).map((entity) => {
    const why = (p: QueryPart): string | null => {
      const missing = ungranted(p);
      if (missing.length > 0) return `grant ${missing.join(', ')} to the app and reinstall it`;
      return p.onlyWith !== undefined && !features.has(p.onlyWith) ? MISSING_FEATURE[p.onlyWith] : null;
    };
    const left = entity.parts.filter((p) => why(p) !== null);
    if (left.length === 0) return entity;
    const note = left.map((p) => `${p.name} not read: ${why(p)!}`).join('; ');
    notes.set(entity.name, note);
    deps.logger.info(`${entity.name}: ${note}`, { entity: entity.name, queries: left.map((p) => p.name) });
    // The queries kept keep their order. A window's state knows its operations by query position
    // (operation.ts), and adopts one only for the same query text, so a query left out in one run
    // and not the next never takes another query's operation.
    return { ...entity, parts: entity.parts.filter((p) => !left.includes(p)) };
  });
  return { checks, granted, runnable, notes };
}

/** The entities that run, and the outcomes of those that do not, in the selection's order; the scopes granted (null: the shop would not say). */
export async function preflightScopes(deps: ScopePreflightDeps, selected: readonly Entity[]): Promise<{ runnable: Entity[]; refused: EntityOutcome[]; granted: ReadonlySet<string> | null; notes: ReadonlyMap<string, string> }> {
  const decided = await checkShopScopes(deps, selected);
  if (decided === null) return { runnable: [...selected], refused: [], granted: null, notes: new Map() };
  const { checks } = decided;
  const refused: EntityOutcome[] = [];
  // Data the shop cannot have: the tables stay empty, with a note, whether --entities named it or not.
  for (const check of checks.filter((c) => c.unmet !== null)) {
    refused.push({ entity: check.entity, status: 'skipped', windows: 0, rowsByTable: {}, operations: 0, retries: 0, watermark: null, note: scopeNote(check) });
  }
  for (const check of checks.filter((c) => c.missing.length > 0)) {
    const outcome: EntityOutcome = { entity: check.entity, status: check.asked ? 'failed' : 'skipped', windows: 0, rowsByTable: {}, operations: 0, retries: 0, watermark: null };
    const message = `${check.entity} needs the ${check.missing.join(', ')} scope${check.missing.length > 1 ? 's' : ''}, which the app was not granted; grant ${check.missing.join(', ')} to the app and reinstall it`;
    if (check.asked) {
      outcome.error = { code: ErrorCodes.SCOPE_MISSING, message };
      deps.manifest.addFailure(check.entity, ErrorCodes.SCOPE_MISSING, message);
      deps.logger.error(`${check.entity} failed: ${message}`, { code: ErrorCodes.SCOPE_MISSING, entity: check.entity, missing: check.missing });
    } else {
      outcome.note = scopeNote(check);
    }
    refused.push(outcome);
  }
  return { runnable: decided.runnable, refused, granted: decided.granted, notes: decided.notes };
}

/**
 * The granted scopes, or null when the shop would not say (an answer without the field, a GraphQL
 * error): then every entity is attempted, and a missing scope shows as ACCESS_DENIED on its operation.
 */
async function grantedScopes(deps: Pick<ScopePreflightDeps, 'client' | 'logger'>): Promise<Set<string> | null> {
  try {
    return await readGrantedScopes(deps.client);
  } catch (err) {
    if (!isEtlError(err, ErrorCodes.GRAPHQL_ERROR) && !isEtlError(err, ErrorCodes.ACCESS_DENIED)) throw err;
    const e = err as EtlError;
    deps.logger.warn(`could not read the app's granted scopes (${e.message}); every selected entity is attempted`, { code: e.code });
    return null;
  }
}
