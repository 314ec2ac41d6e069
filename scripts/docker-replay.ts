// Proves the Dockerfile's recipe without a Docker engine (CI has none): reads the Dockerfile and
// replays it in a clean temp folder — each stage gets its own folder standing in for WORKDIR, COPY
// copies from the project (honouring .dockerignore, so a file the real build could not see is missing
// here too), RUN steps of the build stage run as written, COPY --from copies between stages. System
// steps (apt-get, mkdir/chown in the final stage) cannot run here and are listed as skipped. Then the
// final stage's ENTRYPOINT (minus tini) must print --help and extract the sandbox store, from a
// node_modules holding production dependencies only.
//   node scripts/docker-replay.ts [--keep]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, matchesGlob, posix, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'docker-replay-'));

interface Instruction {
  keyword: string;
  args: string;
}

function fail(message: string): never {
  console.error(`docker-replay: FAILED: ${message}\n  (work folder kept: ${work})`);
  process.exit(1);
}

/** Dockerfile lines → instructions, with line continuations joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    pending += line.endsWith('\\') ? `${line.slice(0, -1)} ` : line;
    if (line.endsWith('\\')) continue;
    const m = /^(\S+)\s*(.*)$/.exec(pending.trim());
    if (m) out.push({ keyword: m[1]!.toUpperCase(), args: m[2]! });
    pending = '';
  }
  return out;
}

/** A .dockerignore: later patterns win, `!` re-includes, and a folder's exclusion covers its contents. */
function ignoreMatcher(text: string): (path: string) => boolean {
  const rules = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ negate: l.startsWith('!'), pattern: posix.normalize(l.replace(/^!/, '').replace(/^\/+/, '')) }));
  return (path) => {
    const parts = path.split('/');
    let ignored = false;
    for (const rule of rules) {
      for (let i = 1; i <= parts.length; i++) {
        if (matchesGlob(parts.slice(0, i).join('/'), rule.pattern)) ignored = !rule.negate;
      }
    }
    return ignored;
  };
}

const ignored = ignoreMatcher(existsSync(join(root, '.dockerignore')) ? readFileSync(join(root, '.dockerignore'), 'utf8') : '');

function copyFromContext(source: string, target: string): number {
  const from = join(root, source);
  if (!existsSync(from) || ignored(posix.normalize(source))) fail(`COPY ${source}: not in the build context (missing or excluded by .dockerignore)`);
  if (!statSync(from).isDirectory()) {
    mkdirSync(dirname(target), { recursive: true });
    cpSync(from, target);
    return 1;
  }
  let files = 0;
  cpSync(from, target, {
    recursive: true,
    filter: (path) => {
      const rel = relative(root, path).split('\\').join('/');
      const keepIt = !ignored(rel);
      if (keepIt && !statSync(path).isDirectory()) files += 1;
      return keepIt;
    },
  });
  return files;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): { code: number | null; stdout: string; stderr: string; seconds: string } {
  const started = Date.now();
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', seconds: ((Date.now() - started) / 1000).toFixed(1) };
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

// The job's environment as a container would start it: nothing Shopify-, ETL- or platform-specific.
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SHOPIFY_|ETL_|CLOUD_RUN_|JOB_COMPLETION_INDEX|SHARD_COUNT|STORAGE_EMULATOR_HOST|GCS_ENDPOINT)/.test(k)));
const args: Record<string, string> = {};
const stages = new Map<string, { dir: string; workdir: string }>();
let stage: { name: string; dir: string; workdir: string } | null = null;
let entrypoint: string[] = [];
const skipped: string[] = [];

const instructions = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const stageCount = instructions.filter((i) => i.keyword === 'FROM').length;
let stageNumber = 0;
const expand = (text: string): string => text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args[a ?? b ?? ''] ?? env[a ?? b ?? ''] ?? '');

