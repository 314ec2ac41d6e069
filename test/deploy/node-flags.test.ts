// The V8 flags the job needs are in effect however it is launched (src/cli/node-flags.ts). Every node
// process of a launch loads a probe through NODE_OPTIONS (which the launchers pass on and the
// re-execution keeps), and the probe writes down, per process image, its pid, script and node flags;
// so the test sees the flags of the process that ran main.ts, and how often it started. SIGTERM to the
// launched CLI reaching the job is test/cli/output.test.ts ('interrupted'), which runs through the
// re-execution too.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { childEnv, MAIN } from '../support/cli.ts';
import { withDist } from '../support/dist-lock.ts';

const run = promisify(execFile);
// What src/cli/node-flags.ts must put in effect (README, Performance, says why each).
const NODE_FLAGS = ['--max-semi-space-size=1', '--initial-old-space-size=64'];
const root = resolve(import.meta.dirname, '../..');

interface Started { pid: number; script: string; execArgv: string[]; arenas: string | null }

const probe = `data:text/javascript,${encodeURIComponent(
  'import { appendFileSync } from "node:fs"; appendFileSync(process.env.PROBE_FILE, JSON.stringify({ pid: process.pid, script: process.argv[1] ?? "", execArgv: process.execArgv, arenas: process.env.MALLOC_ARENA_MAX ?? null }) + "\\n");',
)}`;

/** Runs `file args` with the probe; the process images that ran main.ts (or, from dist, main.js), in order. */
async function launch(file: string, args: string[], nodeOptions = '', extraEnv: Record<string, string> = {}): Promise<{ mains: Started[]; stdout: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'node-flags-'));
  try {
    const probeFile = join(dir, 'probe.jsonl');
    const env = childEnv({ PROBE_FILE: probeFile, NODE_OPTIONS: `${nodeOptions} --import=${probe}`.trim(), ...extraEnv });
    const { stdout } = await run(file, args, { cwd: root, env });
    const started = readFileSync(probeFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Started);
    return { mains: started.filter((s) => /main\.[jt]s$/.test(s.script)), stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('node flags', () => {
  it('are added to a bare `node src/main.ts`, by one re-execution in the same process', async () => {
    const { mains, stdout } = await launch(process.execPath, [MAIN, '--help']);
    expect(stdout).to.contain('shopify-bulk-etl');
    expect(mains.map((m) => m.execArgv), 'the launch, then the re-executed image').to.deep.equal([[], NODE_FLAGS]);
    expect(mains[1]!.pid, 'execve keeps the pid, so signals and the exit status stay the launcher\'s').to.equal(mains[0]!.pid);
    expect(mains.map((m) => m.arenas), 'glibc\'s arenas capped from the re-executed image on').to.deep.equal([null, '2']);
  });

  it('are in effect under the npm script, which no longer passes them itself and runs the compiled dist', async () => {
    const { mains } = await withDist(() => launch('npm', ['start', '--silent', '--', '--help']));
    expect(mains.at(-1)?.execArgv).to.include.members(NODE_FLAGS);
    expect(mains.at(-1)?.arenas).to.equal('2');
    expect(mains.map((m) => m.script), 'the build, not the sources: type stripping costs memory (README, Performance)').to.deep.equal([join(root, 'dist/main.js'), join(root, 'dist/main.js')]);
    expect(mains).to.have.length(2);
  });

  it('are not added again when present: no second re-execution', async () => {
    const { mains } = await launch(process.execPath, [...NODE_FLAGS, MAIN, '--help'], '', { MALLOC_ARENA_MAX: '2' });
    expect(mains.map((m) => m.execArgv)).to.deep.equal([NODE_FLAGS]);
    const flagsOnly = await launch(process.execPath, [...NODE_FLAGS, MAIN, '--help']);
    expect(flagsOnly.mains.map((m) => [m.execArgv, m.arenas]), 'every flag but no arena cap: one re-execution, for the cap').to.deep.equal([[NODE_FLAGS, null], [NODE_FLAGS, '2']]);
  });

  it('keep a value the user gave, on the command line or in NODE_OPTIONS, in either spelling V8 accepts, and the user\'s other node flags', async () => {
    const { mains } = await launch(process.execPath, ['--max-semi-space-size=4', '--no-warnings', MAIN, '--help']);
    expect(mains.at(-1)?.execArgv).to.deep.equal(['--initial-old-space-size=64', '--max-semi-space-size=4', '--no-warnings']);
    const viaEnv = await launch(process.execPath, ['--initial_old_space_size=32', MAIN, '--help'], '--max_semi_space_size=2');
    expect(viaEnv.mains.at(-1)?.execArgv, 'no flag missing: none added').to.deep.equal(['--initial_old_space_size=32']);
    const arenas = await launch(process.execPath, [...NODE_FLAGS, MAIN, '--help'], '', { MALLOC_ARENA_MAX: '8' });
    expect(arenas.mains.map((m) => m.arenas), 'the user\'s arena cap, and nothing missing: no re-execution').to.deep.equal(['8']);
  });
});
