// What the online store's content entities share (pages.ts, blogs.ts, articles.ts): their scope and
// their search engine listing. Bodies are kept whole, HTML and all: what a content analysis reads
// (length, headings, links), and a shop's content is small beside its orders. The search engine
// listing (seo_title, seo_description) is the global.title_tag and global.description_tag metafields,
// null where the merchant set none (the theme then shows the title and the body's start).
import { str, type ColumnSpec } from '../rows/spec.ts';

/** Scopes: read_content, for which Shopify also accepts read_online_store_pages (src/shopify/scopes.ts). */
export const CONTENT_SCOPES = ['read_content'];

/** The search engine listing: seo_title and seo_description. */
export const seo = (): ColumnSpec[] => [str('seoTitle.value', 'seo_title'), str('seoDescription.value', 'seo_description')];
