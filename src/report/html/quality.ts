// The "Quality checks" section: the financial accuracy checks of each shop's latest finished run, as
// its manifest records them. A manifest without them (a run before the checks existed, or one that
// stopped first) says "not recorded" rather than passing for a clean result.
import { count } from './format.ts';
import { html, type Markup } from './markup.ts';
import type { ShopRuns } from './runs-data.ts';
import type { QualityCheck } from '../../sync/quality.ts';

/** How many failing records a check shows: enough to find the pattern, few enough to read. */
const EXAMPLES_SHOWN = 5;

/** A check that looked at nothing passed nothing: it says so rather than showing a green pass. */
function result(c: QualityCheck): Markup {
  if (c.failed > 0) return html`<span class="status failed">fail</span>`;
  return c.checked === 0 ? html`<span class="status">nothing to check</span>` : html`<span class="status succeeded">pass</span>`;
}

export function qualitySection(shops: ShopRuns[]): Markup {
  return html`<section id="quality"><h2>Quality checks</h2>
    ${shops.map((s) => {
      const run = s.runs.find((r) => r.finishedAt !== null);
      if (!run) return html`<h3>${s.shop}</h3><p class="none">No finished run yet.</p>`;
      return html`<h3>${s.shop} <span class="note">run <code>${run.runId}</code></span></h3>
      ${run.quality === null ? html`<p class="none" data-quality="not-recorded">Quality checks: not recorded in this run's manifest.</p>` : html`
      <table class="quality" data-shop="${s.shop}">
        <thead><tr><th>Check</th><th class="n">Checked</th><th class="n">Failed</th><th class="n">Left out</th><th>Result</th><th>Examples</th></tr></thead>
        <tbody>${run.quality.map((c) => html`<tr data-check="${c.name}" data-checked="${c.checked}" data-failed="${c.failed}" data-skipped="${c.skipped ?? 0}">
          <td>${c.name}</td><td class="n">${count(c.checked)}</td><td class="n">${count(c.failed)}</td><td class="n">${c.skipped ? count(c.skipped) : ''}</td>
          <td class="wrap">${result(c)}${c.skipped && c.note ? html`<div class="note" data-note>${c.note}</div>` : ''}</td>
          <td class="wrap">${c.examples.slice(0, EXAMPLES_SHOWN).map((e) => html`<code class="example">${Object.entries(e).map(([k, v]) => `${k} ${v}`).join(' · ')}</code>`)}</td></tr>`)}</tbody>
      </table>`}`;
    })}
  </section>`;
}
