// The document around the sections: one HTML file with its style inline and no script, so it opens
// from a disk, a mail attachment or a bucket with no network and nothing to trust.
import { html, Markup } from './markup.ts';

const STYLE = `
:root { color-scheme: light; --ink: #1d2433; --muted: #5b6474; --line: #dde1e8; --ok: #1f7a4d; --bad: #b3261e; --warn: #a15c00; --accent: #2b59c3; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #f6f7f9; }
header { background: #1d2433; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px; font-size: 20px; }
header p { margin: 0; color: #c9d0dc; }
nav { display: flex; gap: 18px; padding: 10px 28px; background: #fff; border-bottom: 1px solid var(--line); }
nav a { color: var(--accent); text-decoration: none; }
main { padding: 8px 28px 40px; max-width: 1280px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 6px 20px 16px; margin-top: 18px; }
h2 { font-size: 17px; margin: 12px 0 8px; }
h3 { font-size: 14px; margin: 14px 0 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; white-space: nowrap; }
td:first-child { white-space: normal; }
td.wrap { white-space: normal; }
th { color: var(--muted); font-weight: 600; }
.n { text-align: right; font-variant-numeric: tabular-nums; }
table.inner { width: auto; margin: 6px 0; }
table.inner td { border: 0; padding: 1px 10px 1px 0; }
details summary { cursor: pointer; }
code { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; }
code.example { display: block; color: var(--muted); }
.status { padding: 1px 7px; border-radius: 9px; font-size: 12px; background: #eef0f4; }
.status.succeeded { background: #e3f3ea; color: var(--ok); }
.status.partial, .status.interrupted, .status.running { background: #fdf0dc; color: var(--warn); }
.status.failed { background: #fbe4e2; color: var(--bad); }
.bad { color: var(--bad); }
.note, .none { color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 14px; }
figure { margin: 0; }
figcaption { font-weight: 600; margin: 10px 0 4px; }
svg text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; fill: var(--muted); }
`;

export function page(title: string, subtitle: string, sections: Array<{ id: string; title: string; body: Markup }>): string {
  return `<!doctype html>
${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${new Markup(STYLE)}</style></head>
<body><header><h1>${title}</h1><p>${subtitle}</p></header>
<nav>${sections.map((s) => html`<a href="#${s.id}">${s.title}</a>`)}</nav>
<main>${sections.map((s) => s.body)}</main></body></html>`.text}\n`;
}
