/**
 * The MOSN configuration as mosn-ts reads it (snake_case as in MOSN's JSON). Only the fields the
 * kernel uses are typed; others MOSN accepts are allowed through and kept for config_dump.
 * Durations are Go duration strings ("30s", "500ms").
 */
export interface MosnConfig {
  servers?: ServerConfig[];
  cluster_manager?: ClusterManagerConfig;
  admin?: AdminConfig;
  /** Path of the pid file (default ./mosn.pid beside the working directory). */
  pid?: string;
  plugins?: PluginsConfig;
  /** Accepted at the top level too; `servers[0]` wins when both are set. */
  graceful_timeout?: string;
  default_log_path?: string;
  default_log_level?: LogLevelName;
  [extra: string]: unknown;
}

export type LogLevelName = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';

export interface ServerConfig {
  server_name?: string;
  default_log_path?: string;
  default_log_level?: LogLevelName;
  graceful_timeout?: string;
  routers?: RouterConfig[];
  listeners?: ListenerConfig[];
  [extra: string]: unknown;
}

export interface ListenerConfig {
  name?: string;
  type?: string;
  /** `ip:port`, or `unix:/path` with network "unix". */
  address: string;
  /** tcp (default) | unix */
  network?: 'tcp' | 'unix';
  bind_port?: boolean;
  /** Idle timeout of downstream connections (Go duration); none when absent. */
  connection_idle_timeout?: string;
  /** Per-connection buffer limit in bytes (default 1 MiB). */
  per_connection_buffer_limit_bytes?: number;
  listener_filters?: FilterConfig[];
  filter_chains?: FilterChainConfig[];
  stream_filters?: FilterConfig[];
  access_logs?: { log_path?: string; log_format?: string }[];
  /**
   * MOSN's TLS/plaintext autodetect: with TLS configured, a connection whose first byte is not a
   * TLS handshake record is served in plaintext instead of refused.
   */
  inspector?: boolean;
  [extra: string]: unknown;
}

export interface FilterChainConfig {
  match?: string;
  /** TLS for the connections of this chain (MOSN's v2.TLSConfig). */
  tls_context?: TlsContextConfig;
  /** Several certificates, chosen by the client's SNI (MOSN); merged after `tls_context`. */
  tls_context_set?: TlsContextConfig[];
  filters?: FilterConfig[];
  [extra: string]: unknown;
}

/**
 * MOSN's TLS context (pkg/config/v2 TLSConfig), on a listener's filter chain (server side) or a
 * cluster (client side). Certificates, keys and CAs are inline PEM (any value containing
 * "-----BEGIN") or a file path (relative paths from the working directory).
 */
export interface TlsContextConfig {
  /** TLS is on only when true. */
  status?: boolean;
  /** MOSN's extension hook name; only the default ("") is supported. */
  type?: string;
  /** Listener: an extra name this certificate answers in SNI. Cluster: the SNI sent and the name verified. */
  server_name?: string;
  /** Listener: CA verifying client certificates. Cluster: CA verifying the upstream (system roots when absent). */
  ca_cert?: string;
  /** Certificate chain (listener: the served certificate; cluster: the client certificate for mTLS). */
  cert_chain?: string;
  private_key?: string;
  /** Listener: verify client certificates against `ca_cert` (required with require_client_cert). */
  verify_client?: boolean;
  /** Listener: ask for a client certificate; with verify_client, one is required and verified. */
  require_client_cert?: boolean;
  /** Cluster: do not verify the upstream's certificate. */
  insecure_skip?: boolean;
  /** MOSN's Go cipher names, colon-separated (an array is accepted too). */
  cipher_suites?: string | string[];
  /** x25519, p256, p384, p521: comma-separated (an array is accepted too). */
  ecdh_curves?: string | string[];
  /** TLS_AUTO, TLSv1_0, TLSv1_1, TLSv1_2, TLSv1_3 (case-insensitive; TLSv1.2 spelling accepted). */
  min_version?: string;
  max_version?: string;
  /** ALPN protocols: MOSN's comma-separated string, or an array (["h2", "http/1.1"]). */
  alpn?: string | string[];
  /** Listener: when the certificate cannot be loaded, serve plaintext instead of refusing the config. */
  fall_back?: boolean;
  [extra: string]: unknown;
}

