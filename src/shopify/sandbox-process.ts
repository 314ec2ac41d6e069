// `run --sandbox`: the simulated store as a child process. The ETL does not load the shopify-sandbox
// package; it resolves the package's bin, starts it with the run's --sandbox-* flags (without their
// prefix), reads the one JSON line the bin prints once it listens, and stops it when the run ends.
// The child reads its stdin to its end (--stop-on-stdin-end), so it stops with us even when we are
// killed; it runs in its own process group, so a Ctrl-C meant for the run does not stop the store
// while the run is still finishing cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { EtlError, ErrorCodes } from '../errors/index.ts';

export interface SandboxProcess {
  url: string;
  shop: string;
  token: string;
  /** Stops the store and waits for its process to exit. */
  stop(): Promise<void>;
}

/** The bin's exit code for flags it refuses (packages/shopify-sandbox/src/cli.ts). */
const EXIT_USAGE = 2;
const STOP_TIMEOUT_MS = 5000;
const STDERR_TAIL = 4096;

function binPath(): string {
  try {
    return fileURLToPath(import.meta.resolve('shopify-sandbox/bin'));
  } catch (err) {
    throw new EtlError(ErrorCodes.SANDBOX_UNAVAILABLE, '--sandbox needs the shopify-sandbox package (packages/shopify-sandbox, installed by npm ci in a checkout and present in the image), and it is not installed here', { cause: err });
  }
}

/** `--sandbox-orders 20` → `--orders 20`: the flags of `run` that belong to the store, as the bin names them. */
export function sandboxArgs(flags: Record<string, string | undefined>): string[] {
  return Object.entries(flags).flatMap(([flag, value]) => (value === undefined ? [] : [`--${flag.replace(/^sandbox-/, '')}`, value]));
}

/** Starts the store with `args` (the bin's own flags) and resolves once it listens. */
export async function startSandboxProcess(args: string[]): Promise<SandboxProcess> {
  const child = spawn(process.execPath, [binPath(), ...args, '--stop-on-stdin-end'], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-STDERR_TAIL); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<{ url: string; shop: string; token: string } | null>((resolve) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      lines.close();
      try {
        resolve(JSON.parse(line) as { url: string; shop: string; token: string });
      } catch {
        resolve(null);
      }
    });
    child.once('error', () => resolve(null));
    void exited.then(() => resolve(null));
  });
  // Whatever else the child prints is not ours to read; keep its pipe from filling.
  child.stdout!.resume();
  if (!ready?.url || !ready.token) {
    const code = child.exitCode ?? (await stop(child, exited));
    throw refused(code, stderr, args);
  }
  return { url: ready.url, shop: ready.shop, token: ready.token, stop: () => stop(child, exited).then(() => undefined) };
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.stdin!.end();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** The bin's refusal in the run's words: a flag it names is the --sandbox-* flag the run was given. */
function refused(code: number | null, stderr: string, args: string[]): EtlError {
  const passed = new Set(args.filter((a) => a.startsWith('--')).map((a) => a.slice(2)));
  const said = stderr.trim().split('\n').pop()?.replace(/^shopify-sandbox: /, '') ?? '';
  if (code === EXIT_USAGE) return new EtlError(ErrorCodes.CONFIG_INVALID, said.replace(/--([a-z-]+)/g, (m, flag: string) => (passed.has(flag) ? `--sandbox-${flag}` : m)));
  return new EtlError(ErrorCodes.SANDBOX_UNAVAILABLE, `the sandbox store did not start (exit ${code ?? 'by signal'})${said ? `: ${said}` : ''}`);
}
