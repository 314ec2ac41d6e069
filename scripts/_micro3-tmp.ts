import { openSync, readSync, closeSync } from 'node:fs';
import { entityByName } from '../src/entities/index.ts';
const e = entityByName('orders');
const fd = openSync(process.argv[2]!, 'r'); const b = Buffer.allocUnsafe(100 << 20); const n = readSync(fd, b, 0, b.length, 0); closeSync(fd);
const s = b.toString('utf8', 0, b.lastIndexOf(10, n));
const objs: any[] = []; let st = 0; for (let i = s.indexOf('\n'); i !== -1; st = i + 1, i = s.indexOf('\n', st)) objs.push(JSON.parse(s.slice(st, i)));
let rows = 0; const t = performance.now();
for (const o of objs) e.process(o, () => { rows++; });
console.log(objs.length, rows, performance.now() - t);
