// The online store's pages, read by updated_at windows (the root filters on it). Shopify's pagesCount
// takes no filter, so a window's pages are not count-checked; the pages' id snapshot, which reads them
// all, is (deletes: src/sync/deletes/). A change that does not move a page's
// updatedAt is read with its next change: its search engine listing set through the metafields API
// rather than the page editor, a translation.
import { bool, id, str, table, ts } from '../rows/spec.ts';
import { CONTENT_SCOPES, seo } from './content.ts';
import { defineEntity } from './define.ts';

const pages = table({
  name: 'pages',
  description: 'One row per online store page. is_published false with a published_at ahead: scheduled. body is the page\'s HTML; body_summary its first 150 characters as text. seo_title and seo_description are its search engine listing (null: none set).',
  columns: [
    id(), str('title'), str('handle'), bool('isPublished'), ts('publishedAt'), ts('createdAt'), ts('updatedAt'), str('templateSuffix'), ...seo(),
    str('bodySummary'), str('body'),
  ],
});

export const pagesEntity = defineEntity({
  name: 'pages',
  scopes: CONTENT_SCOPES,
  sync: 'incremental',
  counted: 'whole',
  tables: [pages],
  routes: { Page: pages },
});
