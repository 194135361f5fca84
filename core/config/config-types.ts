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
  [extra: string]: unknown;
}

export interface FilterChainConfig {
  match?: string;
  tls_context?: unknown;
  filters?: FilterConfig[];
  [extra: string]: unknown;
}

export interface FilterConfig {
  type: string;
  config?: unknown;
  [extra: string]: unknown;
}

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
  /** SIMPLE (default). */
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
  /**
   * MOSN's thresholds: an array `[{priority, max_connections, max_pending_requests, max_requests,
   * max_retries}]` (the DEFAULT-priority entry applies) or one such object. Defaults 1024/1024/1024/3.
   */
  circuit_breakers?: CircuitBreakerThresholds[] | CircuitBreakerThresholds;
  conn_buffer_limit_bytes?: number;
  hosts?: HostConfig[];
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
  [extra: string]: unknown;
}
