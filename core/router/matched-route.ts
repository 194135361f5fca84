import type { HeaderMap } from '../../plugin-sdk/api/header-map';
import type { DirectResponse } from './direct-response';
import type { HashPolicy } from './hash-policy';
import type { HeaderMutation } from './header-mutation';
import type { LbMetadata } from './lb-metadata';
import type { PathMatcher } from './path-matcher';
import type { PathRewrite } from './path-rewrite';
import { redirectLocation, type RedirectRule } from './redirect-action';
import type { RetryPolicy } from './retry-policy';
import type { WeightedClusters } from './weighted-clusters';

/** The header mutations of the three levels a route sits in, request and response. */
export interface HeaderLevels {
  readonly route: HeaderMutation;
  readonly virtualHost: HeaderMutation;
  readonly router: HeaderMutation;
}

export interface MatchedRouteParts {
  name: string;
  virtualHostName: string;
  pathMatcher: PathMatcher;
  clusterName?: string;
  weightedClusters?: WeightedClusters;
  clusterHeader?: string;
  clusterVariable?: string;
  upstreamProtocol?: string;
  timeoutMs: number;
  retryPolicy?: RetryPolicy;
  directResponse?: DirectResponse;
  redirect?: RedirectRule;
  hashPolicy: readonly HashPolicy[];
  perFilterConfig: Readonly<Record<string, unknown>>;
  metadata?: Readonly<Record<string, unknown>>;
  metadataMatch?: LbMetadata;
  pathRewrite?: PathRewrite;
  hostRewrite?: string;
  autoHostRewrite: boolean;
  autoHostRewriteHeader?: string;
  requestHeaders: HeaderLevels;
  responseHeaders: HeaderLevels;
}

/**
 * What the proxy does with a request a route matched. One object per configured route, built
 * with the router table and never changed, so a request holds it without copying. The proxy
 * checks, in MOSN's order: directResponse, then redirect, then the upstream (clusterName...).
 */
export class MatchedRoute {
  /** `<virtual host>/<route name or index>`, for logs and stats. */
  readonly name: string;
  readonly virtualHostName: string;
  /** Route timeout in ms (60 s when the config has none or 0, as in MOSN). */
  readonly timeoutMs: number;
  readonly retryPolicy: RetryPolicy | undefined;
  readonly directResponse: DirectResponse | undefined;
  readonly redirect: RedirectRule | undefined;
  /** As configured; see hash-policy.ts for how MOSN's balancer reads it. */
  readonly hashPolicy: readonly HashPolicy[];
  /** The virtual host's per_filter_config, overridden per filter name by the route's. */
  readonly perFilterConfig: Readonly<Record<string, unknown>>;
  /** The route's `metadata` block as configured. */
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
  /** MOSN's `cluster_variable`: a variable naming the cluster, for the proxy to resolve. */
  readonly clusterVariable: string | undefined;
  readonly upstreamProtocol: string | undefined;
  readonly hostRewrite: string | undefined;
  /** Set `:authority` to the chosen upstream host's hostname (the proxy does, after LB). */
  readonly autoHostRewrite: boolean;
  /**
   * The route only names an upstream cluster: no direct response, redirect, retry policy, hash
   * policy, cluster variable, path/host rewrite or header changes. Such requests can be forwarded
   * as they came (the proxy's fast path).
   */
  readonly forwardsUnchanged: boolean;

  private readonly pathMatcher: PathMatcher;
  private readonly fixedCluster: string | undefined;
  private readonly weightedClusters: WeightedClusters | undefined;
  private readonly clusterHeader: string | undefined;
  private readonly routeMetadataMatch: LbMetadata | undefined;
  private readonly pathRewrite: PathRewrite | undefined;
  private readonly autoHostRewriteHeader: string | undefined;
  private readonly requestHeaders: HeaderLevels;
  private readonly responseHeaders: HeaderLevels;

