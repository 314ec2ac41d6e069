// Money as `<name>` (NUMERIC) and `<name>_currency`: a MoneyV2 `{ amount, currencyCode }`, or from a
// MoneyBag (`{ shopMoney: { … } }`) its amount in the shop's currency. Money is on every order and line
// item many times over: when it has exactly its expected shape (nearly always) the general path takes
// it whole, without a reader per nested object; otherwise it is read field by field.
import { isDecimalString } from '../fields.ts';
import { OBJECT } from '../tape.ts';
import { moneyAmount, moneyCurrency, SHOP_MONEY } from '../tape-values.ts';
import type { JsonValue } from '../types.ts';
import { kind, missing, putNulls, type Kind } from './kind.ts';

type MoneyValue = { amount: string; currencyCode: string };

/** `{ amount, currencyCode }` and nothing else, both of the expected shape, or null. */
function exactMoney(v: JsonValue | undefined): MoneyValue | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || keyCount(v) !== 2) return null;
  return typeof v.amount === 'string' && isDecimalString(v.amount) && typeof v.currencyCode === 'string' ? (v as MoneyValue) : null;
}

/** `{ shopMoney: { amount, currencyCode } }` and nothing else, or null. */
function exactShopMoney(v: JsonValue | undefined): MoneyValue | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || keyCount(v) !== 1) return null;
  return exactMoney(v.shopMoney);
}

/** Counts an object's own keys without allocating (Object.keys would, for every money value of every line). */
function keyCount(v: object): number {
  let n = 0;
  for (const _ in v) n++;
  return n;
}

function moneyKind(inBag: boolean): Kind<undefined> {
  const exact = inBag ? exactShopMoney : exactMoney;
  return kind<undefined>({
    columns: (name) => [
      { name, type: 'NUMERIC', description: 'Decimal amount' },
      { name: `${name}_currency`, type: 'STRING', description: `ISO 4217 currency of ${name}` },
    ],
    read(src, key, c, row) {
      const whole = exact(src.peek(key));
      if (whole) {
        src.taken(key);
        row[c.names[0]!] = whole.amount;
        row[c.names[1]!] = whole.currencyCode;
        return;
      }
      const money = inBag ? src.object(key).object('shopMoney') : src.object(key);
      row[c.names[0]!] = money.decimal('amount');
      row[c.names[1]!] = money.string('currencyCode');
    },
    write(c, tape, n, out) {
      if (missing(tape, n)) {
        putNulls(c, out);
        return true;
      }
      if (tape.type(n) !== OBJECT) return false;
      if (inBag) {
        const inner = tape.first(n);
        if (inner >= tape.next(n) || tape.next(inner) !== tape.next(n) || !tape.keyIs(inner, SHOP_MONEY) || tape.type(inner) !== OBJECT) return false;
        n = inner;
      }
      const amount = moneyAmount(tape, n);
      if (amount === -1) return false;
      out.raw(c.keys[0]!, tape, amount);
      out.string(c.keys[1]!, tape, moneyCurrency(tape, n, amount));
      return true;
    },
    sample: (): JsonValue => {
      const amount: JsonValue = { amount: '12.34', currencyCode: 'USD' };
      return inBag ? { shopMoney: amount } : amount;
    },
  });
}

export const money = moneyKind(false);
export const moneyBag = moneyKind(true);
