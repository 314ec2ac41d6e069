// A tiny Admin API client for sandbox tests: real HTTP over fetch, nothing stubbed.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sandbox } from '../../src/index.ts';

/** Where a sandbox answers: an in-process one, or a bin's ready line. */
export type Endpoint = Pick<Sandbox, 'url' | 'token'>;

export interface GqlResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { data?: Record<string, unknown> | null; errors?: Array<Record<string, unknown>>; extensions?: Record<string, unknown> };
}

export interface GqlRequest {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

export async function gql(sandbox: Endpoint, version: string, request: GqlRequest, token: string | null = sandbox.token): Promise<GqlResponse> {
  const res = await fetch(`${sandbox.url}/admin/api/${version}/graphql.json`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token === null ? {} : { 'X-Shopify-Access-Token': token }) },
    body: JSON.stringify(request),
  });
  const text = await res.text();
  let body: GqlResponse['body'];
  try {
    body = JSON.parse(text) as GqlResponse['body'];
  } catch {
    body = { html: text };
  }
  return { status: res.status, headers: res.headers, body };
}

export const OPERATION_FIELDS = 'id status type errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl query';

export type Op = { id: string; status: string; errorCode: string | null; objectCount: string; rootObjectCount: string; fileSize: string | null; url: string | null; partialDataUrl: string | null; completedAt: string | null; createdAt: string; query: string; type: string };

export async function runQuery(sandbox: Endpoint, version: string, query: string, groupObjects?: boolean): Promise<{ op: Op | null; userErrors: Array<{ field: string[] | null; message: string; code: string | null }> }> {
  const args = groupObjects === undefined ? 'query: $q' : `query: $q, groupObjects: ${groupObjects}`;
  const res = await gql(sandbox, version, {
    query: `mutation Run($q: String!) { bulkOperationRunQuery(${args}) { bulkOperation { ${OPERATION_FIELDS} } userErrors { field message code } } }`,
    variables: { q: query },
  });
  const payload = res.body.data?.bulkOperationRunQuery as { bulkOperation: Op | null; userErrors: Array<{ field: string[] | null; message: string; code: string | null }> };
  return { op: payload.bulkOperation, userErrors: payload.userErrors };
}

export async function readOperation(sandbox: Endpoint, version: string, id: string): Promise<Op | null> {
  const res = await gql(sandbox, version, { query: `query Poll($id: ID!) { node(id: $id) { ... on BulkOperation { ${OPERATION_FIELDS} } } }`, variables: { id } });
  return (res.body.data?.node as Op | null) ?? null;
}

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED']);

/** Polls node(id:) until the operation reaches a terminal status (or one of `until`); returns every status seen. */
export async function pollToEnd(sandbox: Endpoint, version: string, id: string, until: ReadonlySet<string> = TERMINAL): Promise<{ op: Op; seen: string[] }> {
  const seen: string[] = [];
  for (let i = 0; i < 400; i++) {
    const op = await readOperation(sandbox, version, id);
    if (!op) throw new Error(`operation ${id} not found`);
    if (seen.at(-1) !== op.status) seen.push(op.status);
    if (until.has(op.status)) return { op, seen };
    await sleep(15);
  }
  throw new Error(`operation ${id} never finished; saw ${seen.join(' -> ')}`);
}

/** Replaces what differs between runs (ids, times, URLs, cursors, the bucket level) by placeholders. */
export function normalise(value: unknown): unknown {
  if (typeof value === 'string') {
    return value
      .replace(/gid:\/\/shopify\/BulkOperation\/\d+/g, 'gid://shopify/BulkOperation/<n>')
      .replace(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, '<time>')
      .replace(/^https?:\/\/\S+$/, '<url>');
  }
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (key === 'currentlyAvailable') out[key] = typeof v;
      else if (key === 'cursor' || key === 'startCursor' || key === 'endCursor') out[key] = v === null ? null : '<cursor>';
      else out[key] = normalise(v);
    }
    return out;
  }
  return value;
}
