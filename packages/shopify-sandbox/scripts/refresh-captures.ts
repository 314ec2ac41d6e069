// Refreshes test/captures/: the recorded Shopify answers the conformance tests replay, trimmed to
// the interactions they read (KEEP below), with provenance.json saying where each file came from.
//
//   node scripts/refresh-captures.ts DIR
//
// DIR holds the recordings of the shopify-draft-proxy repository (SOURCE below), either as that
// repository lays them out (DIR/<apiVersion>/bulk-operations/<name>.json, DIR being
// fixtures/conformance/<store>/) or flattened (DIR/<apiVersion>/<name>.json). A test that reads a
// new interaction adds its path to KEEP and reruns this.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

type Path = Array<string | number>;

const SOURCE = {
  repository: 'https://github.com/airhorns/shopify-draft-proxy',
  commit: '1fba7c1853d600286cbcbc275a26cbb8500bcb28',
  paths: 'fixtures/conformance/harry-test-heelo.myshopify.com/<apiVersion>/bulk-operations/<name>.json',
  recorded: 'a Shopify development store (harry-test-heelo.myshopify.com), May to July 2026',
  licence: 'Apache-2.0, as declared by the repository (Cargo.toml, python/pyproject.toml, ruby/shopify-draft-proxy.gemspec); it has no LICENSE file at its root',
};

/** [apiVersion, capture name, path to the subtree kept]: exactly what the tests read. */
const KEEP: Array<[string, string, Path]> = [
  ['2025-01', 'bulk-operation-run-query-operation-in-progress', ['cancelAttempt']],
  ['2025-01', 'bulk-operation-run-query-operation-in-progress', ['secondRun']],
  ['2026-04', 'bulk-operation-name-independent-run-roots', ['cases', 'query']],
  ['2026-04', 'bulk-operation-root-count-and-search-filters', ['filters', 'createdBefore']],
  ['2026-04', 'bulk-operation-root-count-and-search-filters', ['filters', 'unknown']],
  ['2026-04', 'bulk-operation-run-mutation-allowed-roots', ['cases', 'customerCreate', 'cleanup', 'primary']],
  ['2026-04', 'bulk-operation-run-mutation-client-identifier-validation', ['observations', 'runQueryWithClientIdentifier']],
  ['2026-04', 'bulk-operation-run-query-concurrency-limit', ['sixthRun']],
  ['2026-04', 'bulk-operation-run-query-concurrency-limit', ['successfulRuns', 0]],
  ['2026-04', 'bulk-operation-run-query-concurrency-limit', ['successfulRuns', 1]],
  ['2026-04', 'bulk-operation-run-query-concurrency-limit', ['successfulRuns', 2]],
  ['2026-04', 'bulk-operation-run-query-concurrency-limit', ['successfulRuns', 3]],
  ['2026-04', 'bulk-operation-run-query-concurrency-limit', ['successfulRuns', 4]],
  ['2026-04', 'bulk-operation-run-query-group-objects', ['runs', 'runQueryGroupObjectsDefault', 'run']],
  ['2026-04', 'bulk-operation-run-query-user-error-codes', ['validations', 'emptyQuery']],
  ['2026-04', 'bulk-operation-run-query-user-error-codes', ['validations', 'noConnectionWithCode']],
  ['2026-04', 'bulk-operation-run-query-validators', ['validations']],
  ['2026-04', 'bulk-operation-status-catalog-cancel', ['lifecycle', 'queryExportImmediateCancel', 'cancelAttempt']],
  ['2026-04', 'bulk-operation-status-catalog-cancel', ['lifecycle', 'queryExportImmediateCancel', 'catalogById']],
  ['2026-04', 'bulk-operation-status-catalog-cancel', ['lifecycle', 'queryExportImmediateCancel', 'nodeReads', 'mixed']],
  ['2026-04', 'bulk-operation-status-catalog-cancel', ['lifecycle', 'queryExportToTerminal', 'terminalCancelAttempt']],
  ['2026-04', 'bulk-operation-status-catalog-cancel', ['reads', 'catalogEmptyRunningMutation']],
  ['2026-04', 'bulk-operation-status-catalog-cancel', ['reads', 'catalogEmptyRunningQuery']],
  ['2026-04', 'bulk-operation-status-catalog-cancel', ['reads', 'currentMutation']],
  ['2026-04', 'bulk-operation-status-catalog-cancel', ['reads', 'malformedId']],
  ['2026-04', 'bulk-operation-status-catalog-cancel', ['reads', 'unknownId']],
  ['2026-04', 'bulk-operation-status-catalog-cancel', ['validations', 'bulkOperationCancelMissingId']],
  ['2026-04', 'bulk-operation-status-catalog-cancel', ['validations', 'bulkOperationCancelUnknownId']],
  ['2026-04', 'bulk-operation-status-catalog-cancel', ['validations', 'bulkOperationMissingId']],
  ['2026-04', 'bulk-operation-status-catalog-cancel', ['validations', 'bulkOperationRunQueryMissingQuery']],
  ['2026-04', 'bulk-operation-status-catalog-cancel', ['validations', 'bulkOperationRunQueryWithoutConnection']],
  ['2026-04', 'bulk-operation-status-catalog-cancel', ['validations', 'bulkOperationsInvalidSearch']],
  ['2026-04', 'bulk-operation-storage-byte-limit', ['cases', 'query']],
  ['2026-04', 'bulk-operations-read-arg-validation', ['cases', 'firstAndLast']],
  ['2026-04', 'bulk-operations-read-arg-validation', ['cases', 'invalidCreatedAt']],
  ['2026-04', 'bulk-operations-read-arg-validation', ['cases', 'invalidOperationType']],
  ['2026-04', 'bulk-operations-read-arg-validation', ['cases', 'invalidStatusExpired']],
  ['2026-04', 'bulk-operations-read-arg-validation', ['cases', 'invalidStatusUnknown']],
  ['2026-04', 'bulk-operations-read-arg-validation', ['cases', 'malformedInlineId']],
  ['2026-04', 'bulk-operations-read-arg-validation', ['cases', 'missingWindow']],
  ['2026-04', 'bulk-operations-read-arg-validation', ['cases', 'nonBulkOperationGid']],
  ['2026-04', 'bulk-operations-sort-key', ['cases', 'idRejected']],
];

