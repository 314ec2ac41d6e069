#!/usr/bin/env bash
# Creates the models as BigQuery views over a gs:// destination: first the current-state views (and the
# external tables they read, as `shopify-bulk-etl views --dialect bigquery` prints them), then each
# models/bigquery/<model>.sql with your dataset in place of `analytics`. Statements are CREATE OR
# REPLACE: run it again after runs that wrote a table for the first time (its external table then exists),
# and after a run that died before its commit is rerun (the views leave out the files the state had
# not committed). The arguments after the dataset go to `views`: the runs' --state (or --shops-file).
#   scripts/bigquery-models.sh gs://my-bucket/shopify my-project.analytics --state gs://my-bucket/state/shopify.db
set -euo pipefail
cd "$(dirname "$0")/.."

DEST=${1:?usage: scripts/bigquery-models.sh gs://bucket/prefix [project.]dataset --state gs://bucket/state.db}
DATASET=${2:?usage: scripts/bigquery-models.sh gs://bucket/prefix [project.]dataset --state gs://bucket/state.db}
shift 2

# The query as an argument, as README "Current state: views" runs it (a multi-statement script).
bq query --use_legacy_sql=false "$(npm start --silent -- views --dialect bigquery --dest "$DEST" --dataset "$DATASET" "$@")"
for model in models/bigquery/*.sql; do
  bq query --use_legacy_sql=false "$(sed "s/\`analytics\./\`${DATASET}./g" "$model")"
done
