# syntax=docker/dockerfile:1
#
# One image per service, all built from this file: the gateway from its own target, each
# subgraph from the one `subgraph` target, told which by SUBGRAPH:
#
#   docker build --target gateway  -t shop/gateway .                                  # port 4000
#   docker build --target subgraph --build-arg SUBGRAPH=users    -t shop/users .      # port 4001
#   docker build --target subgraph --build-arg SUBGRAPH=products -t shop/products .   # port 4002
#   docker build --target subgraph --build-arg SUBGRAPH=orders   -t shop/orders .     # port 4003
#   docker build --target storefront -t shop/storefront .                             # port 4080
#
# or build and run the whole stack with `docker compose up --build` (see docker-compose.yml).
# The `build` stage compiles every workspace once (BuildKit shares it between targets); each
# runtime image holds only that service's compiled code and its production dependencies, and
# runs as the `node` user. The storefront's image is nginx serving its built static files. test/dockerfile.test.ts checks this file against the repository.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------------------------------------
# manifests: the lockfile and every workspace's package.json, what each `npm ci` below needs to
# see the same workspaces as the lockfile. Both the build and the runtime images start from it,
# before their sources, so their dependency layers are reused while only sources change.
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY service-kit/package.json service-kit/
COPY subgraphs/users/package.json subgraphs/users/
COPY subgraphs/products/package.json subgraphs/products/
COPY subgraphs/orders/package.json subgraphs/orders/
COPY gateway/package.json gateway/
COPY sdk/package.json sdk/
COPY storefront/package.json storefront/

# ---------------------------------------------------------------------------------------------
# build: all dependencies (dev included), then `npm run build` -> <workspace>/dist/ (the
# storefront's: `vite build`, static files)
# ---------------------------------------------------------------------------------------------
FROM manifests AS build
# Install scripts stay on here: the `node` devDependency's preinstall fetches the Node binary
# that `npm run` puts first on PATH (see allowScripts in package.json).
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---------------------------------------------------------------------------------------------
# runtime: what every service image shares, on the manifests (no build output, no dev
# dependencies); each target then installs only the production dependencies of service-kit and
# its own workspace.
# ---------------------------------------------------------------------------------------------
FROM manifests AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0
# Alive = answers GET /health on its own port: PORT, else the service's default port (the
# gateway image sets PORT; the subgraph image sets SUBGRAPH, and the port table is service-kit's
# definitions module, which loads nothing else). Node's fetch, as the slim image has no curl or wget.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "--input-type=module", "-e", "const port = process.env.PORT || (await import('@shop/service-kit/definitions')).DEFAULT_PORTS[process.env.SUBGRAPH]; const h = process.env.HOST || '127.0.0.1'; const host = h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h.includes(':') ? '[' + h + ']' : h; await fetch('http://' + host + ':' + port + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# ---------------------------------------------------------------------------------------------
# subgraph: users, products or orders, whichever --build-arg SUBGRAPH names. It sets no PORT:
# each subgraph listens on its own (4001, 4002, 4003: DEFAULT_PORTS in
# service-kit/src/service-definition.ts) unless PORT says otherwise, and the HEALTHCHECK reads the
# same table. Nor EXPOSE, which takes a literal or a variable, not a lookup: compose's `ports` and
# a Kubernetes containerPort name the port themselves.
# Subgraphs run with their definitions' Node flags: PGlite's (nothing changes on PostgreSQL) and
# a small young generation. Without DATABASE_URL, PGlite keeps its data under DATA_DIR. /data
# belongs to the `node` user; mount a volume there to keep it (docker run -v users-data:/data
# ...). No VOLUME line: with DATABASE_URL set (as in docker-compose.yml) it would only leave
# anonymous volumes.
# ---------------------------------------------------------------------------------------------
FROM runtime AS subgraph
ENV DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
# Declared after what every subgraph shares, so those layers stay shared: a build argument is
# part of the cache key of every RUN after it.
ARG SUBGRAPH
RUN case "$SUBGRAPH" in \
      users|products|orders) ;; \
      *) echo "SUBGRAPH must be users, products or orders (got '$SUBGRAPH'): docker build --target subgraph --build-arg SUBGRAPH=users ." >&2; exit 1 ;; \
    esac
# Kept in the image: the HEALTHCHECK finds the subgraph's default port by its name.
ENV SUBGRAPH=${SUBGRAPH}
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      --workspace service-kit --workspace subgraphs/${SUBGRAPH} --include-workspace-root=false
COPY --from=build /app/service-kit/dist service-kit/dist/
COPY --from=build /app/subgraphs/${SUBGRAPH}/dist subgraphs/${SUBGRAPH}/dist/
COPY subgraphs/${SUBGRAPH}/schema.graphql subgraphs/${SUBGRAPH}/
COPY subgraphs/${SUBGRAPH}/migrations subgraphs/${SUBGRAPH}/migrations/
WORKDIR /app/subgraphs/${SUBGRAPH}
USER node
CMD ["node", "--liftoff-only", "--max-semi-space-size=8", "dist/index.js"]

# ---------------------------------------------------------------------------------------------
# gateway (4000): serves /app/supergraph.graphql (SUPERGRAPH_PATH overrides) and the SDK's
# persisted documents (PERSISTED_DOCUMENTS_PATH overrides)
# ---------------------------------------------------------------------------------------------
FROM runtime AS gateway
# The heap bounds of the gateway's `npm start` (gateway/package.json; the bench runs the same):
# V8 left to itself grows the heap to ~450 MB under load; the gateway's live set is ~50 MB.
# Raise them (here or per container) for much larger responses.
ENV PORT=4000 \
    APOLLO_TELEMETRY_DISABLED=true \
    NODE_OPTIONS="--max-old-space-size=192 --max-semi-space-size=16"
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      --workspace service-kit --workspace gateway --include-workspace-root=false
COPY --from=build /app/service-kit/dist service-kit/dist/
COPY --from=build /app/gateway/dist gateway/dist/
COPY supergraph.graphql ./
COPY sdk/src/__generated__/persisted-documents.json sdk/src/__generated__/
WORKDIR /app/gateway
USER node
EXPOSE 4000
CMD ["node", "dist/index.js"]

# ---------------------------------------------------------------------------------------------
# storefront (4080): the built static storefront (storefront/dist) served by nginx, as the
# unprivileged variant of nginx's official image (no root, port above 1024). At start, nginx's
# image renders storefront/nginx/default.conf.template with SHOP_GATEWAY_URL: the gateway's
# GraphQL endpoint as the shopper's browser reaches it, served to the app as /config.json and
# named in the Content-Security-Policy's connect-src. The gateway must list the storefront's
# origin in CORS_ORIGINS (see the README, "Storefront").
# ---------------------------------------------------------------------------------------------
FROM nginxinc/nginx-unprivileged:1.29-alpine AS storefront
ENV SHOP_GATEWAY_URL=http://localhost:4000/graphql
COPY storefront/nginx/default.conf.template /etc/nginx/templates/
COPY --from=build /app/storefront/dist /usr/share/nginx/html/
USER nginx
EXPOSE 4080
HEALTHCHECK --interval=10s --timeout=5s --retries=3 CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:4080/config.json"]
