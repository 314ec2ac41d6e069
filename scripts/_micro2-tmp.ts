import { openSync, readSync, closeSync } from 'node:fs';
import { entityByName } from '../src/entities/index.ts';
const path = process.argv[2]!;
const e = entityByName('orders');
function* batches(size: number) {
  const fd = openSync(path, 'r'); let carry = Buffer.alloc(0);
  for (;;) { const b = Buffer.allocUnsafe(size); const n = readSync(fd, b, 0, size, null); if (n === 0) break;
    const buf = Buffer.concat([carry, b.subarray(0, n)]); const last = buf.lastIndexOf(10); yield buf.subarray(0, last + 1); carry = Buffer.from(buf.subarray(last + 1)); }
  closeSync(fd);
}
for (const mode of ['parse', 'process', 'stringify', 'parse']) {
  const t = performance.now(); let rows = 0, len = 0;
  const emit = mode === 'process' ? () => { rows++; } : (tb: string, r: any) => { r._shop = 'x.myshopify.com'; len += JSON.stringify(r).length; };
  for (const b of batches(1 << 20)) { const s = b.toString(); let st = 0; for (let i = s.indexOf('\n'); i !== -1; st = i + 1, i = s.indexOf('\n', st)) { const o = JSON.parse(s.slice(st, i)); if (mode !== 'parse') e.process(o, emit); } }
  console.log(mode, Math.round(performance.now() - t), rows, len);
}
