# syntax=docker/dockerfile:1
# The csn-rt load generator as a container image: one image runs every
# scenario, a shard of one (`simulate --shard i/N`, see deploy/k8s/) or the
# embedded backend (`serve`). Build from the repository root:
#
#   docker build -t registry.example.com/csn-rt:0.1.0 .
#
# The CLI is TypeScript run through tsx (bin/csn-rt), so there is no build
# step, and tsx — a devDependency — must be installed: `npm ci` installs
# dev dependencies too (do not set NODE_ENV=production before it).

FROM node:20-bookworm-slim AS dependencies
WORKDIR /app
# better-sqlite3 (the embedded backend's --data) downloads a prebuilt binary
# for Node 20 on linux-x64/arm64; the compilers are the fallback when none fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY convex ./convex
# The official image's unprivileged user. Reports go wherever --report points
# (in Kubernetes an emptyDir at /tmp); the signing key is mounted, never baked in.
USER node
ENTRYPOINT ["node", "bin/csn-rt"]
CMD ["--help"]
