// Real Shopify responses, copied verbatim from captures recorded from a dev store by
// airhorns/shopify-draft-proxy (fixtures/conformance/<store>/<version>/bulk-operations/, Apache-2.0; the
// file each came from is named above it). Tests answer with these exact bodies so the client meets
// Shopify's shapes: string counters, null URLs, userErrors (docs/shopify-bulk-api.md).

export type Capture = Record<string, unknown>;

/** 2026-04/bulk-operation-run-query-concurrency-limit.json successfulRuns[0] */
export const RUN_CREATED: Capture = {
  "data": {
    "bulkOperationRunQuery": {
      "bulkOperation": {
        "id": "gid://shopify/BulkOperation/7933223797042",
        "status": "CREATED",
        "type": "QUERY",
        "errorCode": null,
        "createdAt": "2026-06-16T08:06:19Z",
        "completedAt": null,
        "objectCount": "0",
        "rootObjectCount": "0",
        "fileSize": null,
        "url": null,
        "partialDataUrl": null,
        "query": "#graphql\n{\n  products {\n    edges {\n      node {\n        id\n      }\n    }\n  }\n}"
      },
      "userErrors": []
    }
  },
  "extensions": {
    "cost": {
      "requestedQueryCost": 10,
      "actualQueryCost": 10,
      "throttleStatus": {
        "maximumAvailable": 2000,
        "currentlyAvailable": 1990,
        "restoreRate": 100
      }
    }
  }
};

/** 2026-04/bulk-operation-run-query-concurrency-limit.json sixthRun */
export const RUN_IN_PROGRESS_FIVE: Capture = {
  "data": {
    "bulkOperationRunQuery": {
      "bulkOperation": null,
      "userErrors": [
        {
          "field": null,
          "message": "A bulk query operation for this app and shop is already in progress: gid://shopify/BulkOperation/7933223797042, gid://shopify/BulkOperation/7933223829810, gid://shopify/BulkOperation/7933223862578, gid://shopify/BulkOperation/7933223895346, gid://shopify/BulkOperation/7933223928114.",
          "code": "OPERATION_IN_PROGRESS"
        }
      ]
    }
  },
  "extensions": {
    "cost": {
      "requestedQueryCost": 10,
      "actualQueryCost": 10,
      "throttleStatus": {
        "maximumAvailable": 2000,
        "currentlyAvailable": 1990,
        "restoreRate": 100
      }
    }
  }
};

/** 2025-01/bulk-operation-run-query-operation-in-progress.json secondRun */
export const RUN_IN_PROGRESS_ONE: Capture = {
  "data": {
    "bulkOperationRunQuery": {
      "bulkOperation": null,
      "userErrors": [
        {
          "field": null,
          "message": "A bulk query operation for this app and shop is already in progress: gid://shopify/BulkOperation/7749099028786.",
          "code": "OPERATION_IN_PROGRESS"
        }
      ]
    }
  },
  "extensions": {
    "cost": {
      "requestedQueryCost": 10,
      "actualQueryCost": 10,
      "throttleStatus": {
        "maximumAvailable": 2000,
        "currentlyAvailable": 1990,
        "restoreRate": 100
      }
    }
  }
};

/** 2026-04/bulk-operation-run-query-validators.json validations.topLevelNode */
export const RUN_INVALID_TOP_LEVEL_NODE: Capture = {
  "data": {
    "bulkOperationRunQuery": {
      "bulkOperation": null,
      "userErrors": [
        {
          "field": [
            "query"
          ],
          "message": "Bulk queries cannot contain a top level `node` field.",
          "code": "INVALID"
        },
        {
          "field": [
            "query"
          ],
          "message": "Bulk queries must contain at least one connection.",
          "code": "INVALID"
        }
      ]
    }
  },
  "extensions": {
    "cost": {
      "requestedQueryCost": 10,
      "actualQueryCost": 10,
      "throttleStatus": {
        "maximumAvailable": 2000,
        "currentlyAvailable": 1963,
        "restoreRate": 100
      }
    }
  }
};

