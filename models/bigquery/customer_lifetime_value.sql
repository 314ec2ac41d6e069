-- customer_lifetime_value: One row per customer with a counted order: orders, what they spent, average order value, first and last order, days since the last, and a segment.
-- Generated from src/models/definitions.ts by `node scripts/models-sql.ts` (the flags' defaults); do not edit.
-- Reads the current-state views (`shopify-bulk-etl views --dialect bigquery`) in the dataset `analytics`.
CREATE OR REPLACE VIEW `analytics.customer_lifetime_value` AS
WITH counted AS (
  SELECT o._shop, o.id, o.customer_id, o.created_at, DATE(o.created_at, COALESCE(tz.timezone, 'UTC')) AS day,
    o.total_price - COALESCE(o.total_refunded, 0) AS spent, o.display_fulfillment_status, o.shipping_address_country, o.shipping_address_province
  FROM `analytics.shopify_orders_current` AS o LEFT JOIN (SELECT _shop, MAX(timezone) AS timezone FROM `analytics.shopify_shop_current` GROUP BY _shop) AS tz ON tz._shop = o._shop
  WHERE NOT COALESCE(o.test, FALSE) AND o.cancelled_at IS NULL
), per AS (
  SELECT _shop, customer_id, COUNT(*) AS orders, SUM(spent) AS spent, MIN(created_at) AS first_order_at, MAX(created_at) AS last_order_at
  FROM counted WHERE customer_id IS NOT NULL GROUP BY _shop, customer_id
), as_of AS (
  SELECT _shop, MAX(_extracted_at) AS extracted_at FROM `analytics.shopify_orders_current` GROUP BY _shop
)
SELECT per._shop AS shop, per.customer_id, per.orders, ROUND(per.spent, 2) AS total_spent, ROUND(per.spent / per.orders, 2) AS average_order_value,
  per.first_order_at, per.last_order_at, DIV(TIMESTAMP_DIFF(as_of.extracted_at, per.last_order_at, SECOND), 86400) AS days_since_last_order,
  CASE WHEN spent >= 1000 AND orders >= 10 THEN 'VIP' WHEN spent >= 500 AND orders >= 5 THEN 'Loyal' WHEN orders >= 3 THEN 'Regular' WHEN orders = 1 THEN 'One-time' ELSE 'Emerging' END AS segment
FROM per JOIN as_of ON as_of._shop = per._shop;
