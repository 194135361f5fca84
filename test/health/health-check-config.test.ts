import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MosnConfig } from '../../core/config/config-types';
import { refusal } from '../support/config-refusal';
import { startMosn } from '../support/mosn-harness';

const withHealthCheck = (health_check: Record<string, unknown>): MosnConfig => ({
  cluster_manager: { clusters: [{ name: 'c', hosts: [{ address: '127.0.0.1:1' }], health_check }] },
});

describe('health_check config: bad values are refused with their JSON path', () => {
  it('refuses wrong types, negative thresholds, bad durations and out-of-range codes (schema)', async () => {
    const problems = await refusal(
      withHealthCheck({
        interval: 'fast',
        timeout: '-1s',
        unhealthy_threshold: -1,
        healthy_threshold: 1.5,
        initial_delay_seconds: -2,
        check_config: { http_check_config: { port: 70000, method: 'GE T', codes: [700, { start: 99 }] } },
      }),
    );
    const at = 'cluster_manager.clusters[0].health_check';
    assert.deepEqual(problems.sort(), [
      `${at}.check_config.http_check_config.codes[0]: must be <= 599, got 700`,
      `${at}.check_config.http_check_config.codes[1].start: must be >= 100, got 99`,
      `${at}.check_config.http_check_config.method: must match pattern "^[A-Za-z]+$"`,
      `${at}.check_config.http_check_config.port: must be <= 65535, got 70000`,
      `${at}.healthy_threshold: must be an integer, got 1.5`,
      `${at}.initial_delay_seconds: must be >= 0, got -2`,
      `${at}.interval: "fast" is not a valid duration`,
      `${at}.timeout: "-1s" is not a valid duration`,
      `${at}.unhealthy_threshold: must be >= 0, got -1`,
    ]);
  });

  it('refuses an unknown protocol, a path without "/" and an empty code range (cluster manager)', async () => {
    const problems = await refusal(
      withHealthCheck({ protocol: 'http1', check_config: { http_check_config: { path: 'health', codes: [{ start: 300, end: 200 }] } } }),
    );
    assert.deepEqual(problems, [
      'cluster_manager.clusters[0].health_check.protocol: "http1" is not a known protocol (known: Http1, Http2, Auto, X, bolt, boltv2, dubbo, dubbo_thrift, tars, tcp, TCP)',
    ]);
    const http = await refusal(withHealthCheck({ protocol: 'Http1', check_config: { http_check_config: { path: 'health', codes: [{ start: 300, end: 200 }] } } }));
    assert.deepEqual(http, [
      'cluster_manager.clusters[0].health_check.check_config.http_check_config.path: "health" must start with "/" and hold no spaces or control characters',
      'cluster_manager.clusters[0].health_check.check_config.http_check_config.codes[0]: a range needs start <= end (got {"start":300,"end":200})',
    ]);
  });

  it("accepts MOSN's own spelling: Start/End code ranges, a duration in initial_delay_seconds, zero = default", async () => {
    const mosn = await startMosn(
      withHealthCheck({
        protocol: 'Http1',
        interval: '0s',
        initial_delay_seconds: '1s',
        healthy_threshold: 0,
        check_config: { http_check_config: { path: '/ok?x=1', codes: [{ Start: 200, End: 204 }, 301] } },
      }),
    );
    const started = mosn.logLines().find((l) => l.msg === 'health check: started')!;
    assert.equal(started.intervalMs, 15_000, "MOSN's default interval");
    assert.equal(started.timeoutMs, 1_000);
    assert.equal(started.jitterMs, 5);
    assert.equal(started.initialDelayMs, 1_000);
    assert.equal(started.healthyThreshold, 1);
    assert.equal(started.kind, 'http');
    await mosn.stop();
  });
});