/** 2026-04/bulk-operation-cancel-preserves-fields.json progressPolls[0] */
export const POLL_CREATED: Capture = {
  "data": {
    "bulkOperation": {
      "id": "gid://shopify/BulkOperation/7964079784242",
      "status": "CREATED",
      "type": "QUERY",
      "errorCode": null,
      "createdAt": "2026-06-23T22:56:53Z",
      "completedAt": null,
      "objectCount": "0",
      "rootObjectCount": "0",
      "fileSize": null,
      "url": null,
      "partialDataUrl": null,
      "query": "#graphql\n{\n  products {\n    edges {\n      node {\n        id\n        variants {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n        metafields {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n        collections {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n        media {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n      }\n    }\n  }\n}"
    }
  },
  "extensions": {
    "cost": {
      "requestedQueryCost": 1,
      "actualQueryCost": 1,
      "throttleStatus": {
        "maximumAvailable": 2000,
        "currentlyAvailable": 1999,
        "restoreRate": 100
      }
    }
  }
};

/** 2026-04/bulk-operation-cancel-preserves-fields.json progressPolls[1] */
export const POLL_RUNNING_ZERO: Capture = {
  "data": {
    "bulkOperation": {
      "id": "gid://shopify/BulkOperation/7964079784242",
      "status": "RUNNING",
      "type": "QUERY",
      "errorCode": null,
      "createdAt": "2026-06-23T22:56:53Z",
      "completedAt": null,
      "objectCount": "0",
      "rootObjectCount": "0",
      "fileSize": null,
      "url": null,
      "partialDataUrl": null,
      "query": "#graphql\n{\n  products {\n    edges {\n      node {\n        id\n        variants {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n        metafields {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n        collections {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n        media {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n      }\n    }\n  }\n}"
    }
  },
  "extensions": {
    "cost": {
      "requestedQueryCost": 1,
      "actualQueryCost": 1,
      "throttleStatus": {
        "maximumAvailable": 2000,
        "currentlyAvailable": 1999,
        "restoreRate": 100
      }
    }
  }
};

/** 2026-04/bulk-operation-cancel-preserves-fields.json progressPolls[19] */
export const POLL_RUNNING_COUNTED: Capture = {
  "data": {
    "bulkOperation": {
      "id": "gid://shopify/BulkOperation/7964079784242",
      "status": "RUNNING",
      "type": "QUERY",
      "errorCode": null,
      "createdAt": "2026-06-23T22:56:53Z",
      "completedAt": null,
      "objectCount": "5033",
      "rootObjectCount": "1456",
      "fileSize": null,
      "url": null,
      "partialDataUrl": null,
      "query": "#graphql\n{\n  products {\n    edges {\n      node {\n        id\n        variants {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n        metafields {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n        collections {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n        media {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n      }\n    }\n  }\n}"
    }
  },
  "extensions": {
    "cost": {
      "requestedQueryCost": 1,
      "actualQueryCost": 1,
      "throttleStatus": {
        "maximumAvailable": 2000,
        "currentlyAvailable": 1999,
        "restoreRate": 100
      }
    }
  }
};

/** 2026-04/bulk-operation-cancel-preserves-fields.json cancelAttempt */
export const CANCEL_CANCELING: Capture = {
  "data": {
    "bulkOperationCancel": {
      "bulkOperation": {
        "id": "gid://shopify/BulkOperation/7964079784242",
        "status": "CANCELING",
        "type": "QUERY",
        "errorCode": null,
        "createdAt": "2026-06-23T22:56:53Z",
        "completedAt": null,
        "objectCount": "5033",
        "rootObjectCount": "1456",
        "fileSize": null,
        "url": null,
        "partialDataUrl": null,
        "query": "#graphql\n{\n  products {\n    edges {\n      node {\n        id\n        variants {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n        metafields {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n        collections {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n        media {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n      }\n    }\n  }\n}"
      },
      "userErrors": []
    }
  },
  "extensions": {
    "cost": {
      "requestedQueryCost": 10,
      "actualQueryCost": 10,
      "throttleStatus": {
        "maximumAvailable": 2000,
        "currentlyAvailable": 1990,
        "restoreRate": 100
      }
    }
  }
};

/** 2026-04/bulk-operation-cancel-preserves-fields.json readAfterCancel */
export const POLL_CANCELING: Capture = {
  "data": {
    "bulkOperation": {
      "id": "gid://shopify/BulkOperation/7964079784242",
      "status": "CANCELING",
      "type": "QUERY",
      "errorCode": null,
      "createdAt": "2026-06-23T22:56:53Z",
      "completedAt": null,
      "objectCount": "5033",
      "rootObjectCount": "1456",
      "fileSize": null,
      "url": null,
      "partialDataUrl": null,
      "query": "#graphql\n{\n  products {\n    edges {\n      node {\n        id\n        variants {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n        metafields {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n        collections {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n        media {\n          edges {\n            node {\n              id\n            }\n          }\n        }\n      }\n    }\n  }\n}"
    }
  },
  "extensions": {
    "cost": {
      "requestedQueryCost": 1,
      "actualQueryCost": 1,
      "throttleStatus": {
        "maximumAvailable": 2000,
        "currentlyAvailable": 1999,
        "restoreRate": 100
      }
    }
  }
};

