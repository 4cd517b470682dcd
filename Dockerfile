# syntax=docker/dockerfile:1.7
# One file, one target per process (`docker build --target order .`): every image is built from
# the same locked dependencies and the same bundle step, so no two can drift apart.
ARG NODE_IMAGE=node:22.12.0-bookworm-slim

# The whole tree, dev dependencies included: generate the Prisma clients and bundle (pnpm build).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
RUN corepack enable && corepack prepare pnpm@10.34.9 --activate
COPY . .
RUN pnpm install --frozen-lockfile && pnpm build

# Only what the bundles import at run time: production dependencies, no install scripts.
FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /src
RUN corepack enable && corepack prepare pnpm@10.34.9 --activate
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY shared/package.json shared/
COPY services/auth/package.json services/auth/
COPY services/order/package.json services/order/
COPY services/inventory/package.json services/inventory/
COPY services/payment/package.json services/payment/
COPY services/ledger/package.json services/ledger/
COPY services/notification/package.json services/notification/
COPY services/gateway/package.json services/gateway/
COPY services/psp/package.json services/psp/
RUN pnpm install --frozen-lockfile --prod --ignore-scripts

# What every process image shares: node, the production dependencies, a non-root user, a read-only tree.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 METRICS_HOST=0.0.0.0 METRICS_PORT=9100
WORKDIR /app
COPY --from=production-dependencies /src/node_modules ./node_modules
COPY package.json ./
USER node
# node is PID 1 and each process stops cleanly on SIGTERM (in-flight work finishes, then connections close).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.HEALTH_PORT ?? process.env.PORT}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

FROM runtime AS auth
COPY --from=build /src/dist/auth ./dist/auth
EXPOSE 8080
CMD ["node", "--enable-source-maps", "dist/auth/main.mjs"]

FROM runtime AS order
COPY --from=build /src/dist/order ./dist/order
EXPOSE 8080
CMD ["node", "--enable-source-maps", "dist/order/main.mjs"]

FROM runtime AS inventory
COPY --from=build /src/dist/inventory ./dist/inventory
EXPOSE 8080
CMD ["node", "--enable-source-maps", "dist/inventory/main.mjs"]

FROM runtime AS payment
COPY --from=build /src/dist/payment ./dist/payment
EXPOSE 8080
CMD ["node", "--enable-source-maps", "dist/payment/main.mjs"]

FROM runtime AS ledger
COPY --from=build /src/dist/ledger ./dist/ledger
EXPOSE 8080
CMD ["node", "--enable-source-maps", "dist/ledger/main.mjs"]

FROM runtime AS notification
COPY --from=build /src/dist/notification ./dist/notification
EXPOSE 8080
CMD ["node", "--enable-source-maps", "dist/notification/main.mjs"]

FROM runtime AS gateway
COPY --from=build /src/dist/gateway ./dist/gateway
COPY --from=build /src/dist/console-ui ./dist/console-ui
EXPOSE 8080 9100
CMD ["node", "--enable-source-maps", "dist/gateway/main.mjs"]

FROM runtime AS psp
COPY --from=build /src/dist/psp ./dist/psp
EXPOSE 8080
CMD ["node", "--enable-source-maps", "dist/psp/main.mjs"]

FROM runtime AS relay
COPY --from=build /src/dist/relay ./dist/relay
ENV HEALTH_PORT=9100
EXPOSE 9100
CMD ["node", "--enable-source-maps", "dist/relay/main.mjs"]

FROM runtime AS dlq-replay
COPY --from=build /src/dist/dlq-replay ./dist/dlq-replay
HEALTHCHECK NONE
ENTRYPOINT ["node", "--enable-source-maps", "dist/dlq-replay/main.mjs"]

# A one-shot job before the platform starts: databases created and migrated, broker users,
# passwords and policies set. It needs the Prisma CLI and the migrations, so it runs from the build tree.
FROM build AS setup
USER node
HEALTHCHECK NONE
CMD ["node", "--import", "tsx", "scripts/compose-setup.ts"]
