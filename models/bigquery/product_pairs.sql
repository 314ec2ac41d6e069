-- product_pairs: The products most often bought together: per shop, the --top-pairs pairs of products in the most counted orders.
-- Generated from src/models/definitions.ts by `node scripts/models-sql.ts` (the flags' defaults); do not edit.
-- Reads the current-state views (`shopify-bulk-etl views --dialect bigquery`) in the dataset `analytics`.
CREATE OR REPLACE VIEW `analytics.product_pairs` AS
WITH counted AS (
  SELECT o._shop, o.id, o.customer_id, o.created_at, DATE(o.created_at, COALESCE(tz.timezone, 'UTC')) AS day,
    o.total_price - COALESCE(o.total_refunded, 0) AS spent, o.display_fulfillment_status, o.shipping_address_country, o.shipping_address_province
  FROM `analytics.shopify_orders_current` AS o LEFT JOIN (SELECT _shop, MAX(timezone) AS timezone FROM `analytics.shopify_shop_current` GROUP BY _shop) AS tz ON tz._shop = o._shop
  WHERE NOT COALESCE(o.test, FALSE) AND o.cancelled_at IS NULL
), bought AS (
  SELECT DISTINCT c._shop, c.id AS order_id, li.product_id
  FROM counted AS c JOIN `analytics.shopify_order_line_items_current` AS li ON li._shop = c._shop AND li.order_id = c.id WHERE li.product_id IS NOT NULL
), pairs AS (
  SELECT a._shop, a.product_id AS product_a_id, b.product_id AS product_b_id, COUNT(*) AS orders
  FROM bought AS a JOIN bought AS b ON b._shop = a._shop AND b.order_id = a.order_id AND a.product_id < b.product_id
  GROUP BY a._shop, a.product_id, b.product_id
), ranked AS (
  SELECT pairs.*, ROW_NUMBER() OVER (PARTITION BY _shop ORDER BY orders DESC, product_a_id, product_b_id) AS pair_rank FROM pairs
)
SELECT _shop AS shop, product_a_id, product_b_id, orders, pair_rank FROM ranked WHERE pair_rank <= 100;
