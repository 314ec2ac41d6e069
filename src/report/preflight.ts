// The scope preflight as a person or a machine reads it: on a terminal a table (per entity, will it
// sync, and if not which scope to grant), off it one Cloud Logging line per entity, like every other
// line of the run.
import { ErrorCodes } from '../errors/index.ts';
import { MISSING_FEATURE } from '../shopify/features.ts';
import { ALL_ORDERS_SCOPE } from '../shopify/scopes.ts';
import type { ScopeCheck } from '../sync/plan.ts';
import type { Logger } from './log.ts';

/** What the preflight says about one entity, in words. */
export function scopeNote(check: ScopeCheck): string {
  if (check.missing.length > 0) {
    const grant = `grant ${check.missing.join(', ')} to the app and reinstall it`;
    return check.asked ? `failed, --entities named it: ${grant}` : `skipped: ${grant}`;
  }
  if (check.unmet) return `empty: ${MISSING_FEATURE[check.unmet]}`;
  if (check.historyCut) return `syncs only the last 60 days of orders: grant ${ALL_ORDERS_SCOPE} for older ones`;
  return '';
}

/** Shows the preflight: `write` gets the table on a terminal (json false); the logger gets the lines otherwise, and the warnings always. */
export function reportScopes(checks: readonly ScopeCheck[], view: { json: boolean; write: (text: string) => void }, logger: Logger): void {
  for (const check of checks) {
    const syncs = check.missing.length === 0 && check.unmet === null;
    const fields = { entity: check.entity, syncs, scopes: check.scopes, missing: check.missing, ...(check.missing.length > 0 ? { code: ErrorCodes.SCOPE_MISSING } : {}) };
    const note = scopeNote(check);
    if (view.json) {
      // A missing scope or a cut history needs someone to act; a feature the shop lacks does not.
      (check.missing.length > 0 || check.historyCut ? logger.warn : logger.info)(`preflight: ${check.entity}${note ? `: ${note}` : ' syncs'}`, { ...fields, ...(note ? { note } : {}) });
    } else if (check.historyCut) {
      logger.warn(`${check.entity}: the windows reach back more than 60 days, but ${ALL_ORDERS_SCOPE} is not granted: Shopify shows only the last 60 days of orders; grant ${ALL_ORDERS_SCOPE} for older ones`, fields);
    }
  }
  if (view.json) return;
  const width = Math.max(6, ...checks.map((c) => c.entity.length));
  const lines = [`  ${'entity'.padEnd(width)}  ${'syncs'.padEnd(5)}  scopes`];
  for (const check of checks) {
    const scopes = check.scopes.length ? check.scopes.join(', ') : '-';
    const note = scopeNote(check);
    lines.push(`  ${check.entity.padEnd(width)}  ${(check.missing.length || check.unmet ? 'no' : 'yes').padEnd(5)}  ${scopes}${note ? `  (${note})` : ''}`);
  }
  view.write(`scope preflight\n${lines.join('\n')}\n`);
}
