import type { SchemaObject } from 'ajv';
import { CLUSTER_HEALTH_AND_DNS_PROPERTIES } from './cluster-health-dns-schema';
import { ADDRESS_FORMAT, DURATION_FORMAT, UNIX_ADDRESS_FORMAT } from './config-formats';

/*
 * JSON Schema (draft-07) of MOSN's configuration as config-types.ts types it. Every object stays
 * open (no additionalProperties: false): MOSN accepts many more fields than the kernel reads, and a
 * MOSN user's config must run. Each field we do know is type-checked.
 */

const LOG_LEVELS = ['FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'];

const nonEmptyString = { type: 'string', minLength: 1 };
const duration = { type: 'string', format: DURATION_FORMAT };
const address = { type: 'string', format: ADDRESS_FORMAT };
const logLevel = { type: 'string', enum: LOG_LEVELS };
const count = { type: 'integer', minimum: 0 };

const filter = {
  type: 'object',
  required: ['type'],
  properties: {
    type: nonEmptyString,
    config: { type: 'object' },
  },
};
const filterList = { type: 'array', items: filter };

/** Stream and network filters: a plugin's throw is answered by the entry's failure_policy. */
const guardedFilter = {
  ...filter,
  properties: { ...filter.properties, failure_policy: { type: 'string', enum: ['fail_closed', 'fail_open'] } },
};
const guardedFilterList = { type: 'array', items: guardedFilter };
/** A MOSN colon/comma-separated list, or the same names as an array. */
const nameList = { type: ['string', 'array'], items: nonEmptyString };

const tlsContext = {
  type: 'object',
  properties: {
    status: { type: 'boolean' },
    type: { type: 'string' },
    server_name: { type: 'string' },
    ca_cert: { type: 'string' },
    cert_chain: { type: 'string' },
    private_key: { type: 'string' },
    verify_client: { type: 'boolean' },
    require_client_cert: { type: 'boolean' },
    insecure_skip: { type: 'boolean' },
    cipher_suites: nameList,
    ecdh_curves: nameList,
    min_version: { type: 'string' },
    max_version: { type: 'string' },
    alpn: nameList,
    ticket: { type: 'string' },
    fall_back: { type: 'boolean' },
  },
};

const filterChain = {
  type: 'object',
  properties: {
    match: { type: 'string' },
    tls_context: tlsContext,
    tls_context_set: { type: 'array', items: tlsContext },
    filters: guardedFilterList,
  },
};

const accessLog = {
  type: 'object',
  properties: {
    log_path: { type: 'string' },
    log_format: { type: 'string' },
  },
};

const listener = {
  type: 'object',
  required: ['address'],
  properties: {
    name: { type: 'string' },
    type: { type: 'string' },
    address: { type: 'string' },
    network: { type: 'string', enum: ['tcp', 'unix'] },
    bind_port: { type: 'boolean' },
    connection_idle_timeout: duration,
    per_connection_buffer_limit_bytes: { type: 'integer', minimum: 1 },
    listener_filters: filterList,
    filter_chains: { type: 'array', items: filterChain },
    stream_filters: guardedFilterList,
    access_logs: { type: 'array', items: accessLog },
    inspector: { type: 'boolean' },
  },
  // MOSN resolves a unix listener's address as a socket path, a tcp one as ip:port.
  if: { required: ['network'], properties: { network: { const: 'unix' } } },
  then: { properties: { address: { type: 'string', format: UNIX_ADDRESS_FORMAT } } },
  else: { properties: { address } },
};

const virtualHost = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    domains: { type: 'array', items: { type: 'string' } },
    routers: { type: 'array', items: { type: 'object' } },
  },
};

const router = {
  type: 'object',
  required: ['router_config_name'],
  properties: {
    router_config_name: nonEmptyString,
    virtual_hosts: { type: 'array', items: virtualHost },
  },
};

const server = {
  type: 'object',
  properties: {
    server_name: { type: 'string' },
    default_log_path: { type: 'string' },
    default_log_level: logLevel,
    graceful_timeout: duration,
    routers: { type: 'array', items: router },
    listeners: { type: 'array', items: listener },
  },
};

const host = {
  type: 'object',
  required: ['address'],
  properties: {
    address,
    hostname: { type: 'string' },
    weight: { type: 'integer', minimum: 1, maximum: 128 },
    tls_disable: { type: 'boolean' },
  },
};

const circuitBreakerThresholds = {
  type: 'object',
  properties: {
    priority: { type: 'string', enum: ['DEFAULT', 'HIGH'] },
    max_connections: count,
    max_pending_requests: count,
    max_requests: count,
    max_retries: count,
  },
};

const cluster = {
  type: 'object',
  required: ['name'],
  properties: {
    name: nonEmptyString,
    type: { type: 'string' },
    // Not an enum: plugins register lb_types; the cluster manager checks the name.
    lb_type: nonEmptyString,
    lbconfig: {
      type: 'object',
      properties: {
        choice_count: { type: 'integer', minimum: 1 },
        active_request_bias: { type: 'number', minimum: 0 },
      },
    },
    connect_timeout: duration,
    idle_timeout: duration,
    max_request_per_conn: count,
    max_concurrent_streams: count,
    // MOSN writes an array of per-priority thresholds; one object is accepted too.
    circuit_breakers: {
      if: { type: 'array' },
      then: { type: 'array', items: circuitBreakerThresholds },
      else: circuitBreakerThresholds,
    },
    conn_buffer_limit_bytes: count,
    tls_context: tlsContext,
    hosts: { type: 'array', items: host },
    ...CLUSTER_HEALTH_AND_DNS_PROPERTIES,
  },
};

const adminAddress = {
  // A plain `ip:port` string, or MOSN's Envoy-style {socket_address: {address, port_value}}.
  type: ['string', 'object'],
  if: { type: 'string' },
  then: address,
  else: {
    properties: {
      socket_address: {
        type: 'object',
        properties: {
          address: nonEmptyString,
          port_value: { type: 'integer', minimum: 0, maximum: 65535 },
        },
      },
    },
  },
};

export const MOSN_CONFIG_SCHEMA: SchemaObject = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://mosn-ts/schemas/mosn-config.json',
  title: 'MOSN configuration',
  type: 'object',
  properties: {
    servers: { type: 'array', items: server },
    cluster_manager: {
      type: 'object',
      properties: {
        clusters: { type: 'array', items: cluster },
      },
    },
    admin: {
      type: 'object',
      properties: { address: adminAddress },
    },
    pid: nonEmptyString,
    plugins: {
      type: 'object',
      properties: {
        dir: nonEmptyString,
        set: nonEmptyString,
        watch: { type: 'boolean' },
        quarantine_threshold: count,
      },
    },
    graceful_timeout: duration,
    default_log_path: { type: 'string' },
    default_log_level: logLevel,
  },
};
