#!/usr/bin/env bash
# Deploys the Cloud Run job and its nightly trigger. Read it before running it: it is the walkthrough
# of README "Deploy", as commands. Names match scripts/deploy/cloud-run-job.yaml.
#   scripts/deploy/cloud-run.sh            build, push, secrets, IAM, job, scheduler
set -euo pipefail
cd "$(dirname "$0")/../.."

PROJECT=my-project
REGION=europe-west1
IMAGE=europe-west1-docker.pkg.dev/my-project/etl/shopify-bulk-etl:0.1.0
SA=shopify-bulk-etl@my-project.iam.gserviceaccount.com
INVOKER=shopify-bulk-etl-invoker@my-project.iam.gserviceaccount.com
BUCKET=gs://my-etl-bucket

# 1. The image (Cloud Build; or docker build + docker push).
gcloud builds submit --project "$PROJECT" --tag "$IMAGE" .

# 2. Secrets: the shops file and each shop's credentials (values from files, never on the command line).
gcloud secrets create shopify-bulk-etl-shops --project "$PROJECT" --data-file=scripts/deploy/shops.example.yaml
gcloud secrets create shopify-alpha-token --project "$PROJECT" --data-file=alpha-token.txt
gcloud secrets create shopify-beta-token --project "$PROJECT" --data-file=beta-token.txt
gcloud secrets create shopify-gamma-client-id --project "$PROJECT" --data-file=gamma-client-id.txt
gcloud secrets create shopify-gamma-client-secret --project "$PROJECT" --data-file=gamma-client-secret.txt

# 3. The job's identity: read/write the bucket (objectUser: the state lock overwrites and deletes), read the secrets.
gcloud iam service-accounts create shopify-bulk-etl --project "$PROJECT"
gcloud storage buckets add-iam-policy-binding "$BUCKET" --member "serviceAccount:$SA" --role roles/storage.objectUser
for secret in shopify-bulk-etl-shops shopify-alpha-token shopify-beta-token shopify-gamma-client-id shopify-gamma-client-secret; do
  gcloud secrets add-iam-policy-binding "$secret" --project "$PROJECT" --member "serviceAccount:$SA" --role roles/secretmanager.secretAccessor
done

# 4. The job.
gcloud run jobs replace scripts/deploy/cloud-run-job.yaml --project "$PROJECT" --region "$REGION"

# 5. Nightly at 02:15 UTC: Cloud Scheduler calls the job's :run endpoint as a service account with
#    roles/run.invoker. Scheduler does not prevent overlapping runs; the state lock on GCS does.
gcloud iam service-accounts create shopify-bulk-etl-invoker --project "$PROJECT"
gcloud run jobs add-iam-policy-binding shopify-bulk-etl --project "$PROJECT" --region "$REGION" --member "serviceAccount:$INVOKER" --role roles/run.invoker
gcloud scheduler jobs create http shopify-bulk-etl-nightly --project "$PROJECT" --location "$REGION" \
  --schedule "15 2 * * *" --time-zone "Etc/UTC" \
  --http-method POST \
  --uri "https://run.googleapis.com/v2/projects/$PROJECT/locations/$REGION/jobs/shopify-bulk-etl:run" \
  --oauth-service-account-email "$INVOKER"