export interface FilterConfig {
  type: string;
  config?: unknown;
  /**
   * What a throw (or quarantine) of a plugin's stream or network filter means: `fail_closed`
   * (default) answers the request with a local error (a network filter: closes the connection);
   * `fail_open` skips the filter. Ignored on listener filters and the kernel's own filters.
   */
  failure_policy?: FailurePolicy;
  [extra: string]: unknown;
}

export type FailurePolicy = 'fail_closed' | 'fail_open';

export interface RouterConfig {
  router_config_name: string;
  virtual_hosts?: unknown[];
  [extra: string]: unknown;
}

export interface ClusterManagerConfig {
  clusters?: ClusterConfig[];
  [extra: string]: unknown;
}

export interface ClusterConfig {
  name: string;
  /** SIMPLE (default) | STRICT_DNS. */
  type?: string;
  /**
   * LB_RANDOM (default) | LB_ROUNDROBIN | LB_WEIGHTED_ROUNDROBIN | LB_LEAST_REQUEST |
   * LB_LEAST_CONNECTION | LB_MAGLEV | RING_HASH | LB_PEAK_EWMA | LB_REQUEST_ROUNDROBIN, or an
   * lb_type a plugin registered (checked by the cluster manager, not the schema).
   */
  lb_type?: string;
  /** MOSN's load balancer options (also the config block of a plugin's lb_type). */
  lbconfig?: LbConfig;
  /** Go duration, default 3s. */
  connect_timeout?: string;
  /** Idle upstream connections close after this (Go duration, default 90s; "0s" keeps them). */
  idle_timeout?: string;
  /** Requests one upstream connection carries before it is retired; 0 / absent = unlimited. */
  max_request_per_conn?: number;
  /** Multiplexed streams (HTTP/2, bolt, dubbo) one upstream connection carries at once; 0 / absent = no limit beyond the peer's. */
  max_concurrent_streams?: number;
  /**
   * MOSN's thresholds: an array `[{priority, max_connections, max_pending_requests, max_requests,
   * max_retries}]` (the DEFAULT-priority entry applies) or one such object. Defaults 1024/1024/1024/3.
   */
  circuit_breakers?: CircuitBreakerThresholds[] | CircuitBreakerThresholds;
  conn_buffer_limit_bytes?: number;
  /** TLS toward the hosts (MOSN's v2.TLSConfig); a host can opt out with `tls_disable`. */
  tls_context?: TlsContextConfig;
  hosts?: HostConfig[];
  /** Active health checking of the cluster's hosts (none when absent). */
  health_check?: HealthCheckConfig;
  /** STRICT_DNS: re-resolve every (Go duration, default 5s). */
  dns_refresh_rate?: string;
  /** STRICT_DNS: re-resolve after the smallest record TTL + 1s instead (when that TTL is > 0). */
  respect_dns_ttl?: boolean;
  /** STRICT_DNS: V4_ONLY (A, default as in MOSN) | V6_ONLY (AAAA) | ALL (A and AAAA). */
  dns_lookup_family?: 'V4_ONLY' | 'V6_ONLY' | 'ALL';
  /** STRICT_DNS: name servers to ask instead of the system's. */
  dns_resolvers?: DnsResolverConfig;
  /** STRICT_DNS: a resolv.conf whose `nameserver` lines name the servers (when dns_resolvers is absent). */
  dns_resolver_file?: string;
  /** STRICT_DNS: port of the servers read from dns_resolver_file (default "53"). */
  dns_resolver_port?: string;
  [extra: string]: unknown;
}

