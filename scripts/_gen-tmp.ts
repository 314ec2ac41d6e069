import { parse } from 'graphql';
import { readFileSync } from 'node:fs';
import { Store } from '../src/sandbox/store/index.ts';
const n = Number(process.argv[2]);
const store = new Store({ seed: 1, shopDomain: 'sandbox.myshopify.com', now: () => new Date('2026-03-01T00:00:00Z'), size: { orders: n } });
const t = Date.now();
const r = await store.writeBulkResult(parse(readFileSync('/work/main/queries/orders.graphql', 'utf8')), process.argv[3]!, { ordering: 'interleaved' });
console.log(r, Date.now() - t);
