import { parseDuration } from '../../../plugin-sdk';
import type { HealthCheckConfig, HttpCodeRange } from '../../config/config-types';

/** MOSN's defaults (pkg/upstream/healthcheck/healthchecker.go). */
export const DEFAULT_HEALTH_CHECK_TIMEOUT_MS = 1_000;
export const DEFAULT_HEALTH_CHECK_INTERVAL_MS = 15_000;
export const DEFAULT_HEALTH_CHECK_JITTER_MS = 5;
/** MOSN's `firstInterval`: the first check of a host waits this long unless initial_delay_seconds says otherwise. */
export const DEFAULT_INITIAL_DELAY_MS = 1_000;
export const DEFAULT_THRESHOLD = 1;

/**
 * Protocol names a health_check may name. MOSN checks Http1 over HTTP (with an http_check_config)
 * and dials TCP for every other protocol; an unknown name is refused here rather than silently
 * dialled, since it is most often a typo ("http1").
 */
export const HEALTH_CHECK_PROTOCOLS = ['Http1', 'Http2', 'Auto', 'X', 'bolt', 'boltv2', 'dubbo', 'dubbo_thrift', 'tars', 'tcp', 'TCP'];

export interface HttpCheckSettings {
  /** Port to connect to instead of the host's (0: the host's). */
  readonly port: number;
  /** Request target: path and query. */
  readonly path: string;
  readonly method: string;
  /** Host header; empty: the host's address. */
  readonly domain: string;
  /** Inclusive [start, end] ranges of passing status codes. */
  readonly codes: readonly (readonly [number, number])[];
}

/** A cluster's health checking, checked and with defaults applied. Durations in milliseconds. */
export interface HealthCheckSettings {
  readonly protocol: string;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly jitterMs: number;
  readonly initialDelayMs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly serviceName: string;
  /** MOSN's per-check event log file; empty: none. */
  readonly eventLogPath: string;
  /** Present for an HTTP check; absent: a TCP connect check. */
  readonly http?: HttpCheckSettings;
}

/**
 * Builds a cluster's health check settings from its `health_check` block (at `path`), appending
 * `path.field: reason` lines to `problems` for values the schema cannot judge alone. Zero and
 * absent values take MOSN's defaults, as MOSN does.
 */
export function parseHealthCheck(config: HealthCheckConfig, path: string, problems: string[]): HealthCheckSettings | undefined {
  const before = problems.length;
  const protocol = config.protocol ?? '';
  if (protocol !== '' && !HEALTH_CHECK_PROTOCOLS.includes(protocol)) {
    problems.push(`${path}.protocol: ${JSON.stringify(protocol)} is not a known protocol (known: ${HEALTH_CHECK_PROTOCOLS.join(', ')})`);
  }
  const timeoutMs = durationOr(config.timeout, DEFAULT_HEALTH_CHECK_TIMEOUT_MS, `${path}.timeout`, problems);
  const intervalMs = durationOr(config.interval, DEFAULT_HEALTH_CHECK_INTERVAL_MS, `${path}.interval`, problems);
  const jitterMs = durationOr(config.interval_jitter, DEFAULT_HEALTH_CHECK_JITTER_MS, `${path}.interval_jitter`, problems);
  const initialDelayMs = initialDelay(config.initial_delay_seconds, `${path}.initial_delay_seconds`, problems);
  const healthyThreshold = threshold(config.healthy_threshold, `${path}.healthy_threshold`, problems);
  const unhealthyThreshold = threshold(config.unhealthy_threshold, `${path}.unhealthy_threshold`, problems);
  const httpConfig = config.check_config?.http_check_config;
  let http: HttpCheckSettings | undefined;
  let checkTimeoutMs = timeoutMs;
  if (httpConfig !== undefined && protocol === 'Http1') {
    const httpPath = `${path}.check_config.http_check_config`;
    const target = httpConfig.path === undefined || httpConfig.path === '' ? '/' : httpConfig.path;
    if (!target.startsWith('/') || /[\s\x00-\x1f\x7f]/.test(target)) {
      problems.push(`${httpPath}.path: ${JSON.stringify(httpConfig.path)} must start with "/" and hold no spaces or control characters`);
    }
    if (httpConfig.domain !== undefined && /[\s\x00-\x1f\x7f]/.test(httpConfig.domain)) {
      problems.push(`${httpPath}.domain: ${JSON.stringify(httpConfig.domain)} holds spaces or control characters`);
    }
    if (httpConfig.timeout !== undefined) {
      const t = durationOr(httpConfig.timeout, 0, `${httpPath}.timeout`, problems);
      if (t > 0) checkTimeoutMs = Math.min(timeoutMs, t);
    }
    http = {
      port: httpConfig.port ?? 0,
      path: target,
      method: (httpConfig.method || 'GET').toUpperCase(),
      domain: httpConfig.domain ?? '',
      codes: codeRanges(httpConfig.codes, `${httpPath}.codes`, problems),
    };
  }
  if (problems.length > before) return undefined;
  return {
    protocol,
    timeoutMs: checkTimeoutMs,
    intervalMs,
    jitterMs,
    initialDelayMs,
    healthyThreshold,
    unhealthyThreshold,
    serviceName: config.service_name ?? '',
    eventLogPath: config.event_log_path ?? '',
    http,
  };
}

function durationOr(text: string | undefined, fallback: number, path: string, problems: string[]): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined) {
    problems.push(`${path}: ${JSON.stringify(text)} is not a valid duration`);
    return fallback;
  }
  return ms === 0 ? fallback : ms;
}

function initialDelay(value: string | number | undefined, path: string, problems: string[]): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      problems.push(`${path}: must be a non-negative number of seconds or a duration, got ${JSON.stringify(value)}`);
      return DEFAULT_INITIAL_DELAY_MS;
    }
    return value === 0 ? DEFAULT_INITIAL_DELAY_MS : value * 1000;
  }
  return durationOr(value, DEFAULT_INITIAL_DELAY_MS, path, problems);
}

function threshold(value: number | undefined, path: string, problems: string[]): number {
  if (value === undefined || value === 0) return DEFAULT_THRESHOLD;
  if (!Number.isInteger(value) || value < 0) {
    problems.push(`${path}: must be a non-negative integer, got ${JSON.stringify(value)}`);
    return DEFAULT_THRESHOLD;
  }
  return value;
}

function codeRanges(codes: (number | HttpCodeRange)[] | undefined, path: string, problems: string[]): [number, number][] {
  if (codes === undefined || codes.length === 0) return [[200, 200]];
  const out: [number, number][] = [];
  codes.forEach((code, i) => {
    if (typeof code === 'number') {
      out.push([code, code]);
      return;
    }
    const start = code.start ?? code.Start;
    const end = code.end ?? code.End ?? start;
    if (start === undefined || end === undefined || start > end) {
      problems.push(`${path}[${i}]: a range needs start <= end (got ${JSON.stringify(code)})`);
      return;
    }
    out.push([start, end]);
  });
  return out;
}
