# One image for the three processes; docker-compose.yml picks the entry point per service.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/
COPY apps/scheduler/package.json apps/scheduler/
COPY apps/worker/package.json apps/worker/
COPY apps/web/package.json apps/web/
COPY libs/ libs/
RUN npm ci --no-audit --no-fund
COPY . .
RUN node tools/prisma.mjs generate && npx tsc -b && node tools/build-web.mjs --force && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production API_HOST=0.0.0.0 API_OPS_HOST=0.0.0.0 SCHEDULER_OPS_HOST=0.0.0.0 WORKER_OPS_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app /app
USER node
CMD ["node", "apps/api/dist/main.js"]
