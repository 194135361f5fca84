import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { DOWNSTREAM, DownstreamKeys, UPSTREAM, UpstreamKeys, UpstreamRequestKeys } from '../../core/metrics/metric-names';
import { startAdmin, type AdminFixture } from './admin-fixture';

describe('metrics endpoints', () => {
  let admin: AdminFixture;

  before(async () => {
    admin = await startAdmin();
    const listener = admin.metrics.metrics(DOWNSTREAM, { listener: 'egress' });
    listener.counter(DownstreamKeys.ConnectionTotal).inc(3);
    listener.counter(DownstreamKeys.BytesReadTotal).inc(1024);
    const host = admin.metrics.metrics(UPSTREAM, { host: '10.0.0.1:80', cluster: 'c1' });
    host.counter(UpstreamKeys.ConnectionTotal).inc();
    host.gauge('pool_size').set(7);
    const duration = host.histogram(UpstreamRequestKeys.RequestDuration, [10, 100]);
    duration.observe(5);
    duration.observe(50);
    duration.observe(500);
    admin.metrics.metrics(UPSTREAM, { cluster: 'we"ird\\na\nme' }).counter(UpstreamKeys.ConnectionTotal).inc(2);
  });
  after(() => admin.close());

  it('GET /metrics writes Prometheus text 0.0.4 with MOSN names and labels', async () => {
    const res = await fetch(`${admin.base}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    const lines = text.split('\n');
    assert.ok(lines.includes('# TYPE downstream_connection_total counter'));
    assert.ok(lines.includes('downstream_connection_total{listener="egress"} 3.0'));
    assert.ok(lines.includes('downstream_bytes_read_total{listener="egress"} 1024.0'));
    // Labels sorted by name; one TYPE line for a family shared by several sets.
    assert.ok(lines.includes('upstream_connection_total{cluster="c1",host="10.0.0.1:80"} 1.0'));
    assert.ok(lines.includes('upstream_connection_total{cluster="we\\"ird\\\\na\\nme"} 2.0'));
    assert.equal(lines.filter((l) => l === '# TYPE upstream_connection_total counter').length, 1);
    assert.ok(lines.includes('# TYPE upstream_pool_size gauge'));
    assert.ok(lines.includes('upstream_pool_size{cluster="c1",host="10.0.0.1:80"} 7.0'));
    // Histogram: cumulative buckets, +Inf = count, sum, count; MOSN's min/max gauges too.
    const labels = 'cluster="c1",host="10.0.0.1:80"';
    for (const line of [
      '# TYPE upstream_request_duration_time histogram',
      `upstream_request_duration_time_bucket{${labels},le="10.0"} 1.0`,
      `upstream_request_duration_time_bucket{${labels},le="100.0"} 2.0`,
      `upstream_request_duration_time_bucket{${labels},le="+Inf"} 3.0`,
      `upstream_request_duration_time_sum{${labels}} 555.0`,
      `upstream_request_duration_time_count{${labels}} 3.0`,
      '# TYPE upstream_request_duration_time_min gauge',
      `upstream_request_duration_time_min{${labels}} 5.0`,
      `upstream_request_duration_time_max{${labels}} 500.0`,
    ]) {
      assert.ok(lines.includes(line), line);
    }
    assert.ok(text.endsWith('\n'));
    // Every sample of a family follows its TYPE line without another family in between.
    const seen = new Set<string>();
    let current = '';
    for (const line of lines.filter((l) => l.length > 0)) {
      if (line.startsWith('# TYPE ')) {
        current = line.split(' ')[2];
        assert.ok(!seen.has(current), `${current} declared once`);
        seen.add(current);
      } else {
        assert.ok(line.startsWith(current), `${line} under ${current}`);
      }
    }
  });

  it('GET /api/v1/stats prints MOSN console-sink JSON', async () => {
    const res = await fetch(`${admin.base}/api/v1/stats`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /^\{\n\t"downstream"/);
    const stats = JSON.parse(text);
    assert.deepEqual(stats.downstream, { 'listener.egress': { bytes_read_total: '1024', connection_total: '3' } });
    assert.deepEqual(stats.upstream['cluster.c1.host.10.0.0.1:80'], {
      connection_total: '1',
      pool_size: '7',
      request_duration_time_max: '500',
      request_duration_time_min: '5',
    });
  });

  it('GET /api/v1/stats?key= selects a set by MOSN name or by type', async () => {
    const byName = await (await fetch(`${admin.base}/api/v1/stats?key=downstream.listener.egress`)).json();
    assert.deepEqual(byName, { downstream: { 'listener.egress': { bytes_read_total: '1024', connection_total: '3' } } });
    const byType = (await (await fetch(`${admin.base}/api/v1/stats?key=upstream`)).json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(byType), ['upstream']);
    assert.equal(Object.keys(byType.upstream as object).length, 2);
    const none = await fetch(`${admin.base}/api/v1/stats?key=nothing`);
    assert.equal(none.status, 200);
    assert.equal(await none.text(), 'no metrics key: nothing');
  });

  it('GET /api/v1/stats answers 400 for two parameters or one that is not "key"', async () => {
    const two = await fetch(`${admin.base}/api/v1/stats?key=a&other=b`);
    assert.equal(two.status, 400);
    assert.equal(await two.text(), 'only support one parameter');
    const wrong = await fetch(`${admin.base}/api/v1/stats?name=a`);
    assert.equal(wrong.status, 400);
    assert.match(((await wrong.json()) as { error: string }).error, /expected "key"/);
  });
});
