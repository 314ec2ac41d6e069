// The "Latest runs" and "Data freshness" sections: per shop, its latest runs (duration, rows, operations,
// retries, failures, each run's rows per table folded under it) and, per output table, up to when its
// data is complete and when it was last published.
import { age, count, duration, when } from './format.ts';
import { html, type Markup } from './markup.ts';
import type { RunView, ShopRuns } from './runs-data.ts';

export function runsSection(shops: ShopRuns[]): Markup {
  return html`<section id="runs"><h2>Latest runs</h2>
    ${shops.length === 0 ? html`<p class="none">No runs recorded in the state.</p>` : shops.map((s) => html`
    <h3>${s.shop}</h3>
    ${s.runs.length === 0 ? html`<p class="none">No runs yet (no state at ${s.state}).</p>` : html`
    <table class="runs" data-shop="${s.shop}">
      <thead><tr><th>Run</th><th>Status</th><th>Started</th><th class="n">Duration</th><th class="n">Rows</th><th class="n">Operations</th><th class="n">Retries</th><th class="n">Failures</th></tr></thead>
      <tbody>${s.runs.map(runRow)}</tbody>
    </table>`}`)}
  </section>`;
}

function runRow(r: RunView): Markup {
  const rows = Object.entries(r.rowsByTable).sort(([a], [b]) => a.localeCompare(b));
  const total = rows.reduce((a, [, n]) => a + n, 0);
  const failed = r.failures.length + (r.manifestError ? 1 : 0);
  return html`<tr data-run="${r.runId}" data-status="${r.status}" data-rows="${total}" data-operations="${r.operations ?? ''}" data-retries="${r.retries ?? ''}" data-failures="${r.failures.length}">
    <td><details><summary><code>${r.runId}</code></summary>
      <table class="inner"><tbody>${rows.map(([t, n]) => html`<tr data-table="${t}" data-rows="${n}"><td>${t}</td><td class="n">${count(n)}</td></tr>`)}</tbody></table>
      ${r.failures.map((f) => html`<p class="bad">${f.entity}: <code>${f.code}</code> ${f.message}</p>`)}
      ${r.manifestError ? html`<p class="bad">manifest: ${r.manifestError}</p>` : null}
    </details></td>
    <td><span class="status ${r.status}">${r.status}</span></td>
    <td>${when(r.startedAt)}</td>
    <td class="n">${duration(r.durationMs)}</td>
    <td class="n">${count(total)}</td>
    <td class="n">${r.operations === null ? '-' : count(r.operations)}</td>
    <td class="n">${r.retries === null ? '-' : count(r.retries)}</td>
    <td class="n${failed ? ' bad' : ''}">${count(failed)}</td>
  </tr>`;
}

export function freshnessSection(shops: ShopRuns[], now: Date): Markup {
  return html`<section id="freshness"><h2>Data freshness</h2>
    <p class="note">"Complete up to" is the entity's watermark: every record updated before it is published. Entities read whole each run have none; their last upload says how fresh they are.</p>
    ${shops.map((s) => html`<h3>${s.shop}</h3>
    ${s.freshness.length === 0 ? html`<p class="none">No table published yet.</p>` : html`
    <table class="freshness" data-shop="${s.shop}">
      <thead><tr><th>Table</th><th>Entity</th><th>Complete up to</th><th class="n">Age</th><th>Last upload</th><th>By run</th></tr></thead>
      <tbody>${s.freshness.map((f) => html`<tr data-table="${f.table_name}" data-watermark="${f.watermark ?? ''}" data-last-upload="${f.last_upload}">
        <td>${f.table_name}</td><td>${f.entity}</td>
        <td>${when(f.watermark)}</td><td class="n">${age(f.watermark ?? f.last_upload, now)}</td>
        <td>${when(f.last_upload)}</td><td><code>${f.last_run}</code></td></tr>`)}</tbody>
    </table>`}`)}
  </section>`;
}
