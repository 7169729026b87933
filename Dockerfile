# The console (/console) is built with the dev dependencies (Vite, Preact), which the image leaves out.
FROM node:20-bookworm-slim AS console
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY console ./console
COPY feed-client ./feed-client
COPY scripts/build-console.mjs ./scripts/
RUN node scripts/build-console.mjs

# Chronicle: runs the TypeScript sources through tsx (a runtime dependency); only the console has a build.
FROM node:20-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

COPY package.json package-lock.json ./
# `prepare` runs on npm ci: with no console sources here yet it builds nothing (the console stage did).
COPY scripts/build-console.mjs ./scripts/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .
COPY --from=console /app/console/dist ./console/dist
# Without DATABASE_URL the embedded PostgreSQL keeps its data here; mount a volume on it.
RUN mkdir -p /app/.data && chown node:node /app/.data

USER node
EXPOSE 3000
# Liveness only; orchestrators should route traffic on GET /readyz.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# SIGTERM reaches node directly (exec form), which drains HTTP and stops cleanly.
ENTRYPOINT ["node", "bin/chronicle.js"]
CMD ["start"]
