// The README's architecture section is a map of the folders: it must name every folder of src/ and
// every workspace package, and nothing that is not there, so a newcomer can trust it.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, `README has a "## ${heading}" section`).to.be.greaterThan(-1);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

const folders = (dir: string) =>
  existsSync(join(ROOT, dir))
    ? readdirSync(join(ROOT, dir), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => `${dir}/${e.name}/`)
    : [];

describe('README architecture section', () => {
  let named = new Set<string>();
  let files: string[] = [];
  before(() => {
    const text = section(readFileSync(join(ROOT, 'README.md'), 'utf8'), 'Architecture');
    named = new Set([...text.matchAll(/(?<![\w/.-])((?:src|packages)\/[\w.-]+(?:\/|\.ts))/g)].map((m) => m[1]!));
    // Files the flow of a line names, from the repository root or from src/ (`sync/window.ts`).
    files = [...text.matchAll(/`([\w.-]+\/[\w./-]+\.ts)`/g)].map((m) => m[1]!);
  });

  it('names every folder of src/ and every package', () => {
    const missing = [...folders('src'), ...folders('packages')].filter((f) => !named.has(f));
    expect(missing).to.deep.equal([]);
  });

  it('names nothing that does not exist', () => {
    expect(files).to.not.be.empty;
    const absent = [...named, ...files].filter((p) => !existsSync(join(ROOT, p)) && !existsSync(join(ROOT, 'src', p)));
    expect(absent).to.deep.equal([]);
  });

  it('src/ holds no file but the entry point', () => {
    const loose = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
    expect(loose).to.deep.equal(['main.ts']);
  });
});
