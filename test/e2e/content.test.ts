// The online store's content and the marketing events, extracted from the sandbox over HTTP: each table
// holds the sandbox's ground truth, every article points at a blog of the same run, a blog's tags are
// its articles', the orders' UTM campaigns are marketing events'; pages and articles are read by
// updated_at windows (a second run reads exactly the changed and new ones, and a page deleted with
// its destroy event becomes a deletions row).
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { DuckViews } from '../support/duckdb.ts';
import { runAgainst } from '../support/etl.ts';
import { manifests, readPublished, readTable } from '../support/output.ts';
import { removeRecords } from '../support/store.ts';

type Row = Record<string, unknown>;
// Orders for the journeys' campaigns.
const ENTITIES = 'orders,pages,blogs,articles,marketing_events';
const gids = (rows: Row[]): string[] => rows.map((r) => String(r.admin_graphql_api_id)).sort();

describe('online store content and marketing events against the sandbox', function () {
  this.timeout(60_000);
  let dir: string;
  let sandbox: Sandbox;
  const tables: Record<string, Row[]> = {};
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-content-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 60, products: 6, customers: 10, pages: 14, articles: 40, blogs: 3, marketingEvents: 8 } });
    const result = await runAgainst(sandbox, dir, ['--entities', ENTITIES, '--safety-lag', '0s', '--deletes-every', '1d']);
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    const truth = sandbox.store.truth();
    for (const table of ['pages', 'blogs', 'articles', 'marketing_events', 'order_attribution']) {
      tables[table] = (await readTable(join(dir, 'out'), table)) as Row[];
      expect(tables[table]!.length, table).to.equal(truth[table]);
      expect(tables[table]!.length, `${table} has rows`).to.be.greaterThan(0);
    }
  });
  after(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages and articles are the store\'s, each article in a blog of the same run, each blog\'s tags its articles\'', () => {
    expect(gids(tables.pages!)).to.deep.equal(sandbox.store.ids('pages').sort());
    expect(gids(tables.articles!)).to.deep.equal(sandbox.store.ids('articles').sort());
    const tags = new Map<unknown, Set<string>>(tables.blogs!.map((b) => [b.id, new Set()]));
    for (const a of tables.articles!) {
      expect(tags.has(a.blog_id), `article ${String(a.id)}'s blog`).to.equal(true);
      for (const t of a.tags as string[]) tags.get(a.blog_id)!.add(t);
    }
    for (const b of tables.blogs!) expect(b.tags, `blog ${String(b.title)}`).to.deep.equal([...tags.get(b.id)!].sort());
    expect(new Set(tables.articles!.map((a) => a.blog_id)).size, 'articles in more than one blog').to.be.greaterThan(1);
  });

  it('content carries what an SEO analysis reads: HTML bodies, summaries of them, listings where set, publication state', () => {
    for (const p of tables.pages!) {
      const text = String(p.body).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
      expect(String(p.body_summary).replace(/\.\.\.$/, ''), `page ${String(p.handle)}`).to.equal(text.slice(0, 150));
    }
    for (const [table, rows] of [['pages', tables.pages!], ['articles', tables.articles!]] as const) {
      expect(rows.every((r) => String(r.body).startsWith('<')), `${table}: HTML bodies`).to.equal(true);
      expect(rows.some((r) => r.seo_title !== null) && rows.some((r) => r.seo_title === null), `${table}: some set their listing, some not`).to.equal(true);
      for (const r of rows) {
        if (r.is_published === true) expect(String(r.published_at) <= String(r.updated_at), `${table} ${String(r.handle)}`).to.equal(true);
        // Not published: a draft (no date) or scheduled (a date ahead of when it was read).
        else if (r.published_at !== null) expect(String(r.published_at) > String(r._extracted_at), `${table} ${String(r.handle)} scheduled`).to.equal(true);
      }
    }
    expect(tables.articles!.some((a) => a.author !== null && a.image_url !== null && (a.comments_count as number) > 0)).to.equal(true);
  });

  it('marketing events: the app that reported each, and every UTM campaign the orders\' visits carry is an event\'s', () => {
    const campaigns = new Set(tables.marketing_events!.map((e) => e.utm_campaign));
    for (const e of tables.marketing_events!) {
      expect(e.app_id, `event ${String(e.id)}`).to.be.a('string');
      expect(e.app_title).to.be.a('string');
      if (e.ended_at !== null) expect(String(e.ended_at) > String(e.started_at)).to.equal(true);
    }
    const visited = tables.order_attribution!.flatMap((a) => [a.first_visit_utm_campaign, a.last_visit_utm_campaign]).filter((c) => c !== null);
    expect(visited.length, 'orders came from campaigns').to.be.greaterThan(0);
    for (const c of visited) expect(campaigns.has(c), `campaign ${String(c)}`).to.equal(true);
  });

  it('a second run reads exactly the pages and articles changed or added since, and a page deleted with its event as a deletion', async () => {
    const out = join(dir, 'out');
    const changes = sandbox.store.mutate({ entities: ['pages', 'articles'], touch: 3, add: 2, at: new Date() });
    const gone = sandbox.store.ids('pages').filter((g) => !changes.touched.pages!.includes(g))[0]!;
    await removeRecords(sandbox, 'pages', [gone], true);
    const second = await runAgainst(sandbox, dir, ['--entities', ENTITIES, '--safety-lag', '0s', '--deletes-every', '1d']);
    expect(second.exitCode).to.equal(0);
    const run = manifests(out).find((m) => m.runId === second.shops[0]!.runId)!;
    for (const [entity, table] of [['pages', 'pages'], ['articles', 'articles']] as const) {
      const window = run.windows.find((w) => w.entity === entity)!;
      const rows = gids(await readPublished(out, [run], table));
      expect(rows, entity).to.deep.equal(sandbox.store.ids(entity, { since: new Date(window.since!), until: new Date(window.until!) }).sort());
      expect(rows, entity).to.include.members([...changes.touched[entity]!, ...changes.added[entity]!]);
      expect(rows.length, `${entity}: not all of them`).to.be.lessThan(sandbox.store.ids(entity).length);
    }
    const deletions = await readPublished(out, [run], 'deletions');
    expect(deletions.map((d) => `${String(d.table)} ${String(d.admin_graphql_api_id)} ${String(d.source)}`)).to.deep.equal([`pages ${gone} event`]);
    // The snapshots are read whole again.
    expect((await readPublished(out, [run], 'blogs')).length).to.equal(sandbox.store.truth().blogs);
    expect((await readPublished(out, [run], 'marketing_events')).length).to.equal(sandbox.store.truth().marketing_events);
  });

  it('a blog deleted with its event takes its articles out of the current state: Shopify deletes them with it, and names only the blog', async () => {
    const out = join(dir, 'out');
    const perBlog = new Map<unknown, number>();
    for (const a of tables.articles!) perBlog.set(a.blog_id, (perBlog.get(a.blog_id) ?? 0) + 1);
    const blog = tables.blogs!.filter((b) => perBlog.has(b.id)).sort((a, b) => perBlog.get(a.id)! - perBlog.get(b.id)!)[0]!;
    await removeRecords(sandbox, 'blogs', [String(blog.admin_graphql_api_id)], true);
    const third = await runAgainst(sandbox, dir, ['--entities', ENTITIES, '--safety-lag', '0s', '--deletes-every', '1d']);
    expect(third.exitCode).to.equal(0);
    const run = manifests(out).find((m) => m.runId === third.shops[0]!.runId)!;
    const deletions = await readPublished(out, [run], 'deletions');
    expect(deletions.map((d) => `${String(d.table)} ${String(d.admin_graphql_api_id)} ${String(d.source)}`)).to.deep.equal([`blogs ${String(blog.admin_graphql_api_id)} event`]);
    const views = await DuckViews.of(out);
    try {
      expect((await views.rows('SELECT id FROM shopify_blogs_current')).map((r) => String(r.id))).to.not.include(String(blog.id));
      const articles = await views.rows('SELECT admin_graphql_api_id AS gid, blog_id FROM shopify_articles_current ORDER BY id');
      expect(articles.filter((a) => String(a.blog_id) === String(blog.id)), 'none of its articles').to.deep.equal([]);
      expect(articles.map((a) => String(a.gid)).sort()).to.deep.equal(sandbox.store.ids('articles').sort());
      // Their rows are still in the files: the view takes them out through the articles' reference.
      expect(new Set((await readTable(out, 'articles')).filter((a) => a.blog_id === blog.id).map((a) => a.id)).size).to.be.at.least(perBlog.get(blog.id)!);
    } finally {
      views.close();
    }
  });
});