/** Top-level facts about the recording, kept with every file. */
const HEADER = ['scenarioId', 'capturedAt', 'storeDomain', 'apiVersion', 'notes'];

const OUT = resolve(import.meta.dirname, '../test/captures');

function sourceFile(dir: string, version: string, name: string): string {
  for (const path of [join(dir, version, 'bulk-operations', `${name}.json`), join(dir, version, `${name}.json`)]) if (existsSync(path)) return path;
  throw new Error(`no capture ${version}/${name} under ${dir}`);
}

/** Copies the subtree of `from` at `path` into `to`, creating the objects and arrays on the way. */
function pick(from: unknown, to: Record<string | number, unknown>, path: Path, where: string): void {
  const [key, ...rest] = path;
  const value = (from as Record<string | number, unknown> | undefined)?.[key!];
  if (value === undefined) throw new Error(`${where}: nothing at ${String(key)}`);
  if (rest.length === 0) {
    to[key!] = value;
    return;
  }
  to[key!] ??= typeof rest[0] === 'number' ? [] : {};
  pick(value, to[key!] as Record<string | number, unknown>, rest, `${where}/${String(key)}`);
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/refresh-captures.ts DIR (the recordings, see the header of this script)');
const files = new Map<string, { version: string; name: string; paths: Path[] }>();
for (const [version, name, path] of KEEP) {
  const key = `${version}/${name}`;
  if (!files.has(key)) files.set(key, { version, name, paths: [] });
  files.get(key)!.paths.push(path);
}
rmSync(OUT, { recursive: true, force: true });
const provenance: Record<string, unknown> = { ...SOURCE, script: 'packages/shopify-sandbox/scripts/refresh-captures.ts', refreshed: new Date().toISOString().slice(0, 10), files: {} };
for (const [key, { version, name, paths }] of files) {
  const bytes = readFileSync(sourceFile(resolve(dir), version, name));
  const source = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  const trimmed: Record<string | number, unknown> = {};
  for (const field of HEADER) if (source[field] !== undefined) trimmed[field] = source[field];
  for (const path of paths) pick(source, trimmed, path, key);
  const text = `${JSON.stringify(trimmed, null, 1)}\n`;
  mkdirSync(join(OUT, version), { recursive: true });
  writeFileSync(join(OUT, version, `${name}.json`), text);
  const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
  (provenance.files as Record<string, unknown>)[`${key}.json`] = { sourceSha256: sha256(bytes), sourceBytes: bytes.length, sha256: sha256(text), bytes: Buffer.byteLength(text) };
}
writeFileSync(join(OUT, 'provenance.json'), `${JSON.stringify(provenance, null, 2)}\n`);
console.log(`wrote ${files.size} trimmed captures to ${OUT}`);
