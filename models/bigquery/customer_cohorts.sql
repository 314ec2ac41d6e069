-- customer_cohorts: Monthly cohorts by first counted order (shop time): per cohort and months since, how many of its customers ordered again that month.
-- Generated from src/models/definitions.ts by `node scripts/models-sql.ts` (the flags' defaults); do not edit.
-- Reads the current-state views (`shopify-bulk-etl views --dialect bigquery`) in the dataset `analytics`.
CREATE OR REPLACE VIEW `analytics.customer_cohorts` AS
WITH counted AS (
  SELECT o._shop, o.id, o.customer_id, o.created_at, DATE(o.created_at, COALESCE(tz.timezone, 'UTC')) AS day,
    o.total_price - COALESCE(o.total_refunded, 0) AS spent, o.display_fulfillment_status, o.shipping_address_country, o.shipping_address_province
  FROM `analytics.shopify_orders_current` AS o LEFT JOIN (SELECT _shop, MAX(timezone) AS timezone FROM `analytics.shopify_shop_current` GROUP BY _shop) AS tz ON tz._shop = o._shop
  WHERE NOT COALESCE(o.test, FALSE) AND o.cancelled_at IS NULL
), active AS (
  SELECT DISTINCT _shop, customer_id, DATE_TRUNC(day, MONTH) AS order_month FROM counted WHERE customer_id IS NOT NULL
), firsts AS (
  SELECT _shop, customer_id, MIN(order_month) AS cohort_month FROM active GROUP BY _shop, customer_id
), sizes AS (
  SELECT _shop, cohort_month, COUNT(*) AS customers FROM firsts GROUP BY _shop, cohort_month
)
SELECT f._shop AS shop, f.cohort_month, DATE_DIFF(a.order_month, f.cohort_month, MONTH) AS month_offset, s.customers, COUNT(*) AS retained,
  CAST(COUNT(*) AS FLOAT64) / NULLIF(s.customers, 0) AS retention_rate
FROM firsts AS f
JOIN active AS a ON a._shop = f._shop AND a.customer_id = f.customer_id
JOIN sizes AS s ON s._shop = f._shop AND s.cohort_month = f.cohort_month
GROUP BY f._shop, f.cohort_month, a.order_month, s.customers;
