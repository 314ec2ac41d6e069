// The column kinds: the one place each kind's rules are written. An entry gives the BigQuery columns
// the kind makes, how the general path reads it from a parsed record (read.ts), and how the byte path
// writes it from a line's tape (bytes.ts), side by side (kind.ts says what an entry is). Both take
// exactly the same values: the general path reads through a Fields reader, which leaves a value of
// another shape unread, so it lands in `_extra` instead of a column BigQuery would reject; the byte
// path then refuses the line, which takes the general path. test/rows/byte-path.test.ts checks both
// give the same bytes. A new kind is one entry here (and a constructor naming it in spec.ts).
import { id, parent, position } from './ids.ts';
import type { Kind } from './kind.ts';
import { pivot, records, strings } from './lists.ts';
import { money, moneyBag } from './money.ts';
import { boolean, decimal, float, integer, ref, string, timestamp } from './scalars.ts';

export const KINDS = { string, integer, float, boolean, timestamp, decimal, ref, strings, id, parent, position, money, moneyBag, records, pivot } satisfies Record<string, Kind<never>>;

export type KindName = keyof typeof KINDS;
export type OptionsOf<K extends KindName> = (typeof KINDS)[K] extends Kind<infer O> ? O : never;