for (const { keyword, args: rest } of instructions) {
  switch (keyword) {
    case 'ARG': {
      const [name, value = ''] = rest.split('=');
      args[name!.trim()] = value.trim();
      break;
    }
    case 'FROM': {
      stageNumber += 1;
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(expand(rest));
      if (!m) fail(`cannot read FROM ${rest}`);
      const image = m[1]!;
      const wantMajor = /^node:(\d+)-/.exec(image)?.[1];
      // This Node stands in for the base image, so it must be the same major version.
      if (wantMajor !== process.versions.node.split('.')[0]) fail(`FROM ${image}, but this replay runs Node ${process.versions.node}; run it under Node ${wantMajor}`);
      const name = m[2] ?? String(stageNumber - 1);
      stage = { name, dir: join(work, name), workdir: '/' };
      mkdirSync(stage.dir, { recursive: true });
      stages.set(name, stage);
      console.log(`FROM ${image} AS ${name}  → ${stage.dir}`);
      break;
    }
    case 'WORKDIR':
      if (!stage) fail('WORKDIR before FROM');
      stage.workdir = expand(rest);
      break;
    case 'ENV': {
      for (const pair of rest.split(/\s+/)) {
        const [k, v = ''] = pair.split('=');
        env[k!] = v;
      }
      break;
    }
    case 'COPY': {
      if (!stage) fail('COPY before FROM');
      const words = expand(rest).split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      const dest = paths.pop()!;
      const target = posix.isAbsolute(dest) ? dest : posix.join(stage.workdir, dest);
      for (const source of paths) {
        const into = dest.endsWith('/') || paths.length > 1 ? posix.join(target, posix.basename(source)) : target;
        const local = join(stage.dir, posix.relative(stage.workdir, into));
        if (from) {
          const other = stages.get(from) ?? fail(`COPY --from=${from}: no such stage`);
          const src = join(other.dir, posix.relative(other.workdir, source));
          if (!existsSync(src)) fail(`COPY --from=${from} ${source}: the ${from} stage did not produce it`);
          // Links stay as written (node_modules/shopify-sandbox → ../packages/shopify-sandbox), so the
          // final stage must hold what they point to, as in the image.
          cpSync(src, local, { recursive: true, verbatimSymlinks: true });
          console.log(`COPY --from=${from} ${source} ${dest}`);
        } else {
          console.log(`COPY ${source} ${dest}  (${copyFromContext(source, local)} files)`);
        }
      }
      break;
    }
    case 'RUN': {
      if (!stage) fail('RUN before FROM');
      const command = expand(rest);
      // apt-get needs root and a Debian registry, and the last stage's RUNs prepare the image's own
      // filesystem (absolute paths); neither changes what the build stage produces.
      if (/^\s*apt-get\b/.test(command) || stageNumber === stageCount) {
        skipped.push(`[${stage.name}] RUN ${command}`);
        console.log(`RUN ${command}  (skipped: system step)`);
        break;
      }
      const r = run('sh', ['-c', command], stage.dir, env);
      console.log(`RUN ${command}  (exit ${r.code}, ${r.seconds}s)`);
      if (r.code !== 0) fail(`RUN ${command} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
      break;
    }
    case 'ENTRYPOINT':
      entrypoint = JSON.parse(rest) as string[];
      break;
    case 'USER':
    case 'CMD':
    case 'LABEL':
      break;
    default:
      fail(`instruction ${keyword} is not replayed; teach scripts/docker-replay.ts about it`);
  }
}

const final = stage ?? fail('the Dockerfile has no stage');
// tini is PID 1 in the image; here the command after `--` runs directly.
const command = entrypoint.includes('--') ? entrypoint.slice(entrypoint.indexOf('--') + 1) : entrypoint;
if (command[0] !== 'node') fail(`ENTRYPOINT should run node after tini, got ${JSON.stringify(entrypoint)}`);
// node [flags…] script [args…]
const scriptAt = command.findIndex((arg, i) => i > 0 && !arg.startsWith('-'));
if (scriptAt === -1) fail(`ENTRYPOINT names no script: ${JSON.stringify(entrypoint)}`);
const script = join(final.dir, posix.relative(final.workdir, command[scriptAt]!));
const entry = (extra: string[]) => run(process.execPath, [...command.slice(1, scriptAt), script, ...command.slice(scriptAt + 1), ...extra], final.dir, env);

const devDependencies = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> }).devDependencies ?? {});
const leftovers = devDependencies.filter((d) => existsSync(join(final.dir, 'node_modules', d)));
if (leftovers.length) fail(`the final stage's node_modules holds devDependencies: ${leftovers.join(', ')}`);
console.log(`final stage: production dependencies only (none of ${devDependencies.length} devDependencies present)`);

// The ETL's build holds no sandbox: `--sandbox` reaches the package only through its bin.
const sandboxInDist = walk(join(final.dir, 'dist')).filter((f) => /sandbox|store\.graphql/.test(relative(final.dir, f)) && !f.endsWith('sandbox-process.js'));
if (sandboxInDist.length) fail(`dist/ holds sandbox code: ${sandboxInDist.join(', ')}`);

const help = entry(['--help']);
if (help.code !== 0 || !help.stdout.includes('--shops-file')) fail(`--help exited ${help.code}:\n${help.stdout}\n${help.stderr}`);
console.log(`--help: exit 0, ${help.stdout.split('\n').length} lines of usage`);

const out = join(work, 'out');
const state = join(work, 'state.db');
const demo = entry(['--sandbox', '--dest', out, '--state', state, '--sandbox-operation-delay', '50ms', '--log-format', 'json']);
if (demo.code !== 0) fail(`--sandbox exited ${demo.code}:\n${demo.stdout}\n${demo.stderr}`);
const orderParts = walk(join(out, 'orders')).filter((f) => f.endsWith('.ndjson.gz'));
const manifest = walk(join(out, '_manifests')).map((f) => JSON.parse(readFileSync(f, 'utf8')) as { status: string; tables: Record<string, { rows: number; bytes: number }> })[0];
const orders = manifest?.tables.orders;
if (!orders || orders.rows === 0 || orderParts.length === 0 || manifest.status !== 'succeeded') fail(`--sandbox wrote no orders (manifest: ${JSON.stringify(manifest)})`);
if (!existsSync(state)) fail('--sandbox left no state database');
// The image compresses with ISA-L: the build stage built the binding (apt steps are skipped here, so
// this machine's libisal-dev stands in for the build stage's) and the run did not fall back to node:zlib.
if (!existsSync(join(final.dir, 'packages/isal-deflate/build/Release/isal_deflate.node'))) fail('the final stage holds no ISA-L binding (packages/isal-deflate/build/Release/isal_deflate.node)');
if (`${demo.stdout}${demo.stderr}`.includes('slower than by ISA-L')) fail(`--sandbox compressed without ISA-L:\n${`${demo.stdout}${demo.stderr}`.split('\n').find((l) => l.includes('ISA-L'))}`);
console.log(`--sandbox: exit 0 in ${demo.seconds}s, ${orders.rows} orders in ${orderParts.length} part file(s), ${Object.keys(manifest.tables).length} tables, manifest ${manifest.status}`);
for (const s of skipped) console.log(`not replayed: ${s}`);
if (!keep) rmSync(work, { recursive: true, force: true });
console.log('docker-replay: OK');