/** MOSN's `health_check` (pkg/config/v2 HealthCheckConfig). Zero/absent values take MOSN's defaults. */
export interface HealthCheckConfig {
  /** Http1 checks over HTTP when check_config.http_check_config is set; every other protocol (or none) dials TCP. */
  protocol?: string;
  /** Go duration, default 1s. */
  timeout?: string;
  /** Go duration, default 15s. */
  interval?: string;
  /** A random 0..interval_jitter is added to each interval (Go duration, default 5ms). */
  interval_jitter?: string;
  /** Delay before a host's first check: a Go duration as in MOSN ("1s", the default), or a number of seconds. */
  initial_delay_seconds?: string | number;
  /** Consecutive passes that make an unhealthy host healthy (default 1). */
  healthy_threshold?: number;
  /** Consecutive failures that make a healthy host unhealthy (default 1). */
  unhealthy_threshold?: number;
  service_name?: string;
  /** A file getting one MOSN-format line per check (none when absent). */
  event_log_path?: string;
  check_config?: { http_check_config?: HttpCheckConfig; [extra: string]: unknown };
  [extra: string]: unknown;
}

/** MOSN's http_check_config (pkg/upstream/healthcheck/httpdial.go). */
export interface HttpCheckConfig {
  /** Port to check instead of the host's own. */
  port?: number;
  /** Go duration; the check's timeout is the smaller of this and health_check.timeout. */
  timeout?: string;
  /** Path (and query) to request, default "/". */
  path?: string;
  /** Default GET. */
  method?: string;
  /** Only "http". */
  scheme?: string;
  /** Host header, default the host's address. */
  domain?: string;
  /** Status codes that pass: numbers or ranges {start, end} (MOSN spells them Start/End); default [200]. */
  codes?: (number | HttpCodeRange)[];
  [extra: string]: unknown;
}

export interface HttpCodeRange {
  start?: number;
  end?: number;
  Start?: number;
  End?: number;
}

/** MOSN's dns_resolvers (pkg/config/v2 DnsResolverConfig). */
export interface DnsResolverConfig {
  /** Server IPs, optionally with ":port" ("[v6]:port"). */
  servers?: string[];
  /** Port of servers given without one (default "53"). */
  port?: string;
  /** Seconds per query attempt (default 2). */
  timeout?: number;
  /** Query attempts per server (default 2). */
  attempts?: number;
  /** Accepted for compatibility; not applied (Node's resolver takes no search list). */
  search?: string[];
  ndots?: number;
  [extra: string]: unknown;
}

/** MOSN's `lbconfig` (v2.LbConfig; Envoy's least_request_lb_config has the same names). */
export interface LbConfig {
  /** Random hosts compared by LB_LEAST_REQUEST, LB_LEAST_CONNECTION and LB_PEAK_EWMA (default 2). */
  choice_count?: number;
  /** With unequal weights, weight / (active + 1) ^ bias drives the least-load EDF (default 1). */
  active_request_bias?: number;
  [extra: string]: unknown;
}

export interface CircuitBreakerThresholds {
  /** DEFAULT (also when absent) | HIGH (ignored: routes carry no priority). */
  priority?: string;
  max_connections?: number;
  max_pending_requests?: number;
  max_requests?: number;
  max_retries?: number;
  [extra: string]: unknown;
}

export interface HostConfig {
  address: string;
  hostname?: string;
  weight?: number;
  /** Plaintext to this host even though the cluster has a tls_context. */
  tls_disable?: boolean;
  [extra: string]: unknown;
}

export interface AdminConfig {
  /** MOSN's Envoy-style form, or a plain `ip:port` string. */
  address?: { socket_address?: { address?: string; port_value?: number } } | string;
  [extra: string]: unknown;
}

export interface PluginsConfig {
  /** Plugins directory (default ./plugins, relative to the working directory). */
  dir?: string;
  /**
   * A curated set (`registry/sets/<set>.json`, or a path to a set file): only its plugins load, each
   * must match the set's lock, and a set naming a missing or mismatched plugin refuses the start.
   */
  set?: string;
  /** Reload on changes in the plugins directory (default true: a dropped bundle goes live). */
  watch?: boolean;
  /** Consecutive errors that quarantine a plugin (default 10; 0 never quarantines). */
  quarantine_threshold?: number;
  [extra: string]: unknown;
}
