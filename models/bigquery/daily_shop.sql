-- daily_shop: Per day (shop time): counted orders placed, their customers and how many ordered for the first time, and units sold, gross and net sales from the ledger.
-- Generated from src/models/definitions.ts by `node scripts/models-sql.ts` (the flags' defaults); do not edit.
-- Reads the current-state views (`shopify-bulk-etl views --dialect bigquery`) in the dataset `analytics`.
CREATE OR REPLACE VIEW `analytics.daily_shop` AS
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
), ledgered AS (
  SELECT shop FROM `analytics.shopify__committed_files` WHERE table_name IN ('orders', 'order_sales') GROUP BY shop
  HAVING MAX(CASE WHEN table_name = 'order_sales' THEN run_id END) >= MAX(CASE WHEN table_name = 'orders' THEN run_id END)
), firsts AS (
  SELECT _shop, customer_id, MIN(day) AS day FROM counted WHERE customer_id IS NOT NULL GROUP BY _shop, customer_id
), facts AS (
  SELECT c._shop, c.day, c.id AS order_id, c.customer_id, CASE WHEN n.day = c.day THEN c.customer_id END AS new_customer_id, 0 AS units, 0 AS gross, 0 AS net
  FROM counted AS c LEFT JOIN firsts AS n ON n._shop = c._shop AND n.customer_id = c.customer_id
  UNION ALL SELECT c._shop, c.day, NULL, NULL, NULL, l.quantity, 0, 0 FROM counted AS c JOIN ledger AS l ON l._shop = c._shop AND l.order_id = c.id
  JOIN `analytics.shopify_order_line_items_current` AS li ON li._shop = l._shop AND li.order_id = c.id AND li.id = l.line_item_id WHERE l.action_type <> 'RETURN'
  UNION ALL SELECT _shop, day, NULL, NULL, NULL, 0, CASE WHEN sale_type = 'ProductSale' AND action_type <> 'RETURN' THEN total_amount - tax + discount ELSE 0 END, CASE WHEN sale_type IN ('ProductSale', 'AdjustmentSale') THEN total_amount - tax ELSE 0 END FROM ledger
)
SELECT f._shop AS shop, f.day, COUNT(DISTINCT f.order_id) AS orders, COUNT(DISTINCT f.customer_id) AS customers, COUNT(DISTINCT f.new_customer_id) AS new_customers,
  CASE WHEN lg.shop IS NULL THEN NULL ELSE SUM(f.units) END AS units, CASE WHEN lg.shop IS NULL THEN NULL ELSE ROUND(SUM(f.gross), 2) END AS gross_sales, CASE WHEN lg.shop IS NULL THEN NULL ELSE ROUND(SUM(f.net), 2) END AS net_sales
FROM facts AS f LEFT JOIN ledgered AS lg ON lg.shop = f._shop
GROUP BY f._shop, f.day, lg.shop;
