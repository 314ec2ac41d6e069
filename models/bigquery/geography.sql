-- geography: Per country and province of the shipping address (null: none): counted orders, customers, revenue, average order value, how many were fulfilled and how fast.
-- Generated from src/models/definitions.ts by `node scripts/models-sql.ts` (the flags' defaults); do not edit.
-- Reads the current-state views (`shopify-bulk-etl views --dialect bigquery`) in the dataset `analytics`.
CREATE OR REPLACE VIEW `analytics.geography` AS
WITH counted AS (
  SELECT o._shop, o.id, o.customer_id, o.created_at, DATE(o.created_at, COALESCE(tz.timezone, 'UTC')) AS day,
    o.total_price - COALESCE(o.total_refunded, 0) AS spent, o.display_fulfillment_status, o.shipping_address_country, o.shipping_address_province
  FROM `analytics.shopify_orders_current` AS o LEFT JOIN (SELECT _shop, MAX(timezone) AS timezone FROM `analytics.shopify_shop_current` GROUP BY _shop) AS tz ON tz._shop = o._shop
  WHERE NOT COALESCE(o.test, FALSE) AND o.cancelled_at IS NULL
), fulfilled AS (
  SELECT _shop, order_id, MIN(created_at) AS fulfilled_at FROM `analytics.shopify_order_fulfillments_current` GROUP BY _shop, order_id
)
SELECT c._shop AS shop, c.shipping_address_country AS country, c.shipping_address_province AS province,
  COUNT(*) AS orders, COUNT(DISTINCT c.customer_id) AS customers, ROUND(SUM(c.spent), 2) AS revenue, ROUND(SUM(c.spent) / COUNT(*), 2) AS average_order_value,
  CAST(SUM(CASE WHEN c.display_fulfillment_status = 'FULFILLED' THEN 1 ELSE 0 END) AS FLOAT64) / NULLIF(COUNT(*), 0) AS fulfilment_rate,
  AVG(CASE WHEN c.display_fulfillment_status = 'FULFILLED' THEN TIMESTAMP_DIFF(f.fulfilled_at, c.created_at, SECOND) END) / 3600 AS avg_hours_to_fulfil
FROM counted AS c LEFT JOIN fulfilled AS f ON f._shop = c._shop AND f.order_id = c.id
GROUP BY c._shop, c.shipping_address_country, c.shipping_address_province;
