-- product_performance: One row per product and variant sold in a counted order: units sold and net revenue from the ledger, orders, customers, the share of units returned, first and last sale.
-- Generated from src/models/definitions.ts by `node scripts/models-sql.ts` (the flags' defaults); do not edit.
-- Reads the current-state views (`shopify-bulk-etl views --dialect bigquery`) in the dataset `analytics`.
CREATE OR REPLACE VIEW `analytics.product_performance` AS
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
), ledgered AS (
  SELECT shop FROM `analytics.shopify__committed_files` WHERE table_name IN ('orders', 'order_sales') GROUP BY shop
  HAVING MAX(CASE WHEN table_name = 'order_sales' THEN run_id END) >= MAX(CASE WHEN table_name = 'orders' THEN run_id END)
)
SELECT l._shop AS shop, l.product_id, l.variant_id, MAX(l.title) AS title, CASE WHEN lg.shop IS NULL THEN NULL ELSE COALESCE(SUM(l.sold), 0) END AS units_sold,
  CASE WHEN lg.shop IS NULL THEN NULL ELSE ROUND(COALESCE(SUM(l.net), 0), 2) END AS net_revenue,
  COUNT(DISTINCT l.order_id) AS orders, COUNT(DISTINCT l.customer_id) AS customers,
  CASE WHEN lg.shop IS NULL THEN NULL ELSE CAST(COALESCE(SUM(l.returned), 0) AS FLOAT64) / NULLIF(COALESCE(SUM(l.sold), 0), 0) END AS refund_rate,
  MIN(l.created_at) AS first_sale_at, MAX(l.created_at) AS last_sale_at
FROM lines AS l
LEFT JOIN ledgered AS lg ON lg.shop = l._shop
GROUP BY l._shop, l.product_id, l.variant_id, lg.shop;
