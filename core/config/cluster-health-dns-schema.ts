import { DURATION_FORMAT } from './config-formats';

/*
 * JSON Schema of a cluster's health_check and STRICT_DNS fields (types in config-types.ts). Kept
 * apart from config-schema.ts so the cluster schema there stays readable. Checks that need more
 * than one field (protocol names, code ranges, server addresses) are made where the settings are
 * built (core/upstream/health, core/upstream/dns), with the same `path: reason` lines.
 */

const duration = { type: 'string', format: DURATION_FORMAT };
const threshold = { type: 'integer', minimum: 0, maximum: 1_000_000 };
const statusCode = { type: 'integer', minimum: 100, maximum: 599 };

const codeRange = {
  type: 'object',
  properties: { start: statusCode, end: statusCode, Start: statusCode, End: statusCode },
};

const httpCheckConfig = {
  type: 'object',
  properties: {
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    timeout: duration,
    path: { type: 'string' },
    method: { type: 'string', pattern: '^[A-Za-z]+$' },
    scheme: { type: 'string', enum: ['', 'http'] },
    domain: { type: 'string' },
    codes: {
      type: 'array',
      items: { if: { type: 'integer' }, then: statusCode, else: codeRange },
    },
  },
};

const healthCheck = {
  type: 'object',
  properties: {
    protocol: { type: 'string' },
    timeout: duration,
    interval: duration,
    interval_jitter: duration,
    initial_delay_seconds: { if: { type: 'number' }, then: { type: 'number', minimum: 0 }, else: duration },
    healthy_threshold: threshold,
    unhealthy_threshold: threshold,
    service_name: { type: 'string' },
    event_log_path: { type: 'string', minLength: 1 },
    check_config: {
      type: 'object',
      properties: { http_check_config: httpCheckConfig },
    },
  },
};

const dnsResolvers = {
  type: 'object',
  properties: {
    servers: { type: 'array', items: { type: 'string', minLength: 1 } },
    port: { type: 'string', pattern: '^[0-9]{1,5}$' },
    timeout: { type: 'integer', minimum: 0 },
    attempts: { type: 'integer', minimum: 0 },
    search: { type: 'array', items: { type: 'string' } },
    ndots: { type: 'integer', minimum: 0 },
  },
};

/** Properties merged into the cluster schema. */
export const CLUSTER_HEALTH_AND_DNS_PROPERTIES = {
  health_check: healthCheck,
  dns_refresh_rate: duration,
  respect_dns_ttl: { type: 'boolean' },
  dns_lookup_family: { type: 'string', enum: ['V4_ONLY', 'V6_ONLY', 'ALL'] },
  dns_resolvers: dnsResolvers,
  dns_resolver_file: { type: 'string', minLength: 1 },
  dns_resolver_port: { type: 'string', pattern: '^[0-9]{1,5}$' },
};
