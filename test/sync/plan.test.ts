import { expect } from 'chai';
import type { Entity } from '../../src/entities/types.ts';
import { isEtlError } from '../../src/errors/index.ts';
import { checkScopes, MAX_WINDOWS, MIN_WINDOW_MS, planWindows, splitWindow, type Window } from '../../src/sync/plan.ts';

const incremental = { name: 'orders', kind: 'bulk', scopes: ['read_orders'], queryFile: 'orders.graphql', tables: [], typenames: [], process: () => undefined, incremental: { rootField: 'orders', searchField: 'updated_at', cursorField: 'updatedAt', counted: true, countedWhole: true, sortsById: true }, parts: [] } satisfies Entity;
const snapshot = { ...incremental, name: 'locations', scopes: ['read_locations'], incremental: null } satisfies Entity;
const now = new Date('2026-03-01T12:00:00Z');
const base = { now, fullRefresh: false, lookbackMs: 2 * 3600_000, windowMs: 30 * 86400_000, safetyLagMs: 120_000, floor: null };

describe('window planning', () => {
  it('extracts everything up to now minus the safety lag on the first run', () => {
    expect(planWindows(incremental, null, base)).to.deep.equal([{ since: null, until: new Date('2026-03-01T11:58:00Z') }]);
  });

  it('starts at the watermark minus the lookback', () => {
    const [w] = planWindows(incremental, '2026-03-01T06:00:00.000Z', base);
    expect(w).to.deep.equal({ since: new Date('2026-03-01T04:00:00Z'), until: new Date('2026-03-01T11:58:00Z') });
  });

  it('splits a backfill into half-open windows that tile [since, until) exactly', () => {
    const since = new Date('2026-01-01T00:00:00Z');
    const until = new Date('2026-02-15T00:00:00Z');
    const windows = planWindows(incremental, '2026-03-01T00:00:00Z', { ...base, since, until, windowMs: 14 * 86400_000 });
    expect(windows[0]!.since).to.deep.equal(since);
    expect(windows.at(-1)!.until).to.deep.equal(until);
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.since).to.deep.equal(windows[i - 1]!.until);
    expect(windows).to.have.length(4);
  });

  it('ignores the watermark on a full refresh, and snapshots ignore it always', () => {
    expect(planWindows(incremental, '2026-02-01T00:00:00Z', { ...base, fullRefresh: true })[0]!.since).to.equal(null);
    expect(planWindows(snapshot, '2026-02-01T00:00:00Z', base)).to.deep.equal([{ since: null, until: new Date('2026-03-01T11:58:00Z') }]);
  });

  it('halves a window, giving an open start a floor, and stops at the minimum width', () => {
    const floor = new Date('2020-01-01T00:00:00Z');
    const halves = splitWindow({ since: null, until: new Date('2020-01-03T00:00:00Z') }, floor, 3600_000);
    expect(halves).to.deep.equal([{ since: null, until: new Date('2020-01-02T00:00:00Z') }, { since: new Date('2020-01-02T00:00:00Z'), until: new Date('2020-01-03T00:00:00Z') }]);
    expect(splitWindow({ since: floor, until: new Date('2020-01-01T01:30:00Z') }, floor, 3600_000)).to.equal(null);
  });
});

describe('window planning never reads past now, splits every range, and stays bounded', () => {
  const floor = new Date('2025-12-01T00:00:00Z');
  const lag = new Date('2026-03-01T11:58:00Z');

  it('ends a backfill whose --until lies in the future at now minus the safety lag', () => {
    const windows = planWindows(incremental, null, { ...base, floor, since: new Date('2026-02-01T00:00:00Z'), until: new Date('2027-01-01T00:00:00Z') });
    expect(windows.at(-1)!.until).to.deep.equal(lag);
    expect(windows.every((w) => w.until <= lag)).to.equal(true);
  });

  it('takes a snapshot as of now minus the safety lag whatever --until says', () => {
    expect(planWindows(snapshot, null, { ...base, floor, since: new Date('2026-01-01T00:00:00Z'), until: new Date('2026-02-01T00:00:00Z') })).to.deep.equal([{ since: null, until: lag }]);
  });

  it('splits the first run and a full refresh by --window from the shop\'s creation, the first window open at its start', () => {
    for (const fullRefresh of [false, true]) {
      const windows = planWindows(incremental, fullRefresh ? '2026-02-20T00:00:00Z' : null, { ...base, floor, fullRefresh });
      expect(windows.map((w) => [w.since?.toISOString() ?? null, w.until.toISOString()])).to.deep.equal([
        [null, '2025-12-31T00:00:00.000Z'],
        ['2025-12-31T00:00:00.000Z', '2026-01-30T00:00:00.000Z'],
        ['2026-01-30T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
        ['2026-03-01T00:00:00.000Z', '2026-03-01T11:58:00.000Z'],
      ]);
    }
  });

  it('plans one open window when the shop was created after the range ends', () => {
    expect(planWindows(incremental, null, { ...base, floor: new Date('2026-03-01T11:59:00Z') })).to.deep.equal([{ since: null, until: lag }]);
  });

  it('refuses a plan of more windows than the cap, saying what to change', () => {
    let caught: unknown;
    try {
      planWindows(incremental, null, { ...base, floor, since: new Date('2026-02-28T00:00:00Z'), windowMs: 1000 });
    } catch (err) {
      caught = err;
    }
    expect(isEtlError(caught, 'CONFIG_INVALID'), String(caught)).to.equal(true);
    expect((caught as Error).message).to.match(new RegExp(`more than ${MAX_WINDOWS}.*--window.*--since`));
    expect(planWindows(incremental, null, { ...base, floor, since: new Date('2026-02-28T00:00:00Z'), windowMs: MIN_WINDOW_MS })).to.have.length(36);
  });
});

describe('scope preflight (checkScopes)', () => {
  const DAY = 86_400_000;
  const recent: Window[] = [{ since: new Date(now.getTime() - 2 * DAY), until: now }];
  const old: Window[] = [{ since: new Date(now.getTime() - 61 * DAY), until: now }];
  const open: Window[] = [{ since: null, until: now }];
  const check = (granted: string[], windows: Window[], asked = false) => checkScopes([incremental, snapshot], new Set(granted), asked, now, () => windows);

  it('names the scopes each entity lacks; a write_ scope counts as its read_', () => {
    expect(check(['read_orders', 'read_all_orders'], recent).map((c) => [c.entity, c.missing])).to.deep.equal([['orders', []], ['locations', ['read_locations']]]);
    expect(check(['write_orders', 'write_locations', 'read_all_orders'], recent).map((c) => c.missing)).to.deep.equal([[], []]);
    expect(check(['read_all_orders'], recent, true).map((c) => [c.missing, c.asked])).to.deep.equal([[['read_orders'], true], [['read_locations'], true]]);
  });

  it('flags order windows reaching past 60 days (or open at their start) without read_all_orders, and nothing else', () => {
    expect(check(['read_orders', 'read_locations'], old).map((c) => c.historyCut)).to.deep.equal([true, false]);
    expect(check(['read_orders', 'read_locations'], open).map((c) => c.historyCut)).to.deep.equal([true, false]);
    expect(check(['read_orders', 'read_locations'], recent).map((c) => c.historyCut)).to.deep.equal([false, false]);
    expect(check(['read_orders', 'read_locations', 'read_all_orders'], old).map((c) => c.historyCut)).to.deep.equal([false, false]);
  });
});
