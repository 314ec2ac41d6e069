// The second query of orders (queries/orders_details.graphql): what happens to an order after it is
// placed, how the customer came to it and how risky it looked. Its own query because the first
// already reads four of the five connections a bulk query may hold (docs/shopify-bulk-api.md#bulk-query-rules).
import { bool, id, int, parentId, position, records, ref, str, table, ts, type ColumnSpec } from '../rows/spec.ts';

/** A customer visit (first or last) of the journey summary, flattened under `prefix`. */
function visit(path: string, prefix: string): ColumnSpec[] {
  const at = `customerJourneySummary.${path}`;
  return [
    ref(`${at}.id`, `${prefix}_id`), ts(`${at}.occurredAt`, `${prefix}_occurred_at`), str(`${at}.source`, `${prefix}_source`), str(`${at}.sourceType`, `${prefix}_source_type`),
    str(`${at}.referrerUrl`, `${prefix}_referrer_url`), str(`${at}.landingPage`, `${prefix}_landing_page`),
    ...['campaign', 'content', 'medium', 'source', 'term'].map((k) => str(`${at}.utmParameters.${k}`, `${prefix}_utm_${k}`)),
  ];
}

// The query's root line: one row per order (id and updated_at are the order's), and the parent of the
// query's child lines, which come with it from one operation, as the order's own children come with
// the orders row (the current-state views match a child to its parent's copy by operation).
// Assessments have no id: an order's are keyed by their place in its list, which it replaces whole
// whenever the order is read again. Facts (at most 20 an assessment, no id, meaningless apart from it)
// stay in their assessment's row as a REPEATED RECORD rather than a table of their own.
const risks = table({
  name: 'order_risks',
  description: 'One row per risk assessment of an order (Order.risk.assessments), keyed by (order_id, position): risk_level (LOW, MEDIUM, HIGH, NONE, PENDING), who assessed it (provider_app_id and provider_title null: Shopify\'s own fraud analysis; else the fraud app\'s), and the facts behind it (a REPEATED RECORD). The recommendation Shopify draws from them all is order_attribution.risk_recommendation.',
  parent: { column: 'order_id', table: 'order_attribution' },
  key: ['order_id', 'position'],
  columns: [
    parentId('order_id'), position(), str('riskLevel'), ref('provider.id', 'provider_app_id'), str('provider.title', 'provider_title'),
    records('facts', 'facts', [str('description'), str('sentiment')], 'The facts behind the assessment: description (Shopify truncates it at 256 characters) and sentiment (NEGATIVE raises the risk, POSITIVE lowers it, NEUTRAL neither)'),
  ],
});

const attribution = table({
  name: 'order_attribution',
  description: 'One row per order, id being the order\'s: how the customer came to it (Order.customerJourneySummary: first and last visit, their source and UTM parameters, moments counted), and the action Shopify recommends from its risk assessments (risk_recommendation: ACCEPT, INVESTIGATE, CANCEL or NONE). The journey columns are null where Shopify has none (point-of-sale orders, or not yet ready). Parent of order_agreements, returns and order_risks, which come with it from the same bulk query.',
  inline: [{ key: 'risk.assessments', table: risks }],
  columns: [
    id(), ts('updatedAt'), bool('customerJourneySummary.ready', 'ready'), int('customerJourneySummary.customerOrderIndex', 'customer_order_index'),
    int('customerJourneySummary.daysToConversion', 'days_to_conversion'), int('customerJourneySummary.momentsCount.count', 'moments_count'), str('customerJourneySummary.momentsCount.precision', 'moments_count_precision'),
    ...visit('firstVisit', 'first_visit'), ...visit('lastVisit', 'last_visit'), str('risk.recommendation', 'risk_recommendation'),
  ],
});

const agreements = table({
  name: 'order_agreements',
  description: 'One row per sales agreement of an order (Order.agreements): the order itself, each edit, refund and return, as Shopify\'s sales ledger records them. agreement_type is OrderAgreement, OrderEditAgreement, RefundAgreement or ReturnAgreement; refund_id and return_id link the last two. Their sales (a connection below them) are deeper than a bulk query reaches.',
  parent: { column: 'order_id', table: 'order_attribution' },
  columns: [
    id(), parentId('order_id'), str('__typename', 'agreement_type'), str('reason'), ts('happenedAt'), ref('app.id', 'app_id'), ref('user.id', 'user_id'),
    ref('refund.id', 'refund_id'), ref('return.id', 'return_id'),
  ],
});

const returns = table({
  name: 'returns',
  description: 'One row per return of an order (Order.returns): status, quantities, when it was requested, approved and closed, and why it was declined.',
  parent: { column: 'order_id', table: 'order_attribution' },
  columns: [
    id(), parentId('order_id'), str('name'), str('status'), ts('createdAt'), ts('requestApprovedAt'), ts('closedAt'), int('totalQuantity'),
    str('decline.reason', 'decline_reason'), str('decline.note', 'decline_note'),
  ],
});

export const ordersDetails = {
  query: 'orders_details',
  tables: [attribution, agreements, returns, risks],
  routes: {
    Order: attribution,
    OrderAgreement: agreements,
    OrderEditAgreement: agreements,
    RefundAgreement: agreements,
    ReturnAgreement: agreements,
    Return: returns,
  },
};
