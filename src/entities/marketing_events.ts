// Marketing events: the campaigns marketing apps report to Shopify, what orders' UTM parameters
// attribute to. A snapshot: the root filters on started_at only (no updated_at), and an event changes
// after it starts (it ends, is rescheduled, its parameters corrected). A shop has tens or hundreds.
// The GraphQL Admin API gives an event no budget (the REST resource had one): the budget lives on
// the marketing activity, which this job does not read.
import { id, ref, str, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const marketingEvents = table({
  name: 'marketing_events',
  description: 'One row per marketing event (full snapshot each run): the tactic (type: AD, NEWSLETTER, RETARGETING, …), the channel (marketing_channel_type: SEARCH, SOCIAL, EMAIL, …), its UTM campaign, medium and source, when it started, ended or is scheduled to end, and the app that reported it (app_id, app_title). remote_id is the app\'s own id of the campaign.',
  columns: [
    id(), str('type'), str('remoteId'), str('description'), ts('startedAt'), ts('endedAt'), ts('scheduledToEndAt'), str('utmCampaign'), str('utmMedium'), str('utmSource'),
    str('sourceAndMedium'), str('marketingChannelType'), str('channelHandle'), ref('app.id', 'app_id'), str('app.title', 'app_title'), str('manageUrl'), str('previewUrl'),
  ],
});

export const marketingEventsEntity = defineEntity({
  name: 'marketing_events',
  scopes: ['read_marketing_events'],
  sync: 'snapshot',
  tables: [marketingEvents],
  routes: { MarketingEvent: marketingEvents },
});