/** 2026-04/bulk-operation-status-catalog-cancel.json lifecycle.queryExportToTerminal.terminalHydrate */
export const GET_COMPLETED: Capture = {
  "data": {
    "bulkOperation": {
      "id": "gid://shopify/BulkOperation/8072963391794",
      "status": "COMPLETED",
      "type": "QUERY",
      "errorCode": null,
      "createdAt": "2026-07-21T02:07:50Z",
      "completedAt": "2026-07-21T02:07:51Z",
      "objectCount": "1459",
      "rootObjectCount": "1459",
      "fileSize": "116246",
      "url": "https://storage.googleapis.com/shopify-tiers-assets-prod-us-east1/bulk-operation-outputs/e4a2a35b333ed16c735e7b90bdb8?GoogleAccessId=assets-us-prod%40shopify-tiers.iam.gserviceaccount.com&Expires=1785204471&Signature=XSVIOBfcjUn1cpCaBYnWFGxai3a%2BanhKnDV1bMmZ1W3KzRHlr8G3OUVTnbrDjH8M8tAfPkZRh%2BQnNSiu5P1tS4Cz8uimjW54MTh6STxIwjd%2Fg5WV6xL95F3Bqro7E4vMtQfqmWuLnovlXT9gkdKlxda%2BjB1reqfXBAA3k7bpr9FHf01hurdNfKfVJqEeytI%2B%2Br8q14pjwqPpDpZq5kCafWm6IiLh3lIquwZgGf7o%2BaMWX8mpqdZUrtn61o9BbF6bRq4%2FcLr6hsaeZHcGVu2kw5U%2BfmeVfnWtFdAS0wBBxi7Bghbb1%2Bdl8VN1qAwx8Tp5%2Bcx1aS0jMjrrQ7EsrCgvsw%3D%3D&response-content-disposition=attachment%3B+filename%3D%22staging-bulk-8072963391794.jsonl%22%3B+filename%2A%3DUTF-8%27%27staging-bulk-8072963391794.jsonl&response-content-type=application%2Fjsonl",
      "partialDataUrl": null,
      "query": "#graphql\n{\n  products {\n    edges {\n      node {\n        id\n        title\n      }\n    }\n  }\n}"
    }
  },
  "extensions": {
    "cost": {
      "requestedQueryCost": 1,
      "actualQueryCost": 1,
      "throttleStatus": {
        "maximumAvailable": 2000,
        "currentlyAvailable": 1999,
        "restoreRate": 100
      }
    }
  }
};

/** 2026-04/bulk-operation-status-catalog-cancel.json lifecycle.queryExportToTerminal.nodeReads.nonNull (alias "effective") */
export const NODE_COMPLETED: Capture = {
  "data": {
    "effective": {
      "__typename": "BulkOperation",
      "id": "gid://shopify/BulkOperation/8072963391794",
      "status": "COMPLETED",
      "type": "QUERY",
      "errorCode": null,
      "createdAt": "2026-07-21T02:07:50Z",
      "completedAt": "2026-07-21T02:07:51Z",
      "objectCount": "1459",
      "rootObjectCount": "1459",
      "fileSize": "116246",
      "url": "https://storage.googleapis.com/shopify-tiers-assets-prod-us-east1/bulk-operation-outputs/e4a2a35b333ed16c735e7b90bdb8?GoogleAccessId=assets-us-prod%40shopify-tiers.iam.gserviceaccount.com&Expires=1785204471&Signature=XSVIOBfcjUn1cpCaBYnWFGxai3a%2BanhKnDV1bMmZ1W3KzRHlr8G3OUVTnbrDjH8M8tAfPkZRh%2BQnNSiu5P1tS4Cz8uimjW54MTh6STxIwjd%2Fg5WV6xL95F3Bqro7E4vMtQfqmWuLnovlXT9gkdKlxda%2BjB1reqfXBAA3k7bpr9FHf01hurdNfKfVJqEeytI%2B%2Br8q14pjwqPpDpZq5kCafWm6IiLh3lIquwZgGf7o%2BaMWX8mpqdZUrtn61o9BbF6bRq4%2FcLr6hsaeZHcGVu2kw5U%2BfmeVfnWtFdAS0wBBxi7Bghbb1%2Bdl8VN1qAwx8Tp5%2Bcx1aS0jMjrrQ7EsrCgvsw%3D%3D&response-content-disposition=attachment%3B+filename%3D%22staging-bulk-8072963391794.jsonl%22%3B+filename%2A%3DUTF-8%27%27staging-bulk-8072963391794.jsonl&response-content-type=application%2Fjsonl",
      "partialDataUrl": null,
      "query": "#graphql\n{\n  products {\n    edges {\n      node {\n        id\n        title\n      }\n    }\n  }\n}"
    }
  },
  "extensions": {
    "cost": {
      "requestedQueryCost": 1,
      "actualQueryCost": 1,
      "throttleStatus": {
        "maximumAvailable": 2000,
        "currentlyAvailable": 1999,
        "restoreRate": 100
      }
    }
  }
};

