-- product_pairs: The products most often bought together: per shop, the --top-pairs pairs of products in the most counted orders.
-- Generated from src/models/definitions.ts by `node scripts/models-sql.ts` (the flags' defaults); do not edit.
-- Reads the current-state views (`shopify-bulk-etl views --dialect bigquery`) in the dataset `analytics`.
CREATE OR REPLACE VIEW `analytics.product_pairs` AS
WITH counted AS (
  SELECT o._shop, o.id, o.customer_id, o.created_at, DATE(o.created_at, COALESCE(tz.timezone, 'UTC')) AS day,
    o.total_price - COALESCE(o.total_refunded, 0) AS spent, o.display_fulfillment_status, o.shipping_address_country, o.shipping_address_province
  FROM `analytics.shopify_orders_current` AS o LEFT JOIN (SELECT _shop, MAX(timezone) AS timezone FROM `analytics.shopify_shop_current` GROUP BY _shop) AS tz ON tz._shop = o._shop
  WHERE NOT COALESCE(o.test, FALSE) AND o.cancelled_at IS NULL
), ledger AS (
  SELECT o._shop, o.id AS order_id, DATE(a.happened_at, COALESCE(tz.timezone, 'UTC')) AS day, s.sale_type, s.action_type, s.quantity, s.line_item_id,
    s.total_amount, COALESCE(s.total_tax_amount, 0) AS tax, COALESCE(s.total_discount_amount_before_taxes, 0) AS discount
  FROM `analytics.shopify_order_sales_current` AS s
  JOIN `analytics.shopify_order_agreements_current` AS a ON a._shop = s._shop AND a.id = s.agreement_id
  JOIN `analytics.shopify_orders_current` AS o ON o._shop = a._shop AND o.id = a.order_id
  LEFT JOIN (SELECT _shop, MAX(timezone) AS timezone FROM `analytics.shopify_shop_current` GROUP BY _shop) AS tz ON tz._shop = o._shop
  WHERE NOT COALESCE(o.test, FALSE)
), line_sales AS (
  SELECT _shop, line_item_id, SUM(CASE WHEN sale_type = 'ProductSale' THEN total_amount - tax ELSE 0 END) AS net,
    -SUM(CASE WHEN sale_type = 'ProductSale' AND action_type = 'RETURN' THEN quantity ELSE 0 END) AS returned, SUM(CASE WHEN action_type <> 'RETURN' THEN quantity ELSE 0 END) AS sold
  FROM ledger WHERE line_item_id IS NOT NULL GROUP BY _shop, line_item_id
), lines AS (
  SELECT c._shop, c.id AS order_id, c.customer_id, c.created_at, li.id AS line_item_id, li.product_id, li.variant_id, li.title, s.sold, s.net, s.returned
  FROM counted AS c JOIN `analytics.shopify_order_line_items_current` AS li ON li._shop = c._shop AND li.order_id = c.id
  LEFT JOIN line_sales AS s ON s._shop = li._shop AND s.line_item_id = li.id
  WHERE s.line_item_id IS NULL OR s.sold > 0
), bought AS (
  SELECT DISTINCT _shop, order_id, product_id FROM lines WHERE product_id IS NOT NULL
), pairs AS (
  SELECT a._shop, a.product_id AS product_a_id, b.product_id AS product_b_id, COUNT(*) AS orders
  FROM bought AS a JOIN bought AS b ON b._shop = a._shop AND b.order_id = a.order_id AND a.product_id < b.product_id
  GROUP BY a._shop, a.product_id, b.product_id
), ranked AS (
  SELECT pairs.*, ROW_NUMBER() OVER (PARTITION BY _shop ORDER BY orders DESC, product_a_id, product_b_id) AS pair_rank FROM pairs
)
SELECT _shop AS shop, product_a_id, product_b_id, orders, pair_rank FROM ranked WHERE pair_rank <= 100;
