// The online store's blogs, read whole every run: a shop has a few, and a blog's tags (those of its
// recent articles) change without its updatedAt moving, which Shopify may also leave null.
import { id, str, strings, table, ts } from '../rows/spec.ts';
import { CONTENT_SCOPES, seo } from './content.ts';
import { defineEntity } from './define.ts';

const blogs = table({
  name: 'blogs',
  description: 'One row per blog of the online store (full snapshot each run). tags are those of its 200 most recent articles; comment_policy is AUTO_PUBLISHED, MODERATED or CLOSED.',
  columns: [
    id(), str('title'), str('handle'), str('commentPolicy'), strings('tags'), str('templateSuffix'), str('feed.location', 'feed_location'), str('feed.path', 'feed_path'),
    ts('createdAt'), ts('updatedAt'), ...seo(),
  ],
});

export const blogsEntity = defineEntity({
  name: 'blogs',
  scopes: CONTENT_SCOPES,
  sync: 'snapshot',
  tables: [blogs],
  routes: { Blog: blogs },
});
