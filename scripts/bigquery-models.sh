#!/usr/bin/env bash
# Creates the models as BigQuery views over a gs:// destination: first the current-state views (and the
# external tables they read, as `shopify-bulk-etl views --dialect bigquery` prints them), then each
# models/bigquery/<model>.sql with your dataset in place of `analytics`. Statements are CREATE OR
# REPLACE: run it again after runs that wrote a table for the first time (its external table then exists).
#   scripts/bigquery-models.sh gs://my-bucket/shopify my-project.analytics
set -euo pipefail
cd "$(dirname "$0")/.."

DEST=${1:?usage: scripts/bigquery-models.sh gs://bucket/prefix [project.]dataset}
DATASET=${2:?usage: scripts/bigquery-models.sh gs://bucket/prefix [project.]dataset}

npm start --silent -- views --dialect bigquery --dest "$DEST" --dataset "$DATASET" > "${TMPDIR:-/tmp}/shopify-views.sql"
bq query --use_legacy_sql=false < "${TMPDIR:-/tmp}/shopify-views.sql"
for model in models/bigquery/*.sql; do
  sed "s/\`analytics\./\`${DATASET}./g" "$model" | bq query --use_legacy_sql=false
done
