// Every document a file cites must be one the repository holds: whoever carries the code on has only
// the repository. Code cites docs/<file>.md#<section> from the repository root; markdown links to
// local .md files are resolved from the linking file's folder. A cited section must be a heading of
// the cited file, and a repository path a markdown page names must exist. Names of design notes that
// once lived outside the repository, and paths outside it, are refused unless they are a docs/ path.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCANNED = ['src', 'packages', 'test', 'scripts', 'docs', 'queries'];
const SCANNED_FILES = ['README.md', 'Dockerfile'];
// build: node-gyp's output for packages/isal-deflate (ignored by git), which names the machine's own paths.
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build', '.git', 'fixtures', 'admin-schema']);
const THIS_FILE = relative(ROOT, fileURLToPath(import.meta.url));

/** Names of notes that lived outside the repository; a mention must be a docs/ path (or, in markdown, a file beside it). */
const OUTSIDE_NAMES = /(?<![\w/.-])(?:design\.md|peers\.md|bulk-api-facts\.md|gcp-facts\.md|style\.md)|facts sheet|\/work\/[\w.-]+|\.\.\/shared\//gi;
/** docs/<file>.md with an optional #section, from the repository root. */
const DOCS_PATH = /(?<![\w./-])docs\/([\w./-]+?\.md)(?:#([\w-]+))?/g;
/** A path a markdown page names in backticks (`src/...`, `test/...`), from the repository root or the page's folder (a package's README). */
const REPO_PATH = /`((?:src|test|scripts|packages|queries)\/[^`\s*<>]+)`/g;
/** A markdown link to a local .md file: [text](path.md#section). */
const MD_LINK = /\]\((?!https?:)([^)\s#]+\.md)(?:#([^)\s]+))?\)/g;

interface Finding {
  file: string;
  line: number;
  text: string;
}

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile() && !/\.(gz|db|png|jpg)$/.test(entry.name) && statSync(path).size < 2 ** 20) yield path;
  }
}

function scannedFiles(): string[] {
  const found: string[] = [];
  for (const dir of SCANNED) if (existsSync(join(ROOT, dir))) found.push(...files(join(ROOT, dir)));
  for (const file of SCANNED_FILES) if (existsSync(join(ROOT, file))) found.push(join(ROOT, file));
  return found.filter((f) => relative(ROOT, f) !== THIS_FILE);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const anchorCache = new Map<string, Set<string>>();
function anchors(file: string): Set<string> {
  let found = anchorCache.get(file);
  if (!found) {
    found = new Set();
    let fenced = false;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.startsWith('```')) fenced = !fenced;
      const heading = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
      if (heading) found.add(slug(heading[1]!));
    }
    anchorCache.set(file, found);
  }
  return found;
}

/** Why `target` (an absolute path, with an optional section) is not a document the repository holds, or null. */
function problem(target: string, section: string | undefined): string | null {
  if (!target.startsWith(ROOT + '/') || !existsSync(target)) return `${relative(ROOT, target)} does not exist`;
  if (section && !anchors(target).has(section.toLowerCase())) return `${relative(ROOT, target)} has no section #${section}`;
  return null;
}

function findings(): { outside: Finding[]; broken: Finding[] } {
  const outside: Finding[] = [];
  const broken: Finding[] = [];
  for (const file of scannedFiles()) {
    const text = readFileSync(file, 'utf8');
    if (text.includes('\0')) continue;
    const rel = relative(ROOT, file);
    const markdown = file.endsWith('.md');
    text.split('\n').forEach((line, i) => {
      const at = { file: rel, line: i + 1 };
      for (const m of line.matchAll(OUTSIDE_NAMES)) {
        // docs/ pages name each other by file name, which resolves beside them.
        if (!(markdown && existsSync(resolve(dirname(file), m[0])))) outside.push({ ...at, text: m[0] });
      }
      const cited = [...line.matchAll(DOCS_PATH)].map((m) => ({ text: m[0], target: join(ROOT, 'docs', m[1]!), section: m[2] }));
      if (markdown) {
        for (const m of line.matchAll(MD_LINK)) cited.push({ text: m[0], target: resolve(dirname(file), m[1]!), section: m[2] });
      }
      if (markdown) {
        for (const m of line.matchAll(REPO_PATH)) {
          const fromRoot = join(ROOT, m[1]!);
          cited.push({ text: m[0], target: existsSync(fromRoot) ? fromRoot : resolve(dirname(file), m[1]!), section: undefined });
        }
      }
      for (const c of cited) {
        const why = problem(c.target, c.section);
        if (why) broken.push({ ...at, text: `${c.text}: ${why}` });
      }
    });
  }
  return { outside, broken };
}

const show = (list: Finding[]) => list.map((f) => `${f.file}:${f.line} ${f.text}`);

describe('citations: every document a file cites is in the repository', () => {
  let outside: Finding[] = [];
  let broken: Finding[] = [];
  before(() => ({ outside, broken } = findings()));

  it('scans the product, the sandbox, tests, scripts and docs', () => {
    const scanned = scannedFiles().map((f) => relative(ROOT, f));
    expect(scanned).to.include('src/main.ts');
    expect(scanned).to.include('docs/design.md');
    expect(scanned.filter((f) => f.startsWith('test/'))).to.not.be.empty;
  });

  it('no file names a note or a path outside the repository', () => {
    expect(show(outside)).to.deep.equal([]);
  });

  it('every cited docs/ file and section exists, and every file a markdown page names', () => {
    expect(show(broken)).to.deep.equal([]);
  });

  it('a missing file, a missing section and an outside note are each caught', () => {
    expect(problem(join(ROOT, 'docs', 'no-such-note.md'), undefined)).to.match(/does not exist/);
    expect(problem(join(ROOT, 'docs', 'design.md'), 'no-such-section')).to.match(/no section/);
    expect(problem(join(ROOT, 'docs', 'design.md'), 'commit-protocol')).to.equal(null);
    expect('see design.md §2'.match(OUTSIDE_NAMES)).to.deep.equal(['design.md']);
    expect('see docs/design.md#data-flow'.match(OUTSIDE_NAMES)).to.equal(null);
    expect('(facts sheet §7)'.match(OUTSIDE_NAMES)).to.deep.equal(['facts sheet']);
    expect(slug('Result URL expiry')).to.equal('result-url-expiry');
  });
});
