# shopify-bulk-etl: a batch job image for Cloud Run jobs and Kubernetes (CronJob, Indexed Job).
#   docker build -t shopify-bulk-etl .
#   docker run --rm shopify-bulk-etl --sandbox      # the whole job against the simulated store (packages/shopify-sandbox)
#   docker run --rm shopify-bulk-etl --help
# scripts/docker-replay.ts replays this file's COPY and RUN steps without Docker (CI runs it), so keep
# COPY sources as plain paths in the build context and RUN steps runnable from the project root.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# The toolchain builds packages/isal-deflate's binding against ISA-L's headers (libisal-dev), and
# better-sqlite3 on platforms without its linux-x64/arm64 glibc prebuild.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ libisal-dev \
 && rm -rf /var/lib/apt/lists/*
# The workspaces come first, so npm ci links node_modules/shopify-sandbox and builds isal-deflate.
COPY package.json package-lock.json ./
COPY packages/shopify-sandbox/package.json ./packages/shopify-sandbox/
COPY packages/isal-deflate ./packages/isal-deflate
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# tini as PID 1: Node does not reap zombies or get default signal handling as PID 1, and neither
# Cloud Run nor Kubernetes offers `docker run --init`. libisal2: ISA-L, which compresses the gzip parts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini libisal2 \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
# Code is root-owned and read-only to the job; only /app/data (default --dest, --state and staging)
# is the job's to write. Kubernetes mounts a volume there when the root filesystem is read-only.
COPY package.json ./
COPY queries ./queries
# `--sandbox` starts the shopify-sandbox package's bin as a child process (node_modules/shopify-sandbox
# links here). It is not compiled: Node 24 strips its types, which it does outside node_modules.
COPY packages/shopify-sandbox ./packages/shopify-sandbox
# node_modules/isal-deflate links here: the binding as the build stage compiled it.
COPY --from=build /app/packages/isal-deflate ./packages/isal-deflate
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown 1000:1000 /app/data
# uid 1000 is the image's `node` user; numeric so Kubernetes runAsNonRoot can verify it.
USER 1000
# The program sets its own node flags (src/cli/node-flags.ts), so the entrypoint names none.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/main.js"]
