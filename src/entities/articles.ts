// Blog articles, read by updated_at windows (the root filters on it; Shopify has no articlesCount, so
// windows are not count-checked). Changes that do not move an article's updatedAt are read with its
// next change: a new comment (comments_count), its search engine listing set through the metafields
// API. An article goes with its blog when the blog is deleted (references).
import { bool, id, int, ref, str, strings, table, ts } from '../rows/spec.ts';
import { CONTENT_SCOPES, seo } from './content.ts';
import { defineEntity } from './define.ts';

const articles = table({
  name: 'articles',
  description: 'One row per blog article; blog_id is its blog (blogs). author is the author\'s name; summary and body are HTML; comments_count is Shopify\'s count when the article was read (a new comment does not move the article\'s updated_at: the count is as fresh as the article\'s last change). seo_title and seo_description are its search engine listing (null: none set).',
  references: { column: 'blog_id', table: 'blogs', onDelete: 'cascade' },
  columns: [
    id(), ref('blog.id', 'blog_id'), str('title'), str('handle'), str('author.name', 'author'), strings('tags'), bool('isPublished'), ts('publishedAt'),
    ts('createdAt'), ts('updatedAt'), str('templateSuffix'), int('commentsCount.count', 'comments_count'), str('commentsCount.precision', 'comments_count_precision'),
    str('image.url', 'image_url'), str('image.altText', 'image_alt_text'), ...seo(), str('summary'), str('body'),
  ],
});

export const articlesEntity = defineEntity({
  name: 'articles',
  scopes: CONTENT_SCOPES,
  sync: 'incremental',
  counted: false,
  tables: [articles],
  routes: { Article: articles },
});
