import { readdirSync, readFileSync } from 'node:fs';
import { LocalDestination } from '../src/load/local.ts';
import { checkQuality } from '../src/sync/quality.ts';
const out = '/tmp/sales15-q20k/out';
const dir = out + '/_manifests/shop=sandbox.myshopify.com';
const m = JSON.parse(readFileSync(dir + '/' + readdirSync(dir)[0], 'utf8'));
for (let i = 0; i < 3; i++) {
const t = performance.now();
const q = await checkQuality(new LocalDestination(out), m.windows, '/tmp/sales15-q20k/scratch');
console.log(Math.round(performance.now() - t), 'ms', JSON.stringify(q.checks.map((c) => [c.name, c.checked, c.failed])), process.memoryUsage().rss >> 20, 'MiB rss');
}
