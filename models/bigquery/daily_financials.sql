-- daily_financials: Per day (shop time): Shopify's sales figures from the ledger, refunds, Shopify Payments payouts and fees, and the orders' own totals to reconcile against.
-- Generated from src/models/definitions.ts by `node scripts/models-sql.ts` (the flags' defaults); do not edit.
-- Reads the current-state views (`shopify-bulk-etl views --dialect bigquery`) in the dataset `analytics`.
CREATE OR REPLACE VIEW `analytics.daily_financials` AS
WITH ledger AS (
  SELECT o._shop, o.id AS order_id, DATE(a.happened_at, COALESCE(tz.timezone, 'UTC')) AS day, s.sale_type, s.action_type, s.quantity, s.line_item_id,
    s.total_amount, COALESCE(s.total_tax_amount, 0) AS tax, COALESCE(s.total_discount_amount_before_taxes, 0) AS discount
  FROM `analytics.shopify_order_sales_current` AS s
  JOIN `analytics.shopify_order_agreements_current` AS a ON a._shop = s._shop AND a.id = s.agreement_id
  JOIN `analytics.shopify_orders_current` AS o ON o._shop = a._shop AND o.id = a.order_id
  LEFT JOIN (SELECT _shop, MAX(timezone) AS timezone FROM `analytics.shopify_shop_current` GROUP BY _shop) AS tz ON tz._shop = o._shop
  WHERE NOT COALESCE(o.test, FALSE)
), edited AS (
  SELECT _shop, order_id, MAX(happened_at) AS edited_at FROM `analytics.shopify_order_agreements_current` WHERE agreement_type = 'OrderEditAgreement' GROUP BY _shop, order_id
), ledgered AS (
  SELECT shop FROM `analytics.shopify__committed_files` WHERE table_name IN ('orders', 'order_sales') GROUP BY shop
  HAVING MAX(CASE WHEN table_name = 'order_sales' THEN run_id END) >= MAX(CASE WHEN table_name = 'orders' THEN run_id END)
), paid_out AS (
  SELECT DISTINCT shop FROM `analytics.shopify__committed_files` WHERE table_name = 'payouts'
), charged AS (
  SELECT DISTINCT shop FROM `analytics.shopify__committed_files` WHERE table_name = 'balance_transactions'
), facts AS (
  SELECT _shop, day, CASE WHEN sale_type = 'ProductSale' AND action_type <> 'RETURN' THEN total_amount - tax + discount ELSE 0 END AS gross, CASE WHEN sale_type = 'ProductSale' THEN -discount ELSE 0 END AS discounts, CASE WHEN sale_type = 'ProductSale' AND action_type = 'RETURN' THEN total_amount - tax + discount WHEN sale_type = 'AdjustmentSale' THEN total_amount - tax ELSE 0 END AS returns, CASE WHEN sale_type IN ('ProductSale', 'AdjustmentSale') THEN total_amount - tax ELSE 0 END AS net, CASE WHEN sale_type = 'ShippingLineSale' THEN total_amount - tax ELSE 0 END AS shipping, CASE WHEN sale_type NOT IN ('ProductSale', 'AdjustmentSale', 'ShippingLineSale') THEN total_amount - tax ELSE 0 END AS other, tax AS taxes, total_amount AS total, 0 AS refunds, 0 AS payouts, 0 AS fees, 0 AS orders_total FROM ledger
  UNION ALL SELECT o._shop, DATE(o.created_at, COALESCE(tz.timezone, 'UTC')), 0 AS gross, 0 AS discounts, 0 AS returns, 0 AS net, 0 AS shipping, 0 AS other, 0 AS taxes, 0 AS total, 0 AS refunds, 0 AS payouts, 0 AS fees, CASE WHEN e.order_id IS NULL THEN o.total_price ELSE COALESCE(o.original_total_price, o.total_price) END AS orders_total
  FROM `analytics.shopify_orders_current` AS o LEFT JOIN edited AS e ON e._shop = o._shop AND e.order_id = o.id
  LEFT JOIN (SELECT _shop, MAX(timezone) AS timezone FROM `analytics.shopify_shop_current` GROUP BY _shop) AS tz ON tz._shop = o._shop WHERE NOT COALESCE(o.test, FALSE)
  UNION ALL SELECT o._shop, DATE(e.edited_at, COALESCE(tz.timezone, 'UTC')), 0 AS gross, 0 AS discounts, 0 AS returns, 0 AS net, 0 AS shipping, 0 AS other, 0 AS taxes, 0 AS total, 0 AS refunds, 0 AS payouts, 0 AS fees, o.total_price - COALESCE(o.original_total_price, o.total_price) AS orders_total
  FROM edited AS e JOIN `analytics.shopify_orders_current` AS o ON o._shop = e._shop AND o.id = e.order_id
  LEFT JOIN (SELECT _shop, MAX(timezone) AS timezone FROM `analytics.shopify_shop_current` GROUP BY _shop) AS tz ON tz._shop = o._shop WHERE NOT COALESCE(o.test, FALSE)
  UNION ALL SELECT o._shop, DATE(COALESCE(r.processed_at, r.created_at), COALESCE(tz.timezone, 'UTC')), 0 AS gross, 0 AS discounts, 0 AS returns, 0 AS net, 0 AS shipping, 0 AS other, 0 AS taxes, 0 AS total, r.total_refunded AS refunds, 0 AS payouts, 0 AS fees, -r.total_refunded AS orders_total
  FROM `analytics.shopify_order_refunds_current` AS r JOIN `analytics.shopify_orders_current` AS o ON o._shop = r._shop AND o.id = r.order_id
  LEFT JOIN (SELECT _shop, MAX(timezone) AS timezone FROM `analytics.shopify_shop_current` GROUP BY _shop) AS tz ON tz._shop = o._shop WHERE NOT COALESCE(o.test, FALSE)
  UNION ALL SELECT p._shop, DATE(p.issued_at, COALESCE(tz.timezone, 'UTC')), 0 AS gross, 0 AS discounts, 0 AS returns, 0 AS net, 0 AS shipping, 0 AS other, 0 AS taxes, 0 AS total, 0 AS refunds, CASE WHEN p.transaction_type = 'WITHDRAWAL' THEN -p.net ELSE p.net END AS payouts, 0 AS fees, 0 AS orders_total
  FROM `analytics.shopify_payouts_current` AS p LEFT JOIN (SELECT _shop, MAX(timezone) AS timezone FROM `analytics.shopify_shop_current` GROUP BY _shop) AS tz ON tz._shop = p._shop
  UNION ALL SELECT b._shop, DATE(b.transaction_date, COALESCE(tz.timezone, 'UTC')), 0 AS gross, 0 AS discounts, 0 AS returns, 0 AS net, 0 AS shipping, 0 AS other, 0 AS taxes, 0 AS total, 0 AS refunds, 0 AS payouts, b.fee AS fees, 0 AS orders_total
  FROM `analytics.shopify_balance_transactions_current` AS b LEFT JOIN (SELECT _shop, MAX(timezone) AS timezone FROM `analytics.shopify_shop_current` GROUP BY _shop) AS tz ON tz._shop = b._shop
)
SELECT f._shop AS shop, f.day,
  CASE WHEN lg.shop IS NULL THEN NULL ELSE ROUND(SUM(f.gross), 2) END AS gross_sales, CASE WHEN lg.shop IS NULL THEN NULL ELSE ROUND(SUM(f.discounts), 2) END AS discounts, CASE WHEN lg.shop IS NULL THEN NULL ELSE ROUND(SUM(f.returns), 2) END AS returns,
  CASE WHEN lg.shop IS NULL THEN NULL ELSE ROUND(SUM(f.net), 2) END AS net_sales, CASE WHEN lg.shop IS NULL THEN NULL ELSE ROUND(SUM(f.shipping), 2) END AS shipping, CASE WHEN lg.shop IS NULL THEN NULL ELSE ROUND(SUM(f.other), 2) END AS other_sales,
  CASE WHEN lg.shop IS NULL THEN NULL ELSE ROUND(SUM(f.taxes), 2) END AS taxes, CASE WHEN lg.shop IS NULL THEN NULL ELSE ROUND(SUM(f.total), 2) END AS total_sales,
  ROUND(SUM(f.refunds), 2) AS refunds, CASE WHEN po.shop IS NULL THEN NULL ELSE ROUND(SUM(f.payouts), 2) END AS payouts,
  CASE WHEN ch.shop IS NULL THEN NULL ELSE ROUND(SUM(f.fees), 2) END AS fees, ROUND(SUM(f.orders_total), 2) AS orders_total,
  CASE WHEN lg.shop IS NULL THEN NULL ELSE ROUND(SUM(f.total) - SUM(f.orders_total), 2) END AS difference
FROM facts AS f LEFT JOIN ledgered AS lg ON lg.shop = f._shop LEFT JOIN paid_out AS po ON po.shop = f._shop LEFT JOIN charged AS ch ON ch.shop = f._shop
GROUP BY f._shop, f.day, lg.shop, po.shop, ch.shop;
