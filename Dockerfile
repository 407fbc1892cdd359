# syntax=docker/dockerfile:1
# One image for every role; the command picks it: `all` (default), `api`, `worker`, `dashboards`, `migrate`, ...

FROM node:24-slim AS build
WORKDIR /app
# zstd-napi builds its native addon from source: it needs a compiler and Python for node-gyp.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
COPY test/support ./test/support
RUN npx tsc -p tsconfig.build.json

FROM node:24-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    STORAGE_DIR=/data/blobs \
    TEMP_DIR=/tmp
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY migrations ./migrations
RUN mkdir -p /data/blobs && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8000
ENTRYPOINT ["node", "dist/src/main/cli.js"]
CMD ["all"]