  constructor(parts: MatchedRouteParts) {
    this.name = parts.name;
    this.virtualHostName = parts.virtualHostName;
    this.timeoutMs = parts.timeoutMs;
    this.retryPolicy = parts.retryPolicy;
    this.directResponse = parts.directResponse;
    this.redirect = parts.redirect;
    this.hashPolicy = parts.hashPolicy;
    this.perFilterConfig = parts.perFilterConfig;
    this.metadata = parts.metadata;
    this.clusterVariable = parts.clusterVariable;
    this.upstreamProtocol = parts.upstreamProtocol;
    this.hostRewrite = parts.hostRewrite;
    this.autoHostRewrite = parts.autoHostRewrite;
    this.pathMatcher = parts.pathMatcher;
    this.fixedCluster = parts.clusterName;
    this.weightedClusters = parts.weightedClusters;
    this.clusterHeader = parts.clusterHeader;
    this.routeMetadataMatch = parts.metadataMatch;
    this.pathRewrite = parts.pathRewrite;
    this.autoHostRewriteHeader = parts.autoHostRewriteHeader;
    this.requestHeaders = parts.requestHeaders;
    this.responseHeaders = parts.responseHeaders;
    this.forwardsUnchanged =
      !parts.directResponse &&
      !parts.redirect &&
      !parts.retryPolicy &&
      parts.hashPolicy.length === 0 &&
      !parts.clusterVariable &&
      !parts.pathRewrite &&
      !parts.hostRewrite &&
      !parts.autoHostRewrite &&
      !parts.autoHostRewriteHeader &&
      levelsEmpty(parts.requestHeaders) &&
      levelsEmpty(parts.responseHeaders);
    Object.freeze(this);
  }

  /**
   * The upstream cluster for this request: a weighted pick when weighted_clusters is set (MOSN
   * prefers it over cluster_name), else cluster_name, else the value of the cluster_header
   * request header. Undefined when none applies (e.g. the header is missing).
   */
  clusterName(headers: HeaderMap): string | undefined {
    if (this.weightedClusters) return this.weightedClusters.pick();
    if (this.fixedCluster) return this.fixedCluster;
    if (this.clusterHeader) return headers.get(this.clusterHeader) || undefined;
    return undefined;
  }

  /** The load-balancer subset keys for `clusterName` (a weighted cluster's own, else the route's). */
  metadataMatch(clusterName?: string): Readonly<Record<string, string>> | undefined {
    const weighted = clusterName === undefined ? undefined : this.weightedClusters?.find(clusterName);
    return weighted ? weighted.metadataMatch : this.routeMetadataMatch;
  }

  /** The Location header of this route's redirect for this request ('' when it has none). */
  redirectLocation(headers: HeaderMap): string {
    return this.redirect ? redirectLocation(this.redirect, headers, this.pathMatcher) : '';
  }

  /**
   * Rewrites a request before it goes upstream: path (prefix_rewrite or regex_rewrite, query
   * kept), host (host_rewrite, or MOSN's auto_host_rewrite_header), then the headers to add and
   * remove of the route, its virtual host and the router, in that order (Envoy's).
   */
  rewriteRequest(headers: HeaderMap): void {
    this.pathRewrite?.apply(headers, this.pathMatcher);
    if (this.hostRewrite) {
      headers.set(':authority', this.hostRewrite);
    } else if (this.autoHostRewriteHeader) {
      const host = headers.get(this.autoHostRewriteHeader);
      if (host) headers.set(':authority', host);
    }
    applyLevels(this.requestHeaders, headers);
  }

  /** Adds and removes response headers: route, then virtual host, then router level. */
  rewriteResponse(headers: HeaderMap): void {
    applyLevels(this.responseHeaders, headers);
  }
}

function levelsEmpty(levels: HeaderLevels): boolean {
  return levels.route.isEmpty && levels.virtualHost.isEmpty && levels.router.isEmpty;
}

function applyLevels(levels: HeaderLevels, headers: HeaderMap): void {
  levels.route.apply(headers);
  levels.virtualHost.apply(headers);
  levels.router.apply(headers);
}
