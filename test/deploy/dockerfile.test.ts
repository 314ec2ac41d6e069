// The Dockerfile: linted with dockerfile-utils (the engine of VS Code's Docker language server; no
// Docker engine or hadolint can run here, and scripts/docker-replay.ts runs its steps), then its
// structure: multi-stage on Node 24 slim, production dependencies only in the final stage, a non-root
// user, tini as PID 1 in exec form, and no secrets in the image or its build context.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join, matchesGlob } from 'node:path';
import { validate } from 'dockerfile-utils';

const root = join(import.meta.dirname, '../..');

interface Instruction { keyword: string; args: string }

function instructions(text: string): Instruction[] {
  return text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => { const m = /^(\S+)\s*(.*)$/.exec(l)!; return { keyword: m[1]!.toUpperCase(), args: m[2]! }; });
}

describe('Dockerfile', () => {
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const all = instructions(text);

  it('passes the linter with no error or warning (and the linter does catch mistakes)', () => {
    const problems = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(problems).to.deep.equal([]);
    const broken = 'FROM node:24-bookworm-slim\nENTRYPOINT ["node"]\nENTRYPOINT ["node"]\nCOPPY . .\n';
    expect(validate(broken)).to.have.length.greaterThanOrEqual(2);
  });

  const stages: Instruction[][] = [];
  for (const i of all) {
    if (i.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(i);
  }
  const build = stages[0] ?? [];
  const final = stages.at(-1) ?? [];
  const runs = (stage: Instruction[]) => stage.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');

  it('builds in one stage and runs from another, both on the Node 24 bookworm slim image', () => {
    expect(stages.length).to.be.greaterThanOrEqual(2);
    const nodeVersion = /^NODE_VERSION=(\S+)$/.exec(all.find((i) => i.keyword === 'ARG')?.args ?? '')?.[1];
    expect(nodeVersion).to.equal('24');
    for (const stage of stages) expect(stage[0]?.args).to.match(/^node:\$\{NODE_VERSION\}-bookworm-slim AS \w+$/);
    const buildSteps = runs(build);
    expect(buildSteps).to.match(/npm ci\b/);
    expect(buildSteps).to.match(/npm run build\b/);
    expect(buildSteps).to.match(/npm prune --omit=dev\b/);
    expect(buildSteps, 'the toolchain for platforms without a better-sqlite3 prebuild').to.match(/python3 make g\+\+/);
    // The final stage takes node_modules only from the pruned build stage and never installs dev tools.
    const buildName = /AS (\w+)$/.exec(build[0]!.args)![1];
    expect(final.filter((i) => i.keyword === 'COPY' && i.args.includes('node_modules')).map((i) => i.args)).to.deep.equal([`--from=${buildName} /app/node_modules ./node_modules`]);
    expect(runs(final)).not.to.match(/npm (ci|install)|g\+\+/);
  });

  it('ships what the compiled modules read at run time', () => {
    const copied = final.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copied).to.include('queries ./queries');
    expect(copied).to.include('package.json ./');
    expect(copied.some((c) => /\/app\/dist \.\/dist$/.test(c))).to.equal(true);
    // `--sandbox` runs the shopify-sandbox package's bin from its own folder, which the build does not compile.
    expect(copied).to.include('packages/shopify-sandbox ./packages/shopify-sandbox');
    // gzip parts are compressed by ISA-L: its binding is built (against libisal-dev) before npm ci's end, and
    // the final stage takes it as built, with the shared library it links.
    const buildName = /AS (\w+)$/.exec(build[0]!.args)![1];
    const copiedAt = build.findIndex((i) => i.keyword === 'COPY' && i.args === 'packages/isal-deflate ./packages/isal-deflate');
    expect(copiedAt).to.be.within(0, build.findIndex((i) => i.keyword === 'RUN' && /npm ci\b/.test(i.args)));
    expect(runs(build)).to.match(/apt-get install[^\n]*\blibisal-dev\b/);
    expect(copied).to.include(`--from=${buildName} /app/packages/isal-deflate ./packages/isal-deflate`);
    expect(runs(final)).to.match(/apt-get install[^\n]*\blibisal2\b/);
    const buildConfig = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    expect(buildConfig.include).to.deep.equal(['src']);
    for (const i of build.filter((x) => x.keyword === 'COPY')) {
      for (const source of i.args.split(/\s+/).slice(0, -1)) expect(existsSync(join(root, source)), source).to.equal(true);
    }
  });

  it('runs as a non-root user under tini, in exec form', () => {
    const users = final.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users.at(-1)).to.be.oneOf(['1000', 'node', '1000:1000']);
    const lastUser = final.findLastIndex((i) => i.keyword === 'USER');
    expect(final.findLastIndex((i) => i.keyword === 'RUN'), 'nothing runs as root after USER').to.be.lessThan(lastUser);
    expect(runs(final)).to.match(/apt-get install[^\n]*\btini\b/);
    const entrypoints = final.filter((i) => i.keyword === 'ENTRYPOINT');
    expect(entrypoints).to.have.length(1);
    expect(JSON.parse(entrypoints[0]!.args)).to.deep.equal(['/usr/bin/tini', '--', 'node', '/app/dist/main.js']);
    expect(all.some((i) => i.keyword === 'CMD' && /npm/.test(i.args))).to.equal(false);
  });

  it('holds no secrets and keeps them out of the build context', () => {
    for (const i of all.filter((x) => x.keyword === 'ENV' || x.keyword === 'ARG')) {
      expect(i.args, `${i.keyword} ${i.args}`).not.to.match(/TOKEN|SECRET|PASSWORD|CREDENTIALS|KEY/i);
    }
    expect(all.filter((i) => i.keyword === 'COPY').map((i) => i.args).join('\n')).not.to.match(/\.env|\.db\b|credentials|\.json\s+\/|\.git\b/);
    const ignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
    for (const path of ['.env', '.env.local', '.git', 'node_modules', 'data', 'state.db', 'dist']) {
      expect(ignore.some((p) => matchesGlob(path, p)), `.dockerignore excludes ${path}`).to.equal(true);
    }
  });
});
