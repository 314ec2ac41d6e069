// The chart shapes, as inline SVG drawn here rather than by a charting library: five fixed charts need
// three shapes (columns over days, ranked bars, a retention grid), a few hundred lines at most, while a
// library bundled into the file would add a script of 100 kB or more that must run before anything
// shows. SVG needs no script, prints, and keeps every figure in the page: each mark carries its label
// and value as data attributes (and a <title> a pointer shows), so a test or a person can read back
// exactly what was drawn.
import { html, type Markup } from './markup.ts';

export interface Point {
  label: string;
  value: number;
}

const WIDTH = 560;
/** Room for the value axis' labels on the left and the category labels below. */
const LEFT = 64;
const RIGHT = 8;
const TOP = 10;

/** Rounds a step up to 1, 2 or 5 times a power of ten, so the axis reads 0, 200, 400, not 0, 187, 374. */
function niceStep(span: number, ticks: number): number {
  const raw = span / ticks || 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
}

/**
 * Vertical columns in the points' order (days, oldest first), negative values below the zero line;
 * the first and last labels and a few between are written under the axis. `slots`: where each point
 * stands (days since the first), so days without a point leave their gap; by default one after another.
 */
const COLUMNS_HEIGHT = 220;
/** The baseline of the labels under the columns. */
const AXIS_Y = COLUMNS_HEIGHT - 10;

