// The GraphQL documents of the bulk lifecycle and the payloads they answer with. Every read selects
// the same fields (BulkOperationFields), so every operation parses the same way (operation.ts).
import type { RawBulkOperation } from './operation.ts';

/** Five slots per shop at most (2026-01+), so ten of each status is more than can exist. */
const RUNNING_PAGE = 10;
/** Operations looked through for one submitted since a point in time: one run's windows, with room to spare. */
const FIND_PAGE = 50;

const FIELDS = `fragment BulkOperationFields on BulkOperation {
  id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl query
}`;

export const RUN = `mutation BulkOperationRunQuery($query: String!) {
  bulkOperationRunQuery(query: $query) { bulkOperation { ...BulkOperationFields } userErrors { field message code } }
}
${FIELDS}`;

export const RUN_GROUPED = `mutation BulkOperationRunQuery($query: String!, $groupObjects: Boolean!) {
  bulkOperationRunQuery(query: $query, groupObjects: $groupObjects) { bulkOperation { ...BulkOperationFields } userErrors { field message code } }
}
${FIELDS}`;

export const GET = `query BulkOperation($id: ID!) { bulkOperation(id: $id) { ...BulkOperationFields } }
${FIELDS}`;

export const GET_NODE = `query BulkOperationNode($id: ID!) { node(id: $id) { ... on BulkOperation { ...BulkOperationFields } } }
${FIELDS}`;

export const CANCEL = `mutation BulkOperationCancel($id: ID!) {
  bulkOperationCancel(id: $id) { bulkOperation { ...BulkOperationFields } userErrors { field message } }
}
${FIELDS}`;

// Two filtered lists in one request: a status filter takes one value, and a slot is held by CREATED
// as well as RUNNING operations. Mutations are never listed, so they are never touched.
export const RUNNING = `query BulkOperationsRunning {
  running: bulkOperations(first: ${RUNNING_PAGE}, query: "status:running operation_type:query") { nodes { ...BulkOperationFields } }
  created: bulkOperations(first: ${RUNNING_PAGE}, query: "status:created operation_type:query") { nodes { ...BulkOperationFields } }
}
${FIELDS}`;

// Newest first: the search narrows by time, the caller matches the query text.
export const FIND = `query BulkOperationsSince($search: String!) {
  bulkOperations(first: ${FIND_PAGE}, query: $search, sortKey: CREATED_AT, reverse: true) { nodes { ...BulkOperationFields } }
}
${FIELDS}`;

export const CURRENT = `query CurrentBulkOperation { currentBulkOperation(type: QUERY) { ...BulkOperationFields } }
${FIELDS}`;

export interface UserError {
  field: string[] | null;
  message: string;
  code?: string | null;
}

export interface RunPayload {
  bulkOperationRunQuery: { bulkOperation: RawBulkOperation | null; userErrors: UserError[] };
}

export interface CancelPayload {
  bulkOperationCancel: { bulkOperation: RawBulkOperation | null; userErrors: UserError[] };
}