/** 2026-04/bulk-operation-status-catalog-cancel.json lifecycle.queryExportToTerminal.terminalCancelAttempt */
export const CANCEL_COMPLETED: Capture = {
  "data": {
    "bulkOperationCancel": {
      "bulkOperation": {
        "id": "gid://shopify/BulkOperation/8072963391794",
        "status": "COMPLETED",
        "type": "QUERY",
        "errorCode": null,
        "createdAt": "2026-07-21T02:07:50Z",
        "completedAt": "2026-07-21T02:07:51Z",
        "objectCount": "1459",
        "rootObjectCount": "1459",
        "fileSize": "116246",
        "url": "https://storage.googleapis.com/shopify-tiers-assets-prod-us-east1/bulk-operation-outputs/e4a2a35b333ed16c735e7b90bdb8?GoogleAccessId=assets-us-prod%40shopify-tiers.iam.gserviceaccount.com&Expires=1785204471&Signature=XSVIOBfcjUn1cpCaBYnWFGxai3a%2BanhKnDV1bMmZ1W3KzRHlr8G3OUVTnbrDjH8M8tAfPkZRh%2BQnNSiu5P1tS4Cz8uimjW54MTh6STxIwjd%2Fg5WV6xL95F3Bqro7E4vMtQfqmWuLnovlXT9gkdKlxda%2BjB1reqfXBAA3k7bpr9FHf01hurdNfKfVJqEeytI%2B%2Br8q14pjwqPpDpZq5kCafWm6IiLh3lIquwZgGf7o%2BaMWX8mpqdZUrtn61o9BbF6bRq4%2FcLr6hsaeZHcGVu2kw5U%2BfmeVfnWtFdAS0wBBxi7Bghbb1%2Bdl8VN1qAwx8Tp5%2Bcx1aS0jMjrrQ7EsrCgvsw%3D%3D&response-content-disposition=attachment%3B+filename%3D%22staging-bulk-8072963391794.jsonl%22%3B+filename%2A%3DUTF-8%27%27staging-bulk-8072963391794.jsonl&response-content-type=application%2Fjsonl",
        "partialDataUrl": null,
        "query": "#graphql\n{\n  products {\n    edges {\n      node {\n        id\n        title\n      }\n    }\n  }\n}"
      },
      "userErrors": [
        {
          "field": null,
          "message": "A bulk operation cannot be canceled when it is completed"
        }
      ]
    }
  },
  "extensions": {
    "cost": {
      "requestedQueryCost": 10,
      "actualQueryCost": 10,
      "throttleStatus": {
        "maximumAvailable": 2000,
        "currentlyAvailable": 1990,
        "restoreRate": 100
      }
    }
  }
};

/** 2026-04/bulk-operation-status-catalog-cancel.json lifecycle.queryExportImmediateCancel.terminalOperation */
export const CANCELED_OPERATION: Capture = {
  "id": "gid://shopify/BulkOperation/8072963621170",
  "status": "CANCELED",
  "type": "QUERY",
  "errorCode": null,
  "createdAt": "2026-07-21T02:07:53Z",
  "completedAt": null,
  "objectCount": "1459",
  "rootObjectCount": "1459",
  "fileSize": null,
  "url": null,
  "partialDataUrl": null,
  "query": "#graphql\n{\n  products {\n    edges {\n      node {\n        id\n        title\n      }\n    }\n  }\n}"
};

