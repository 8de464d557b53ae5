# syntax=docker/dockerfile:1
# Multi-arch image (linux/amd64, linux/arm64 — Kunpeng / Phytium nodes run the arm64 variant):
#   docker buildx build --platform linux/amd64,linux/arm64 -t yunshu:0.1.0 .
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# Toolchain for better-sqlite3 when no prebuilt binary matches the platform.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# npm install, not npm ci: see .ci/run (the lock lacks optional binaries some registries do not serve).
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=8080 \
    YUNSHU_DATA_DIR=/var/lib/yunshu \
    TZ=Asia/Shanghai
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/playbooks ./playbooks
RUN mkdir -p /var/lib/yunshu && chown node:node /var/lib/yunshu
USER node
EXPOSE 8080
VOLUME ["/var/lib/yunshu"]
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/server/main.js"]
