// The online store's content: pages, blogs and their articles. Pages and articles are mutable roots
// (their own updatedAt, mutate() touches and adds them, remove() deletes them); blogs are a fixed few
// (size.blogs), each article in one of them; remove() deletes a blog with its articles. A blog's tags are its most recent articles' (Blog.tags).
// A page's, blog's or article's search engine listing is its global.title_tag and
// global.description_tag metafields, where Shopify keeps it; many have none (the theme then uses the
// title and the body's start). Bodies are HTML of a few paragraphs, unicode and links included.
import { FIRST_NAMES, LAST_NAMES } from './names.ts';
import { inWindow, mutableNodes, rootIndexes, Tally, type EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { gid, numericId } from './ids.ts';
import type { Args, Rec } from './model.ts';
import { rngFor, type Rng } from './prng.ts';
import { slug } from './products.ts';
import { DAY, iso } from './time.ts';

// This module's id spaces and random stream (apart from ids.ts's and the other modules').
const IDS = { Page: 1_181_000_000_000, Blog: 1_295_000_000_000, Article: 5_488_000_000_000, Metafield: 2_913_000_000_000 } as const;
const STREAM = 0x434e; // 'CN'
/** The id space of blogs (remove() deletes them by GID). */
export const BLOG_ID_BASE = IDS.Blog;
/** Blog.tags: the tags of the blog's most recent articles, this many. */
const RECENT_ARTICLES = 200;

const PAGE_TITLES = ['About us', 'Contact', 'Shipping & Returns', 'FAQ', 'Size guide', 'Impressum', 'Our stores', 'Careers', 'Sustainability', 'Wholesale', 'Datenschutzerklärung', 'Gift cards'] as const;
const BLOG_TITLES = ['News', 'Journal', 'Rezepte & Pflege', 'Lookbook'] as const;
const ARTICLE_TITLES = [
  'How to care for your wool scarf', 'Behind the seams: Nordlicht GmbH', 'Spring lookbook 2026', 'Matcha 101: 抹茶 at home',
  'Our sustainability report', '5 gift ideas under $50', 'Rezept: Apfelstrudel wie bei Oma', 'Meet the maker: Maison Élan',
  'Why we switched to recycled packaging', 'The story of our Nordic candle', 'Crème de la crème: winter essentials', 'Store opening in Toronto',
] as const;
const ARTICLE_TAGS = ['care', 'behind-the-scenes', 'lookbook', 'recipe', 'sustainability', 'gifts', 'events', 'nachhaltig', 'new'] as const;
const SENTENCES = [
  'Every piece is made in small batches by people we know by name.',
  'We tested it through a whole Nordic winter — here is what held up.',
  'Wash by hand in cold water, lay flat to dry, and never wring it out.',
  'Unsere Werkstatt liegt mitten in Berlin, gleich neben dem Kanal.',
  'Nous avons choisi des matières recyclées pour chaque emballage.',
  'The glaze is fired twice, which gives the mug its deep “ocean” colour.',
  'Questions? Write to us at hello@maple-goods.example & we answer within a day.',
  'Prices include VAT; duties for orders outside the EU are shown at checkout.',
] as const;
const LINKS = ['/products/wool-scarf', '/collections/sale', '/pages/shipping-returns', '/blogs/journal'] as const;

interface ContentTimes {
  created: number;
  updated: number;
}

/** An HTML body of `paragraphs` paragraphs, with a heading and a link in longer ones. */
function htmlBody(rng: Rng, paragraphs: number): string {
  const parts: string[] = [];
  for (let k = 0; k < paragraphs; k++) {
    if (k > 0 && k % 3 === 0) parts.push(`<h2>${rng.pick(['Materials', 'Care', 'Unsere Geschichte', 'What’s next'])}</h2>`);
    const sentences: string[] = Array.from({ length: 2 + rng.int(4) }, () => rng.pick(SENTENCES));
    if (rng.chance(0.3)) sentences.push(`Read more <a href="${rng.pick(LINKS)}">here</a>.`);
    parts.push(`<p>${sentences.join(' ')}</p>`);
  }
  return parts.join('\n');
}

/** A body's text, as Page.bodySummary gives it: the first 150 characters, more cut off with an ellipsis. */
function summaryOf(body: string): string {
  const text = body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  return text.length > 150 ? `${text.slice(0, 150)}...` : text;
}

/**
 * `metafield(namespace:, key:)` of a content record: its search engine listing, the global.title_tag
 * and global.description_tag metafields it has (null for any other, as for one it lacks).
 */
function seoMetafields(g: StoreGraph, ordinal: number, times: ContentTimes, seo: { title: string | null; description: string | null }): (args: Args) => Rec | null {
  return (args) => {
    const [k, value] = args['namespace'] !== 'global' ? [-1, null] : args['key'] === 'title_tag' ? [0, seo.title] : args['key'] === 'description_tag' ? [1, seo.description] : [-1, null];
    if (value === null) return null;
    return {
      __typename: 'Metafield',
      id: gid('Metafield', numericId(g.ctx.seed, IDS.Metafield, ordinal * 2 + k)),
      namespace: 'global',
      key: k === 0 ? 'title_tag' : 'description_tag',
      type: k === 0 ? 'single_line_text_field' : 'multi_line_text_field',
      value,
      jsonValue: value,
      createdAt: iso(times.created),
      updatedAt: iso(times.updated),
    };
  };
}

/** Whether it is visible, and when it was or will be published: most are; some are drafts; a few are scheduled after the store's now. */
function publication(rng: Rng, g: StoreGraph, times: ContentTimes): { isPublished: boolean; publishedAt: string | null } {
  const state = rng.weighted([85, 10, 5]);
  if (state === 0) return { isPublished: true, publishedAt: iso(Math.min(times.created + rng.int(2 * DAY), times.updated)) };
  if (state === 1) return { isPublished: false, publishedAt: null };
  return { isPublished: false, publishedAt: iso(g.ctx.timeline.end + DAY + rng.int(14 * DAY)) };
}

// Ordinals of the SEO metafields: pages, blogs and articles apart.
const SEO_ORDINAL = { page: (i: number) => i * 3, blog: (b: number) => b * 3 + 1, article: (i: number) => i * 3 + 2 } as const;

export function pageRecord(g: StoreGraph, i: number): Rec {
  const rng = rngFor(g.ctx.seed, STREAM, i, 1);
  const t = g.ctx.rootTimes('pages', i);
  const times = { created: t.created, updated: t.updated };
  const base = PAGE_TITLES[i % PAGE_TITLES.length]!;
  const title = i < PAGE_TITLES.length ? base : `${base} ${Math.floor(i / PAGE_TITLES.length) + 1}`;
  const body = htmlBody(rng, 1 + rng.int(8));
  return {
    __typename: 'Page',
    id: gid('Page', numericId(g.ctx.seed, IDS.Page, i)),
    title,
    handle: `${slug(title)}${i < PAGE_TITLES.length ? '' : `-${i + 1}`}`,
    body,
    bodySummary: summaryOf(body),
    ...publication(rng, g, times),
    templateSuffix: rng.pick([null, null, null, 'contact', 'faq']),
    createdAt: iso(times.created),
    updatedAt: iso(times.updated),
    metafield: seoMetafields(g, SEO_ORDINAL.page(i), times, {
      title: rng.chance(0.5) ? `${title} | Maple Goods` : null,
      description: rng.chance(0.4) ? summaryOf(body).slice(0, 120) : null,
    }),
  };
}

/** The blog article i is in; null in a store without blogs (then it has no articles). */
export function articleBlog(g: StoreGraph, i: number): number | null {
  const blogs = g.ctx.size.blogs ?? 0;
  if (blogs === 0) return null;
  // Most articles are in the first blog, as in most shops.
  const rng = rngFor(g.ctx.seed, STREAM, i, 2);
  return rng.chance(0.6) ? 0 : rng.int(blogs);
}

function blogTimes(g: StoreGraph, b: number): ContentTimes {
  const rng = rngFor(g.ctx.seed, STREAM, b, 3);
  const { start, end } = g.ctx.timeline;
  const created = start + rng.int(30 * DAY) + b * DAY;
  return { created, updated: created + rng.int(end - created) };
}

/** Articles of the store not deleted, in id order; none in a store without blogs. */
function* liveArticles(g: StoreGraph): Generator<number> {
  if (articleBlog(g, 0) !== null) yield* rootIndexes(g, 'articles', () => true);
}

export function articleRecord(g: StoreGraph, i: number): Rec {
  const rng = rngFor(g.ctx.seed, STREAM, i, 4);
  const t = g.ctx.rootTimes('articles', i);
  const times = { created: t.created, updated: t.updated };
  const base = ARTICLE_TITLES[i % ARTICLE_TITLES.length]!;
  const title = i < ARTICLE_TITLES.length ? base : `${base} (part ${Math.floor(i / ARTICLE_TITLES.length) + 1})`;
  const handle = `${slug(title)}${i < ARTICLE_TITLES.length ? '' : `-${i + 1}`}`;
  const body = htmlBody(rng, 2 + rng.int(10));
  const b = articleBlog(g, i)!;
  return {
    __typename: 'Article',
    id: gid('Article', numericId(g.ctx.seed, IDS.Article, i)),
    title,
    handle,
    author: rng.chance(0.95) ? { __typename: 'ArticleAuthor', name: `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}` } : null,
    blog: () => blogRecord(g, b),
    body,
    summary: rng.chance(0.7) ? `<p>${summaryOf(body).slice(0, 100)}</p>` : null,
    image: rng.chance(0.75) ? { __typename: 'Image', id: gid('ArticleImage', numericId(g.ctx.seed, IDS.Article, i)), url: `https://cdn.shopify.com/s/files/1/0612/articles/${handle}.jpg`, altText: rng.chance(0.7) ? title : null, width: 1600, height: 900 } : null,
    ...publication(rng, g, times),
    tags: rng.some(ARTICLE_TAGS, 3),
    templateSuffix: rng.pick([null, null, null, 'wide']),
    commentsCount: { __typename: 'Count', count: rng.weighted([50, 25, 15, 10]) * rng.range(1, 6), precision: 'EXACT' },
    createdAt: iso(times.created),
    updatedAt: iso(times.updated),
    metafield: seoMetafields(g, SEO_ORDINAL.article(i), times, {
      title: rng.chance(0.5) ? `${title} – Maple Goods Journal` : null,
      description: rng.chance(0.5) ? summaryOf(body).slice(0, 155) : null,
    }),
  };
}

/** The live articles of blog b, in id order (creation order). */
export function articlesOfBlog(g: StoreGraph, b: number): number[] {
  return [...liveArticles(g)].filter((i) => articleBlog(g, i) === b);
}

/** Blog.tags: the tags of the blog's most recent articles (by creation), each once, sorted. */
function blogTags(g: StoreGraph, b: number): string[] {
  const recent = articlesOfBlog(g, b).reverse().slice(0, RECENT_ARTICLES);
  return [...new Set(recent.flatMap((i) => articleRecord(g, i).tags as string[]))].sort();
}

export function blogRecord(g: StoreGraph, b: number): Rec {
  const rng = rngFor(g.ctx.seed, STREAM, b, 5);
  const times = blogTimes(g, b);
  const base = BLOG_TITLES[b % BLOG_TITLES.length]!;
  const title = b < BLOG_TITLES.length ? base : `${base} ${Math.floor(b / BLOG_TITLES.length) + 1}`;
  const handle = `${slug(title)}${b < BLOG_TITLES.length ? '' : `-${b + 1}`}`;
  return {
    __typename: 'Blog',
    id: gid('Blog', numericId(g.ctx.seed, IDS.Blog, b)),
    title,
    handle,
    commentPolicy: rng.pick(['MODERATED', 'MODERATED', 'CLOSED', 'AUTO_PUBLISHED']),
    feed: rng.chance(0.2) ? { __typename: 'BlogFeed', location: `https://feeds.feedburner.example/${handle}`, path: handle } : null,
    tags: () => blogTags(g, b),
    templateSuffix: rng.pick([null, null, 'magazine']),
    createdAt: iso(times.created),
    updatedAt: iso(times.updated),
    metafield: seoMetafields(g, SEO_ORDINAL.blog(b), times, { title: rng.chance(0.5) ? `${title} – Maple Goods` : null, description: null }),
  };
}

export const pagesGenerator: EntityGenerator = {
  root: 'pages',
  // Shopify's pagesCount takes no search filter: it counts every page (the pages' id snapshot reads it).
  mutable: { defaultSize: 8, gidType: 'Page', idBase: IDS.Page, counted: 'whole' },
  nodes: mutableNodes('pages', IDS.Page, pageRecord),
  truth(g, window) {
    const tally = new Tally(['pages']);
    for (const _ of rootIndexes(g, 'pages', (t) => inWindow(window, t.updated))) tally.add('pages');
    return tally.counts;
  },
};

export const articlesGenerator: EntityGenerator = {
  root: 'articles',
  // Shopify has no articlesCount.
  mutable: { defaultSize: 30, gidType: 'Article', idBase: IDS.Article, counted: false },
  *nodes(g, filter) {
    if (articleBlog(g, 0) !== null) yield* mutableNodes('articles', IDS.Article, articleRecord)(g, filter);
  },
  truth(g, window) {
    const tally = new Tally(['articles']);
    for (const _ of rootIndexes(g, 'articles', (t, i) => articleBlog(g, i) !== null && inWindow(window, t.updated))) tally.add('articles');
    return tally.counts;
  },
};

/** Blogs not deleted, in id order. */
function* liveBlogs(g: StoreGraph): Generator<number> {
  for (let b = 0; b < (g.ctx.size.blogs ?? 0); b++) if (!g.ctx.overlay.isDeleted('blogs', b)) yield b;
}

/** Blogs: a snapshot root (few, and each one's tags follow its articles without its updatedAt moving). */
export const blogsGenerator: EntityGenerator = {
  root: 'blogs',
  *nodes(g) {
    for (const b of liveBlogs(g)) yield blogRecord(g, b);
  },
  truth: (g) => ({ blogs: [...liveBlogs(g)].length }),
};
