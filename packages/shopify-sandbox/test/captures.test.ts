// The recorded Shopify answers the conformance tests replay are committed, trimmed, with where they
// came from: a refresh that changed a file without its provenance (or the reverse) fails here.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { CAPTURES_DIR } from './support/captures.ts';

interface Provenance {
  repository: string;
  commit: string;
  licence: string;
  script: string;
  files: Record<string, { sha256: string; sourceSha256: string }>;
}

describe('recorded captures', () => {
  const provenance = JSON.parse(readFileSync(join(CAPTURES_DIR, 'provenance.json'), 'utf8')) as Provenance;

  it('name their source repository, commit, licence and the script that trimmed them', () => {
    expect(provenance.repository).to.equal('https://github.com/airhorns/shopify-draft-proxy');
    expect(provenance.commit).to.match(/^[0-9a-f]{40}$/);
    expect(provenance.licence).to.match(/^Apache-2\.0/);
    expect(provenance.script).to.equal('packages/shopify-sandbox/scripts/refresh-captures.ts');
  });

  it('are exactly the files provenance.json lists, with its sha256 each, and stay small', () => {
    const files = readdirSync(CAPTURES_DIR, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json') && f !== 'provenance.json').sort();
    expect(files).to.deep.equal(Object.keys(provenance.files).sort());
    let bytes = 0;
    for (const file of files) {
      const data = readFileSync(join(CAPTURES_DIR, file));
      bytes += data.length;
      expect(createHash('sha256').update(data).digest('hex'), file).to.equal(provenance.files[file]!.sha256);
      expect(provenance.files[file]!.sourceSha256, file).to.match(/^[0-9a-f]{64}$/);
    }
    expect(bytes).to.be.lessThan(256 * 1024);
  });
});
