# syntax=docker/dockerfile:1
# user-service: NestJS on Fastify. Untested here (no Docker engine on the build machine).
# Node.js 24 LTS, the version in .nvmrc: CI runs the whole test suite on that exact version too.
# Runs as the image's `node` user (uid 1000) and writes nothing outside /tmp, so it runs with a
# read-only root filesystem (deploy/base/deployment.yaml).

FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts stay off, as locally (npm 11 runs none but bcrypt's): bcrypt 6 loads its prebuilt binary.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24.22.3-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=8001
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY vendor ./vendor
USER node
EXPOSE 8001
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8001)+'/health/live').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# The old generation capped at 128 MB: live data is ~60 MB under load, and V8 otherwise lets garbage
# grow the heap towards its default limit (RSS ~240 MB under load, ~160 MB with the cap, 4–7 % fewer
# requests per second; bench/README.md). Raise it together with the pod's memory limit.
CMD ["node", "--max-old-space-size=128", "dist/main.js"]
