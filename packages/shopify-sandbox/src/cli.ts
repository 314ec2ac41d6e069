// The shopify-sandbox command: flags → startSandbox options, then one JSON line on stdout with the
// store's URL, shop and token (the line scripts and parent processes wait for), and a stop on SIGINT,
// SIGTERM or, with --stop-on-stdin-end, when the parent that started it goes away.
import { parseArgs } from 'node:util';
import { parseFaultSpec, type Faults } from './faults.ts';
import type { SandboxOptions } from './index.ts';
import type { Ordering } from './store/index.ts';

/** Exit codes: 0 stopped by a signal or stdin's end, 2 bad flags. */
export const EXIT_USAGE = 2;

export const USAGE = `Usage: shopify-sandbox [options]

A simulated Shopify shop speaking the Admin GraphQL bulk API on a local port. Prints one JSON line
on stdout once it listens: {"severity":"INFO","message":"sandbox store","url":…,"shop":…,"token":…}.

Options:
  --port N                 port to listen on (default 0: any free port)
  --host ADDRESS           address to listen on (default 127.0.0.1)
  --seed N                 seed of the generated store (default 1)
  --orders N               orders in the store (default 120)
  --products N             products in the store (default 40)
  --customers N            customers in the store (default 60)
  --ordering ORDER         JSONL line order when groupObjects is false: grouped, interleaved
                           (default) or children-first
  --operation-delay TIME   how long a bulk operation runs, e.g. 300ms (default), 2s
  --fault SPEC             inject faults, e.g. throttle=3,server-error=2@503 (repeatable; see README)
  --scopes LIST            the access scopes the app was granted, comma-separated (default: every
                           scope the store's data needs); currentAppInstallation lists them
  --not-plus               the shop is not on Shopify Plus: no gift cards, no B2B companies, staff
                           members denied, a standard plan's rate limit (100 points a second)
  --no-shopify-payments    the shop has no Shopify Payments account: no disputes, no payouts
  --stop-on-stdin-end      stop when stdin ends (a parent process holding a pipe to it exited)
  --help                   print this and exit
`;

export class UsageError extends Error {}

export interface CliOptions {
  options: SandboxOptions;
  stopOnStdinEnd: boolean;
  help: boolean;
}

function whole(flag: string, text: string, max = Infinity): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > max) throw new UsageError(`--${flag} must be a whole number ${max === Infinity ? '≥ 0' : `from 0 to ${max}`} (got '${text}')`);
  return n;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function duration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new UsageError(`--${flag} '${text}' is not a duration ≥ 0; use a number with a unit: 50ms, 2s, 1m`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
}

const ORDERINGS: readonly Ordering[] = ['grouped', 'interleaved', 'children-first'];

/** Reads the command line (after node and the script); throws UsageError on bad input. */
export function parseCli(args: string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        orders: { type: 'string' },
        products: { type: 'string' },
        customers: { type: 'string' },
        ordering: { type: 'string' },
        'operation-delay': { type: 'string' },
        fault: { type: 'string', multiple: true },
        scopes: { type: 'string' },
        'not-plus': { type: 'boolean' },
        'no-shopify-payments': { type: 'boolean' },
        'stop-on-stdin-end': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const size: SandboxOptions['size'] = {};
  for (const key of ['orders', 'products', 'customers'] as const) {
    const text = values[key];
    if (text !== undefined) size[key] = whole(key, text);
  }
  const ordering = values.ordering;
  if (ordering !== undefined && !ORDERINGS.includes(ordering as Ordering)) throw new UsageError(`--ordering must be one of ${ORDERINGS.join(', ')} (got '${ordering}')`);
  let faults: Partial<Faults>;
  try {
    faults = Object.assign({}, ...(values.fault ?? []).map(parseFaultSpec)) as Partial<Faults>;
  } catch (err) {
    throw new UsageError(`--fault: ${(err as Error).message}`);
  }
  return {
    options: {
      seed: values.seed === undefined ? 1 : whole('seed', values.seed),
      size,
      host: values.host ?? '127.0.0.1',
      port: values.port === undefined ? 0 : whole('port', values.port, 65535),
      ...(values['operation-delay'] !== undefined ? { operationDelayMs: duration('operation-delay', values['operation-delay']) } : {}),
      ...(ordering !== undefined ? { ordering: ordering as Ordering } : {}),
      ...(values.scopes !== undefined ? { scopes: values.scopes.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
      features: { shopifyPlus: values['not-plus'] !== true, shopifyPayments: values['no-shopify-payments'] !== true },
      faults,
    },
    stopOnStdinEnd: values['stop-on-stdin-end'] ?? false,
    help: values.help ?? false,
  };
}
