// The shape of the records the generators build and the bulk executor walks: plain objects whose keys
// are GraphQL field names. A field that takes arguments, is expensive, or points at another record is
// a function of its arguments, evaluated only when a query selects it.

export type Scalar = string | number | boolean | null;
export type Args = Readonly<Record<string, unknown>>;
export type Value = Scalar | readonly Value[] | Rec | Connection | RawJson | ((args: Args) => Value);
export interface Rec {
  readonly [field: string]: Value;
}

/** A connection field's nodes: each becomes its own JSONL line in a bulk result. */
export class Connection {
  readonly nodes: Iterable<Rec>;

  constructor(nodes: Iterable<Rec>) {
    this.nodes = nodes;
  }
}

/**
 * One page of a connection as an ordinary (non-bulk) query reads it: edges with opaque cursors, nodes
 * and pageInfo, after `after`, `first` or `last` of them, reversed on `reverse`. A bulk query reads every
 * node instead (bulk-executor.ts).
 */
export function connectionPage(nodes: Iterable<Rec>, args: Args): Rec {
  const all = [...nodes].map((node, i) => ({ node, cursor: Buffer.from(`cursor:${i}`).toString('base64url') }));
  if (args['reverse'] === true) all.reverse();
  const after = typeof args['after'] === 'string' ? all.findIndex((e) => e.cursor === args['after']) + 1 : 0;
  const rest = all.slice(after);
  const first = typeof args['first'] === 'number' ? args['first'] : undefined;
  const last = typeof args['last'] === 'number' ? args['last'] : undefined;
  const page = first !== undefined ? rest.slice(0, first) : last !== undefined ? rest.slice(-last) : rest;
  return {
    edges: page.map((e) => ({ cursor: e.cursor, node: e.node })),
    nodes: page.map((e) => e.node),
    pageInfo: {
      hasNextPage: first !== undefined && rest.length > first,
      hasPreviousPage: after > 0,
      startCursor: page[0]?.cursor ?? null,
      endCursor: page.at(-1)?.cursor ?? null,
    },
  };
}

/** A value of the JSON scalar, already serialised. */
export class RawJson {
  readonly text: string;

  constructor(value: unknown) {
    this.text = JSON.stringify(value);
  }
}

/** Money as Shopify's Decimal scalar prints it (BigDecimal style: "10.0", "12.5", "19.99"). */
export function decimal(cents: number): string {
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const frac = abs % 100;
  const sign = cents < 0 ? '-' : '';
  if (frac % 10 === 0) return `${sign}${whole}.${frac / 10}`;
  return `${sign}${whole}.${frac < 10 ? '0' : ''}${frac}`;
}

/** Money as the Money scalar prints it (two decimals: "19.99", "20.00"). */
export function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

export function moneyV2(cents: number, currencyCode: string): Rec {
  return { __typename: 'MoneyV2', amount: decimal(cents), currencyCode };
}

/** A MoneyBag in the shop's currency and the order's presentment currency (`rate` converts). */
export function moneyBag(cents: number, shopCurrency: string, presentmentCurrency: string, rate: number): Rec {
  return {
    __typename: 'MoneyBag',
    shopMoney: moneyV2(cents, shopCurrency),
    presentmentMoney: () => moneyV2(Math.round(cents * rate), presentmentCurrency),
  };
}
