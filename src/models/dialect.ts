// What the models' SQL needs of a dialect beyond what the current-state views need (src/views/dialects.ts):
// dates in the shop's time zone, differences of instants, money rounded to the cent, a rate. The models
// read only the current-state views, so a name is all they need of where the data lies.
import type { DialectName } from '../views/dialects.ts';

export interface ModelDialect {
  /** A current-state view or a model, quoted (and, in BigQuery, in its dataset). */
  name(name: string): string;
  /** The calendar day of a TIMESTAMP in an IANA time zone (an expression). */
  localDate(instant: string, timeZone: string): string;
  /** The first day of a DATE's month. */
  monthStart(date: string): string;
  /** Whole months from one month's first day to another's. */
  monthsBetween(from: string, to: string): string;
  /** Seconds from one TIMESTAMP to another, as a whole number. */
  secondsBetween(from: string, to: string): string;
  /** A NUMERIC sum rounded to the cent, typed so it is written as such (12.30, not 12.300000000). */
  cents(expression: string): string;
  /**
   * Money divided by a whole number, exactly, to the cent, halves away from zero (586.795 is 586.80):
   * an average order value. BigQuery's NUMERIC division and ROUND do that; DuckDB divides a DECIMAL
   * into a DOUBLE, whose 586.79499… rounds down, so there it is whole cents divided in integers.
   */
  centsPer(money: string, count: string): string;
  /** A ratio as a floating-point number, null where the denominator is 0. */
  ratio(numerator: string, denominator: string): string;
  /** A whole-number division rounded down. */
  div(numerator: string, denominator: string): string;
}

export function modelDialect(dialect: DialectName, dataset = 'analytics'): ModelDialect {
  if (dialect === 'duckdb') {
    return {
      name: (n) => `"${n}"`,
      localDate: (instant, tz) => `CAST(timezone(${tz}, ${instant}) AS DATE)`,
      monthStart: (date) => `CAST(date_trunc('month', ${date}) AS DATE)`,
      monthsBetween: (from, to) => `date_diff('month', ${from}, ${to})`,
      secondsBetween: (from, to) => `CAST(epoch(${to}) - epoch(${from}) AS BIGINT)`,
      cents: (e) => `CAST(ROUND(${e}, 2) AS DECIMAL(38, 2))`,
      centsPer: (m, n) => {
        const c = `CAST(ROUND(${m}, 2) * 100 AS HUGEINT)`;
        return `CAST(CAST(sign(${c}) * ((abs(${c}) * 2 + (${n})) // (2 * (${n}))) AS DECIMAL(38, 0)) * 0.01 AS DECIMAL(38, 2))`;
      },
      ratio: (n, d) => `CAST(${n} AS DOUBLE) / NULLIF(${d}, 0)`,
      div: (n, d) => `CAST(floor(${n} / ${d}) AS BIGINT)`,
    };
  }
  return {
    name: (n) => `\`${dataset}.${n}\``,
    localDate: (instant, tz) => `DATE(${instant}, ${tz})`,
    monthStart: (date) => `DATE_TRUNC(${date}, MONTH)`,
    monthsBetween: (from, to) => `DATE_DIFF(${to}, ${from}, MONTH)`,
    secondsBetween: (from, to) => `TIMESTAMP_DIFF(${to}, ${from}, SECOND)`,
    cents: (e) => `ROUND(${e}, 2)`,
    centsPer: (m, n) => `ROUND(${m} / ${n}, 2)`,
    ratio: (n, d) => `CAST(${n} AS FLOAT64) / NULLIF(${d}, 0)`,
    div: (n, d) => `DIV(${n}, ${d})`,
  };
}
