import { openSync, readSync, closeSync } from 'node:fs';
import { deflateRawSync, crc32, constants } from 'node:zlib';
import { entityByName } from '../src/entities/index.ts';
const path = process.argv[2]!;
const e = entityByName('orders');
function* batches(size: number) {
  const fd = openSync(path, 'r'); let carry = Buffer.alloc(0);
  for (;;) { const b = Buffer.allocUnsafe(size); const n = readSync(fd, b, 0, size, null); if (n === 0) break;
    const buf = Buffer.concat([carry, b.subarray(0, n)]); const last = buf.lastIndexOf(10); yield buf.subarray(0, last + 1); carry = Buffer.from(buf.subarray(last + 1)); }
  closeSync(fd);
}
let t = performance.now(); let n = 0;
for (const b of batches(1 << 20)) { const s = b.toString(); let st = 0; for (let i = s.indexOf('\n'); i !== -1; st = i + 1, i = s.indexOf('\n', st)) { JSON.parse(s.slice(st, i)); n++; } }
console.log('bare', performance.now() - t, n);
let tp = 0, ts = 0, tz = 0, tc = 0, out = 0, comp = 0;
t = performance.now();
for (const b of batches(1 << 20)) {
  let a = performance.now();
  const s = b.toString(); const rows: Record<string, string[]> = {};
  const emit = (tb: string, r: any) => { r._shop = 'x.myshopify.com'; r._run_id = 'run'; r._extracted_at = '2026'; (rows[tb] ??= []).push(JSON.stringify(r)); };
  let st = 0; for (let i = s.indexOf('\n'); i !== -1; st = i + 1, i = s.indexOf('\n', st)) { e.process(JSON.parse(s.slice(st, i)), emit); }
  let c = performance.now(); tp += c - a;
  for (const k in rows) { const txt = rows[k]!.join('\n') + '\n'; const bb = Buffer.from(txt); out += bb.length; let d = performance.now(); ts += d - c;
    const z = deflateRawSync(bb, { level: Number(process.argv[3] ?? 1), finishFlush: constants.Z_SYNC_FLUSH }); comp += z.length; let f = performance.now(); tz += f - d; crc32(bb); c = performance.now(); tc += c - f; }
}
console.log({ total: performance.now() - t, parseProcess: tp, stringify: ts, deflate: tz, crc: tc, out, comp });
