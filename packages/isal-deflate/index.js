// The ISA-L binding that install.js built, or null with the reason it is not there: the ETL then
// compresses with node:zlib and says so (src/pipeline/segment.ts).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let binding = null;
let missing = null;
try {
  binding = require('./build/Release/isal_deflate.node');
} catch (err) {
  missing = err && err.code === 'MODULE_NOT_FOUND'
    ? "not built: ISA-L's headers were missing when npm installed it (Debian/Ubuntu: apt-get install libisal-dev, then npm rebuild isal-deflate)"
    : `cannot be loaded: ${err instanceof Error ? err.message : String(err)} (Debian/Ubuntu: apt-get install libisal2)`;
}

export const isal = binding;
export const isalMissing = missing;