/** 2026-04/bulk-operation-status-catalog-cancel.json validations.bulkOperationCancelUnknownId */
export const CANCEL_UNKNOWN: Capture = {
  "data": {
    "bulkOperationCancel": {
      "bulkOperation": null,
      "userErrors": [
        {
          "field": [
            "id"
          ],
          "message": "Bulk operation does not exist"
        }
      ]
    }
  },
  "extensions": {
    "cost": {
      "requestedQueryCost": 10,
      "actualQueryCost": 10,
      "throttleStatus": {
        "maximumAvailable": 2000,
        "currentlyAvailable": 1990,
        "restoreRate": 100
      }
    }
  }
};

/** 2026-04/bulk-operation-status-catalog-cancel.json reads.unknownId */
export const GET_UNKNOWN: Capture = {
  "data": {
    "bulkOperation": null
  },
  "extensions": {
    "cost": {
      "requestedQueryCost": 1,
      "actualQueryCost": 1,
      "throttleStatus": {
        "maximumAvailable": 2000,
        "currentlyAvailable": 1999,
        "restoreRate": 100
      }
    }
  }
};

/** 2026-04/bulk-operation-status-catalog-cancel.json reads.catalogEmptyRunningQuery */
export const CATALOG_EMPTY: Capture = {
  "data": {
    "bulkOperations": {
      "edges": [],
      "nodes": [],
      "pageInfo": {
        "hasNextPage": false,
        "hasPreviousPage": false,
        "startCursor": null,
        "endCursor": null
      }
    }
  },
  "extensions": {
    "cost": {
      "requestedQueryCost": 8,
      "actualQueryCost": 5,
      "throttleStatus": {
        "maximumAvailable": 2000,
        "currentlyAvailable": 1995,
        "restoreRate": 100
      }
    }
  }
};

/** 2026-04/bulk-operation-status-catalog-cancel.json reads.currentQuery */
export const CURRENT_COMPLETED: Capture = {
  "data": {
    "currentBulkOperation": {
      "id": "gid://shopify/BulkOperation/8066670199090",
      "status": "COMPLETED",
      "type": "QUERY",
      "errorCode": null,
      "createdAt": "2026-07-19T12:41:47Z",
      "completedAt": "2026-07-19T12:41:47Z",
      "objectCount": "3",
      "rootObjectCount": "1",
      "fileSize": "528",
      "url": "https://storage.googleapis.com/shopify-tiers-assets-prod-us-east1/bulk-operation-outputs/44815959236acc5cc3786bbbc005?GoogleAccessId=assets-us-prod%40shopify-tiers.iam.gserviceaccount.com&Expires=1785069707&Signature=ObSHc7TVVSp6eY5CXDkEJoILVVcZaCN4z92dJOQZrCcxtwcEvLdoJRTARE6YaOivTAP%2BHcl5%2BdeM3TpKyQYibED7Kf8l3EiLGmzIwv6h2ujqYvGn%2FHJNkJJo4PoWgjl8PlvAtYkK46HkuQgZu8Rt1%2B5witir1NqW6J0Zvf25sr68uqGxhI%2FYei3I9vO3Bll8uq2PNo%2Bf6kwV2p9y8WHJHWKXEX5O%2BJb0DfgscPYpm1xLYTFJWTCE%2F8lZ3TPW9g1FnIck7H0TYDgvN2uVDUkzoPsncl6SMd3%2FUU6smdfHa4UmSHSlOYtGzNt0wsnSNYxyTmWG%2B7T%2BK24CGtQfN0m61A%3D%3D&response-content-disposition=attachment%3B+filename%3D%22staging-bulk-8066670199090.jsonl%22%3B+filename%2A%3DUTF-8%27%27staging-bulk-8066670199090.jsonl&response-content-type=application%2Fjsonl",
      "partialDataUrl": null,
      "query": "#graphql\n{\n  productVariants(query: \"sku:bulk-variant-bulk-root-mrrsb7hi-1xi0i\") {\n    edges {\n      node {\n        id\n        sku\n        media {\n          edges {\n            node {\n              id\n              alt\n              mediaContentType\n            }\n          }\n        }\n        metafields(namespace: \"custom\") {\n          edges {\n            node {\n              id\n              namespace\n              key\n              value\n            }\n          }\n        }\n      }\n    }\n  }\n}"
    }
  },
  "extensions": {
    "cost": {
      "requestedQueryCost": 1,
      "actualQueryCost": 1,
      "throttleStatus": {
        "maximumAvailable": 2000,
        "currentlyAvailable": 1999,
        "restoreRate": 100
      }
    }
  }
};