export function columns(id: string, points: Point[], format: (n: number) => string, slots: number[] = points.map((_, i) => i)): Markup {
  const height = COLUMNS_HEIGHT;
  const bottom = 28;
  const plot = height - TOP - bottom;
  const max = Math.max(0, ...points.map((p) => p.value));
  const min = Math.min(0, ...points.map((p) => p.value));
  const step = niceStep(max - min, 5);
  const top = Math.ceil(max / step) * step || step;
  const floor = Math.floor(min / step) * step;
  const y = (v: number): number => TOP + ((top - v) / (top - floor)) * plot;
  const slot = (WIDTH - LEFT - RIGHT) / (Math.max(-1, ...slots) + 1 || 1);
  const ticks: number[] = [];
  for (let v = floor; v <= top + step / 2; v += step) ticks.push(v);
  return html`<svg class="chart" data-chart="${id}" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img">
    ${ticks.map((v) => html`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${r(y(v))}" y2="${r(y(v))}" stroke="${v === 0 ? '#8a93a3' : '#e6e9ee'}"/><text x="${LEFT - 6}" y="${r(y(v) + 4)}" text-anchor="end">${format(v)}</text>`)}
    ${points.map((p, i) => html`<rect class="mark" data-label="${p.label}" data-value="${p.value}" x="${r(LEFT + slots[i]! * slot + slot * 0.1)}" width="${r(Math.max(slot * 0.8, 1))}" y="${r(Math.min(y(p.value), y(0)))}" height="${r(Math.abs(y(p.value) - y(0)))}" fill="${p.value < 0 ? '#c0504d' : '#2b59c3'}"><title>${p.label}: ${format(p.value)}</title></rect>`)}
    ${axisLabels(points.map((p) => p.label), slots.map((n) => LEFT + (n + 0.5) * slot))}
  </svg>`;
}

/** Roughly how wide a label of the axis font is, per character. */
const CHAR_WIDTH = 6.2;

/**
 * Labels under columns: the first and the last always (anchored at their outer ends, so neither runs
 * off the chart), and between them every one that leaves room on both sides.
 */
function axisLabels(labels: string[], centres: number[]): Markup[] {
  const placed: Array<{ text: string; x: number; anchor: string; from: number; to: number }> = [];
  const at = (i: number): (typeof placed)[number] => {
    const w = labels[i]!.length * CHAR_WIDTH;
    if (i === 0) return { text: labels[i]!, x: LEFT, anchor: 'start', from: LEFT, to: LEFT + w };
    if (i === labels.length - 1) return { text: labels[i]!, x: WIDTH - RIGHT, anchor: 'end', from: WIDTH - RIGHT - w, to: WIDTH - RIGHT };
    const x = centres[i]!;
    return { text: labels[i]!, x, anchor: 'middle', from: x - w / 2, to: x + w / 2 };
  };
  if (labels.length === 0) return [];
  const last = at(labels.length - 1);
  placed.push(at(0));
  for (let i = 1; i < labels.length - 1; i++) {
    const label = at(i);
    if (label.from > placed.at(-1)!.to + 16 && label.to < last.from - 16) placed.push(label);
  }
  if (labels.length > 1 && last.from > placed.at(-1)!.to + 4) placed.push(last);
  return placed.map((l) => html`<text x="${r(l.x)}" y="${AXIS_Y}" text-anchor="${l.anchor}">${l.text}</text>`);
}

/** Horizontal bars, one per point in the given order (largest first, as callers sort), the value at the bar's end. */
export function bars(id: string, points: Point[], format: (n: number) => string): Markup {
  const row = 24;
  const label = 170;
  const height = TOP * 2 + row * points.length;
  const max = Math.max(...points.map((p) => Math.abs(p.value)), 0) || 1;
  const span = WIDTH - label - RIGHT - 80;
  return html`<svg class="chart" data-chart="${id}" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img">
    ${points.map((p, i) => {
      const w = (Math.abs(p.value) / max) * span;
      const y = TOP + i * row;
      return html`<text x="${label - 8}" y="${y + 16}" text-anchor="end">${clip(p.label, 26)}</text>
      <rect class="mark" data-label="${p.label}" data-value="${p.value}" x="${label}" y="${y + 4}" width="${r(Math.max(w, 0.5))}" height="${row - 8}" fill="${p.value < 0 ? '#c0504d' : '#2b59c3'}"><title>${p.label}: ${format(p.value)}</title></rect>
      <text x="${r(label + w + 6)}" y="${y + 16}">${format(p.value)}</text>`;
    })}
  </svg>`;
}

export interface Cell {
  row: string;
  column: number;
  /** 0 to 1: how dark the cell is drawn. */
  value: number;
  text: string;
}

/** A grid: rows top to bottom as given, columns 0..n left to right, each cell shaded by its value. */
export function grid(id: string, rows: string[], columnCount: number, cells: Cell[], columnLabel: (c: number) => string): Markup {
  const cellW = Math.min(44, (WIDTH - 80) / Math.max(columnCount, 1));
  const cellH = 20;
  const left = 74;
  const width = left + cellW * columnCount + RIGHT;
  const height = TOP + 18 + cellH * rows.length;
  const index = new Map(rows.map((r, i) => [r, i]));
  return html`<svg class="chart" data-chart="${id}" viewBox="0 0 ${r(width)} ${height}" width="${width > WIDTH ? '100%' : r(width)}" role="img">
    ${Array.from({ length: columnCount }, (_, c) => html`<text x="${r(left + (c + 0.5) * cellW)}" y="${TOP + 10}" text-anchor="middle">${columnLabel(c)}</text>`)}
    ${rows.map((r, i) => html`<text x="${left - 6}" y="${TOP + 18 + i * cellH + 14}" text-anchor="end">${r}</text>`)}
    ${cells.map((c) => {
      const x = left + c.column * cellW;
      const y = TOP + 18 + index.get(c.row)! * cellH;
      const v = Math.max(0, Math.min(1, c.value));
      return html`<rect class="mark" data-row="${c.row}" data-column="${c.column}" data-value="${c.value}" x="${r(x)}" y="${y}" width="${r(cellW - 2)}" height="${cellH - 2}" fill="rgb(${Math.round(235 - 192 * v)},${Math.round(240 - 151 * v)},${Math.round(250 - 55 * v)})"><title>${c.row} +${c.column}: ${c.text}</title></rect>
      <text x="${r(x + cellW / 2 - 1)}" y="${y + 13}" text-anchor="middle" style="fill:${v > 0.55 ? '#fff' : '#1d2433'}">${c.text}</text>`;
    })}
  </svg>`;
}

/** Coordinates to a tenth of a unit: finer is invisible and only makes the file longer. */
function r(v: number): number {
  return Math.round(v * 10) / 10;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
