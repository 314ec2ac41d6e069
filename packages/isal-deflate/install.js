// npm runs this when it installs the package: builds the binding (node-gyp) when ISA-L's headers are
// installed, and otherwise says what to install and leaves it unbuilt. A machine without ISA-L still
// installs and runs the ETL, which then compresses with node:zlib (about 4× slower) and warns.
// A build that fails with the headers present fails the install: that is a real error to see.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const includeDirs = ['/usr/include', '/usr/local/include', ...(process.env.CPATH ?? '').split(':').filter(Boolean)];
if (!includeDirs.some((dir) => existsSync(join(dir, 'isa-l', 'igzip_lib.h')))) {
  console.warn('isal-deflate: ISA-L not found (Debian/Ubuntu: apt-get install libisal-dev), so not built; the ETL will compress gzip parts with node:zlib, about 4x slower. After installing it: npm rebuild isal-deflate');
  process.exit(0);
}
// npm gives lifecycle scripts its own node-gyp; outside npm, the one on PATH.
const gyp = process.env.npm_config_node_gyp;
const result = gyp
  ? spawnSync(process.execPath, [gyp, 'rebuild'], { stdio: 'inherit' })
  : spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
