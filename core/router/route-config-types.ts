/*
 * MOSN's `routers[]` config as JSON writes it (mosn/pkg/config/v2/route.go, loadbalancer.go),
 * plus the few Envoy spellings we accept alongside (marked). Every object stays open: MOSN has
 * more fields than the router reads (variables, dsl_expressions, request_mirror_policies...),
 * and a MOSN user's config must load. Durations are Go duration strings ("5s", "1m30s").
 */

export interface RouterConfigurationConfig {
  router_config_name: string;
  virtual_hosts?: VirtualHostConfig[];
  /** A directory of virtual-host JSON files (MOSN's dynamic mode). Not supported: reported. */
  router_configs?: string;
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
  [extra: string]: unknown;
}

export interface VirtualHostConfig {
  name?: string;
  /** `a.com`, `a.com:8080`, `*.a.com`, `a.*` (Envoy), `*` (the default virtual host). */
  domains?: string[];
  routers?: RouteConfig[];
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
  per_filter_config?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** One entry of a virtual host's `routers[]` (MOSN's v2.Router). */
export interface RouteConfig {
  /** Envoy's route name; MOSN has none (we name a route by its index then). */
  name?: string;
  match?: RouteMatchConfig;
  route?: RouteActionConfig;
  redirect?: RedirectActionConfig;
  direct_response?: DirectResponseConfig;
  metadata?: MetadataConfig;
  per_filter_config?: Record<string, unknown>;
  /** Envoy keeps these on the route; MOSN on `route`. Both are read. */
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
  [extra: string]: unknown;
}

export interface RouteMatchConfig {
  prefix?: string;
  path?: string;
  /** Go (RE2) syntax; must match the whole path (without the query string). */
  regex?: string;
  /** Applies to prefix, path and regex. Default true. */
  case_sensitive?: boolean;
  headers?: HeaderMatcherConfig[];
  /** Read by MOSN's variable router; ignored here. */
  variables?: unknown[];
  [extra: string]: unknown;
}

export interface HeaderMatcherConfig {
  /** `method` means the request method, as in MOSN. */
  name: string;
  /** Exact value, or a regex when `regex` is true. Absent: the header only has to be present. */
  value?: string;
  regex?: boolean;
  [extra: string]: unknown;
}

export interface RouteActionConfig {
  cluster_name?: string;
  /** A request header whose value names the cluster. */
  cluster_header?: string;
  /** A MOSN variable whose value names the cluster (resolved by the proxy). */
  cluster_variable?: string;
  /** MOSN: `[{cluster: {name, weight}}]`; Envoy items `{name, weight}` and `{clusters: [...]}` too. */
  weighted_clusters?: WeightedClusterConfig[] | { clusters: WeightedClusterConfig[]; [extra: string]: unknown };
  upstream_protocol?: string;
  hash_policy?: HashPolicyConfig[];
  metadata_match?: MetadataConfig;
  /** 0 or absent: 60 s (MOSN's default). */
  timeout?: string;
  retry_policy?: RetryPolicyConfig;
  prefix_rewrite?: string;
  regex_rewrite?: RegexRewriteConfig;
  host_rewrite?: string;
  auto_host_rewrite?: boolean;
  auto_host_rewrite_header?: string;
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
  [extra: string]: unknown;
}

export type WeightedClusterConfig = { cluster: ClusterWeightConfig; [extra: string]: unknown } | ClusterWeightConfig;

export interface ClusterWeightConfig {
  name: string;
  weight?: number;
  metadata_match?: MetadataConfig;
  [extra: string]: unknown;
}

export interface RetryPolicyConfig {
  /** MOSN: a bool. Envoy: conditions like "5xx,connect-failure". */
  retry_on?: boolean | string;
  /** Per try; absent or 0: none. */
  retry_timeout?: string;
  num_retries?: number;
  status_codes?: number[];
  [extra: string]: unknown;
}

export interface RegexRewriteConfig {
  pattern?: { regex?: string; [extra: string]: unknown };
  /** Go's `$1` / `${name}`, or Envoy's `\1`. */
  substitution?: string;
  [extra: string]: unknown;
}

export interface HashPolicyConfig {
  header?: { key: string };
  cookie?: { name: string; path?: string; ttl?: string };
  source_ip?: Record<string, never>;
  [extra: string]: unknown;
}

export interface RedirectActionConfig {
  host_redirect?: string;
  /** Replaces the path; a `?query` in it replaces the request's query. */
  path_redirect?: string;
  /** Envoy: replaces the matched prefix of the path. */
  prefix_rewrite?: string;
  scheme_redirect?: string;
  /** Envoy: same as scheme_redirect "https". */
  https_redirect?: boolean;
  /** Envoy: drop the request's query. */
  strip_query?: boolean;
  /** 301 (default), 302, 303, 307, 308; Envoy's names (MOVED_PERMANENTLY...) are accepted too. */
  response_code?: number | string;
  [extra: string]: unknown;
}

export interface DirectResponseConfig {
  status: number;
  /** MOSN: a string. Envoy: `{inline_string}` is accepted too. */
  body?: string | { inline_string: string };
  [extra: string]: unknown;
}

/** MOSN's HeaderValueOption. `append` defaults to true, as in MOSN and Envoy. */
export interface HeaderValueOption {
  header: { key: string; value?: string };
  append?: boolean;
  [extra: string]: unknown;
}

/** MOSN keeps load-balancer metadata under `filter_metadata["mosn.lb"]` (string values only). */
export interface MetadataConfig {
  filter_metadata?: { 'mosn.lb'?: Record<string, unknown>; [filter: string]: unknown };
  [extra: string]: unknown;
}
