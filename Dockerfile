# One image per service, from the same file:
#   docker build --build-arg SERVICE=inventory -t fil-inventory .
# SERVICE is order-orchestrator, inventory, fulfillment, returns or console (docs/deploy.md).
ARG SERVICE

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.base.json tsconfig.json .swcrc ./
COPY libs libs
COPY apps apps
COPY scripts/build.ts scripts/scrape-token.ts scripts/
RUN node -r @swc-node/register scripts/build.ts

FROM node:24-bookworm-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error && npm cache clean --force

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    FIL_HTTP_HOST=0.0.0.0
WORKDIR /app
COPY --from=production-dependencies /app/node_modules node_modules
COPY --from=build /src/dist dist
COPY package.json ./
# Where compose's one-off job leaves the scrape token for Prometheus (a volume takes its owner from here).
RUN mkdir /app/scrape && chown 1000:1000 /app/scrape
# The base image's `node` user, by number so that Kubernetes can check runAsNonRoot.
USER 1000:1000

FROM runtime AS order-orchestrator
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=6 CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.ORDERS_PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/apps/order-orchestrator/src/main.js"]

FROM runtime AS inventory
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --retries=6 CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.INVENTORY_PORT||3001)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/apps/inventory/src/main.js"]

FROM runtime AS fulfillment
EXPOSE 3002
HEALTHCHECK --interval=10s --timeout=3s --retries=6 CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.FULFILLMENT_PORT||3002)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/apps/fulfillment/src/main.js"]

FROM runtime AS returns
EXPOSE 3003
HEALTHCHECK --interval=10s --timeout=3s --retries=6 CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.RETURNS_PORT||3003)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/apps/returns/src/main.js"]

# The web console: its page built by Vite and its small server, which proxies /api to the four
# services at CONSOLE_ORDERS_URL, CONSOLE_INVENTORY_URL, CONSOLE_FULFILLMENT_URL and CONSOLE_RETURNS_URL.
FROM runtime AS console
EXPOSE 3004
HEALTHCHECK --interval=10s --timeout=3s --retries=6 CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.CONSOLE_PORT||3004)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/apps/console/server.js"]

# The image built is the stage SERVICE names; without SERVICE the build stops here.
FROM ${SERVICE}
