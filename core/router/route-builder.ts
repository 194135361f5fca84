import { ConfigNode, isPlainObject } from './config-node';
import { directResponseFromConfig } from './direct-response';
import { hashPolicyFromConfig } from './hash-policy';
import { HeaderMatcher } from './header-matcher';
import { HeaderMutation } from './header-mutation';
import { lbMetadataOf } from './lb-metadata';
import { MatchedRoute } from './matched-route';
import { ANY_PATH, buildPathMatcher } from './path-matcher';
import { PathRewrite } from './path-rewrite';
import { redirectFromConfig } from './redirect-action';
import { retryPolicyFromConfig } from './retry-policy';
import { RouteRule } from './route-rule';
import { WeightedClusters } from './weighted-clusters';

/** MOSN's proxy uses 60 s when a route has no timeout (or 0). */
export const DEFAULT_ROUTE_TIMEOUT_MS = 60_000;

/** What a route inherits from its virtual host and router. */
export interface RouteScope {
  virtualHostName: string;
  virtualHostPerFilterConfig: Readonly<Record<string, unknown>>;
  virtualHostRequestHeaders: HeaderMutation;
  virtualHostResponseHeaders: HeaderMutation;
  routerRequestHeaders: HeaderMutation;
  routerResponseHeaders: HeaderMutation;
}

/**
 * Builds one entry of a virtual host's `routers[]`. Every problem is reported on the way; a
 * route with any problem is left out (undefined) rather than served half-understood.
 */
export function buildRouteRule(node: ConfigNode, index: number, scope: RouteScope): RouteRule | undefined {
  const problemsBefore = node.problems.length;
  const match = node.object('match');
  const pathMatcher = buildPathMatcher(match);
  const headerMatchers = (match?.objects('headers') ?? [])
    .map((h) => HeaderMatcher.fromConfig(h))
    .filter((m): m is HeaderMatcher => m !== undefined);

  // A redirect or direct_response route may have no `route` block; read it as empty then.
  const action = node.object('route') ?? emptyNode(node);
  const clusterName = action.string('cluster_name') || undefined;
  const clusterHeader = action.string('cluster_header') || undefined;
  const clusterVariable = action.string('cluster_variable') || undefined;
  const weightedClusters = WeightedClusters.fromConfig(action);
  const redirect = redirectFromConfig(node);
  const directResponse = directResponseFromConfig(node);
  const hasAction = clusterName || clusterHeader || clusterVariable || action.has('weighted_clusters') || node.has('redirect') || node.has('direct_response');
  if (!hasAction) {
    node.problem('', 'route has no action: set route.cluster_name, route.weighted_clusters, route.cluster_header, redirect or direct_response');
  }

  const name = node.string('name') || String(index);
  const route = new MatchedRoute({
    name: `${scope.virtualHostName}/${name}`,
    virtualHostName: scope.virtualHostName,
    pathMatcher: pathMatcher ?? ANY_PATH,
    clusterName,
    weightedClusters,
    clusterHeader,
    clusterVariable,
    upstreamProtocol: action.string('upstream_protocol') || undefined,
    timeoutMs: action.duration('timeout') || DEFAULT_ROUTE_TIMEOUT_MS,
    retryPolicy: retryPolicyFromConfig(action),
    directResponse,
    redirect,
    hashPolicy: hashPolicyFromConfig(action),
    perFilterConfig: Object.freeze({ ...scope.virtualHostPerFilterConfig, ...objectOrEmpty(node, 'per_filter_config') }),
    metadata: node.has('metadata') ? Object.freeze({ ...objectOrEmpty(node, 'metadata') }) : undefined,
    metadataMatch: lbMetadataOf(action.raw('metadata_match')),
    pathRewrite: PathRewrite.fromConfig(action),
    hostRewrite: action.string('host_rewrite') || undefined,
    autoHostRewrite: action.boolean('auto_host_rewrite') ?? false,
    autoHostRewriteHeader: action.string('auto_host_rewrite_header') || undefined,
    requestHeaders: {
      route: HeaderMutation.fromConfig([action, node], 'request'),
      virtualHost: scope.virtualHostRequestHeaders,
      router: scope.routerRequestHeaders,
    },
    responseHeaders: {
      route: HeaderMutation.fromConfig([action, node], 'response'),
      virtualHost: scope.virtualHostResponseHeaders,
      router: scope.routerResponseHeaders,
    },
  });
  if (node.problems.length > problemsBefore || !pathMatcher) return undefined;
  return new RouteRule(pathMatcher, headerMatchers, route);
}

function emptyNode(parent: ConfigNode): ConfigNode {
  return ConfigNode.of({}, parent.at('route'), parent.problems) as ConfigNode;
}

/**
 * An object field as a plain record ({} when absent; reported when not an object). It is the
 * caller's config object: copy it before freezing.
 */
export function objectOrEmpty(node: ConfigNode, key: string): Record<string, unknown> {
  const v = node.raw(key);
  if (v === undefined) return {};
  if (isPlainObject(v)) return v;
  node.object(key); // reports the type
  return {};
}
