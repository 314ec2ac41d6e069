// The "Models" section: per shop, the five charts of the models (daily net sales, customer segments,
// top products, revenue by country, cohort retention). Each chart says why it is absent instead of
// drawing nothing: its model not written yet, or its figures null (the ledger columns of a shop with no
// current sales ledger, src/models).
import { compact, count, money, share } from './format.ts';
import { html, type Markup } from './markup.ts';
import type { ChartedModel, ModelRow, ModelTable } from './models-data.ts';
import { bars, columns, grid, type Cell, type Point } from './svg.ts';

/** The order segments are shown in: the classes from the top down (src/models' thresholds). */
const SEGMENTS = ['VIP', 'Loyal', 'Regular', 'One-time', 'Emerging'];
const TOP_PRODUCTS = 10;
const TOP_COUNTRIES = 12;
/** The bar of orders with no shipping address (the model's null country). */
export const NO_COUNTRY = '(no shipping address)';

type Chart = { id: string; title: string; model: ChartedModel; draw: (rows: ModelRow[]) => Markup | string };

const CHARTS: Chart[] = [
  { id: 'daily-net-sales', title: 'Daily net sales', model: 'daily_financials', draw: dailyNetSales },
  { id: 'customer-segments', title: 'Customers by segment', model: 'customer_lifetime_value', draw: segments },
  { id: 'top-products', title: `Top ${TOP_PRODUCTS} products by net revenue`, model: 'product_performance', draw: topProducts },
  { id: 'revenue-by-country', title: 'Revenue by country', model: 'geography', draw: byCountry },
  { id: 'cohort-retention', title: 'Monthly cohorts: share of customers ordering again', model: 'customer_cohorts', draw: retention },
];

export function modelsSection(models: Record<ChartedModel, ModelTable>): Markup {
  const shops = [...new Set(Object.values(models).flatMap((t) => ('rows' in t ? t.rows.map((r) => String(r.shop ?? '')) : [])))].sort();
  return html`<section id="models"><h2>Models</h2>
    ${shops.length === 0 ? html`<p class="none">No model rows yet.</p>` : null}
    ${(shops.length ? shops : ['']).map((shop) => html`${shop ? html`<h3>${shop}</h3>` : null}<div class="charts">
      ${CHARTS.map((c) => {
        const table = models[c.model];
        const body = 'missing' in table ? `${c.model}: ${table.missing}` : c.draw(table.rows.filter((r) => String(r.shop ?? '') === shop));
        return html`<figure data-chart-of="${c.id}" data-shop="${shop}"><figcaption>${c.title}</figcaption>
          ${typeof body === 'string' ? html`<p class="none" data-missing="${c.model}">${body}</p>` : body}</figure>`;
      })}
    </div>`)}
  </section>`;
}

/** A model's figure as a number; null stays null (a column the model could not compute). */
function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function dailyNetSales(rows: ModelRow[]): Markup | string {
  if (rows.length === 0) return 'no days with sales';
  if (rows.some((r) => num(r.net_sales) === null)) return 'net sales not computed: the shop has no current sales ledger (order_sales)';
  const points = rows.map((r) => ({ label: String(r.day), value: num(r.net_sales)! })).sort((a, b) => a.label.localeCompare(b.label));
  const total = points.reduce((a, p) => a + Math.round(p.value * 100), 0) / 100;
  // Placed on the calendar: a day without sales is a gap, not a neighbour drawn closer.
  const first = Date.parse(points[0]!.label);
  const slots = points.map((p) => Math.round((Date.parse(p.label) - first) / 86_400_000));
  return html`<p class="note">${points.length} days with sales, total ${money(total)}</p>${columns('daily-net-sales', points, compact, slots)}`;
}

function segments(rows: ModelRow[]): Markup | string {
  if (rows.length === 0) return 'no customers with orders';
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(String(r.segment), (counts.get(String(r.segment)) ?? 0) + 1);
  const order = [...SEGMENTS, ...[...counts.keys()].filter((s) => !SEGMENTS.includes(s)).sort()];
  return bars('customer-segments', order.map((label) => ({ label, value: counts.get(label) ?? 0 })), count);
}

function topProducts(rows: ModelRow[]): Markup | string {
  if (rows.length === 0) return 'no products sold';
  if (rows.some((r) => num(r.net_revenue) === null)) return 'net revenue not computed: the shop has no current sales ledger (order_sales)';
  // The model is per variant: a product's revenue is its variants' together.
  const products = new Map<string, Point>();
  for (const r of rows) {
    const key = String(r.product_id ?? `(no product) ${String(r.title)}`);
    const p = products.get(key) ?? { label: String(r.title ?? key), value: 0 };
    p.value = (Math.round(p.value * 100) + Math.round(num(r.net_revenue)! * 100)) / 100;
    products.set(key, p);
  }
  const top = [...products.values()].sort((a, b) => b.value - a.value || a.label.localeCompare(b.label)).slice(0, TOP_PRODUCTS);
  return bars('top-products', top, money);
}

function byCountry(rows: ModelRow[]): Markup | string {
  if (rows.length === 0) return 'no orders with a shipping address';
  // The model is per country and province.
  const countries = new Map<string, number>();
  for (const r of rows) {
    const key = String(r.country ?? NO_COUNTRY);
    countries.set(key, (Math.round((countries.get(key) ?? 0) * 100) + Math.round((num(r.revenue) ?? 0) * 100)) / 100);
  }
  const points = [...countries].map(([label, value]) => ({ label, value })).sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
  const shown = points.slice(0, TOP_COUNTRIES);
  const rest = points.slice(TOP_COUNTRIES);
  return html`${bars('revenue-by-country', shown, money)}${rest.length ? html`<p class="note">and ${rest.length} more countries</p>` : null}`;
}

function retention(rows: ModelRow[]): Markup | string {
  if (rows.length === 0) return 'no cohorts';
  const months = [...new Set(rows.map((r) => String(r.cohort_month)))].sort();
  const offsets = Math.max(...rows.map((r) => Number(r.month_offset))) + 1;
  const cells: Cell[] = rows.map((r) => {
    const rate = num(r.retention_rate) ?? 0;
    return { row: String(r.cohort_month), column: Number(r.month_offset), value: rate, text: share(rate).replace('%', '') };
  });
  return html`<p class="note">Rows: first-order month; columns: months after it; cells: percent of the cohort ordering in that month.</p>${grid('cohort-retention', months.map((m) => m.slice(0, 7)), offsets, cells.map((c) => ({ ...c, row: c.row.slice(0, 7) })), (c) => `+${c}`)}`;
}
