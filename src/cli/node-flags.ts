// The V8 flags the job needs, set however it is launched (the bin, `npx`, `node dist/main.js`, an npm
// script, the image). V8 reads them only when it makes the main thread's heap, so they cannot be set
// from code (v8.setFlagsFromString later leaves that heap as it is) and only a launcher could pass
// them. So on its first line the program replaces itself (execve: same pid, stdio, signal delivery and
// exit status) with a node that has them; main.ts imports this module first, before the rest loads.
// A flag the user gave, on the command line or in NODE_OPTIONS, is kept as given, and a process that
// has every flag (and MALLOC_ARENA_MAX, below) does not re-execute, so it happens at most once. Where execve is missing (Windows) the
// job runs without them.
//   --max-semi-space-size=1: the main thread makes little garbage, but Node lets its young generation
//     grow to 64 MB, and what it is done with waits there for a collection: 60-75 MiB of RSS when the
//     download read into fresh buffers, still ~40 MiB at 500 MB since it reads into one (README,
//     Performance). The workers get their own sizes (src/pipeline/worker-pool.ts).
//   --initial-old-space-size=64: with a small old generation V8 starts a full collection of the main
//     thread's heap (every loaded module) every 100-150 ms while data streams, ~40 per 250 MB, a sixth
//     of the run's CPU. README, Performance.
const NODE_FLAGS = ['--max-semi-space-size=1', '--initial-old-space-size=64'];
// And glibc's malloc, which reads its tunables once, as the process starts: it gives each thread that
// allocates at once an arena of its own (up to 8 per core), and the workers, zlib's threads and the
// main thread spread their native buffers over that many, each holding freed memory of its own. Two
// arenas hold the 1 GB run's peak 25-30 MiB lower (README, Performance) at no CPU the bench shows.
// A value in the environment already (the user's) is kept.
const MALLOC_ENV = { MALLOC_ARENA_MAX: '2' };

/** The flags of NODE_FLAGS that neither `execArgv` nor NODE_OPTIONS names (with any value, `_` or `-`). */
function missingNodeFlags(execArgv: readonly string[], nodeOptions = ''): string[] {
  const name = (flag: string): string => flag.split('=')[0]!.replaceAll('_', '-');
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map(name));
  return NODE_FLAGS.filter((flag) => !given.has(name(flag)));
}

const missing = missingNodeFlags(process.execArgv, process.env.NODE_OPTIONS);
const missingEnv = Object.entries(MALLOC_ENV).filter(([name]) => process.env[name] === undefined);
if ((missing.length > 0 || missingEnv.length > 0) && typeof process.execve === 'function') {
  try {
    process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, ...Object.fromEntries(missingEnv) });
  } catch (err) {
    // Not fatal: the job runs as it would have without this module, only with more memory and time.
    process.emitWarning(`running without ${[...missing, ...missingEnv.map(([n, v]) => `${n}=${v}`)].join(' ')}: ${(err as Error).message}`);
  }
}
