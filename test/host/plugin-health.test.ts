import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_QUARANTINE_THRESHOLD, PluginHealth } from '../../core/host/plugin-health';
import { MetricsRegistry } from '../../core/metrics/metrics-registry';
import { formatPrometheus } from '../../core/metrics/prometheus-format';
import { networkFilters, networkFiltersSource, recordingLogger, writeBuiltPlugin } from './plugin-fixture';
import { hostFixture } from './reload-fixture';

describe('plugin failure bookkeeping', () => {
  it('quarantines a plugin after N consecutive errors; a success in between resets the run', () => {
    const logger = recordingLogger();
    const health = new PluginHealth(logger, undefined, 3);
    health.recordError('p', new Error('one'));
    health.recordError('p', new Error('two'));
    health.recordCall('p', 1000);
    health.recordError('p', new Error('three'));
    health.recordError('p', new Error('four'));
    assert.equal(health.isQuarantined('p'), false);
    assert.equal(health.recordError('p', new TypeError('five'), 500), true, 'the error that crosses the threshold says so');
    assert.equal(health.recordError('p', new Error('six')), false, 'only once');
    assert.equal(health.isQuarantined('p'), true);
    assert.equal(health.isQuarantined('other'), false, 'other plugins are unaffected');
    assert.deepEqual(health.recorder('p').counters(), { calls: 7, errors: 6, timeNs: 1500, consecutiveErrors: 4 });
    assert.equal(health.recorder('p').quarantineInfo()?.lastError, 'TypeError: five');
    const line = logger.records.find((r) => r.level === 'error');
    assert.equal(line?.msg, 'plugin "p" quarantined after 3 consecutive errors (last: TypeError: five); reload it to lift the quarantine');
    health.recordCall('p', 1);
    assert.equal(health.isQuarantined('p'), true, 'successes do not lift a quarantine');
    health.reset('p');
    assert.equal(health.isQuarantined('p'), false);
    assert.equal(health.recorder('p').counters().calls, 8, 'totals survive a reset');
  });

  it('defaults to 10; a threshold of 0 never quarantines', () => {
    assert.equal(DEFAULT_QUARANTINE_THRESHOLD, 10);
    const never = new PluginHealth(recordingLogger(), undefined, 0);
    for (let i = 0; i < 1000; i++) never.recordError('p', new Error('x'));
    assert.equal(never.isQuarantined('p'), false);
    const byDefault = new PluginHealth(recordingLogger());
    for (let i = 0; i < 9; i++) byDefault.recordError('p', new Error('x'));
    assert.equal(byDefault.isQuarantined('p'), false);
    byDefault.recordError('p', new Error('x'));
    assert.equal(byDefault.isQuarantined('p'), true);
  });

  it('exports counters to /metrics as type "plugin" with a {plugin} label', () => {
    const metrics = new MetricsRegistry();
    const health = new PluginHealth(recordingLogger(), metrics, 2);
    const recorder = health.recorder('auth');
    recorder.recordCall(2500);
    recorder.recordError(new Error('x'), 500);
    recorder.recordError(new Error('y'));
    const text = formatPrometheus(metrics);
    assert.match(text, /^plugin_call_total\{plugin="auth"\} 3\.0$/m);
    assert.match(text, /^plugin_error_total\{plugin="auth"\} 2\.0$/m);
    assert.match(text, /^plugin_call_time_ns_total\{plugin="auth"\} 3000\.0$/m);
    assert.match(text, /^plugin_consecutive_errors\{plugin="auth"\} 2\.0$/m);
    assert.match(text, /^plugin_quarantined\{plugin="auth"\} 1\.0$/m);
  });

  it('the host reports quarantine and counters, and a reload of the plugin lifts the quarantine', async () => {
    const f = hostFixture({ quarantineThreshold: 3 });
    await writeBuiltPlugin(f.dir, { name: 'flaky', provides: networkFilters('flaky'), source: networkFiltersSource(['flaky']) });
    await writeBuiltPlugin(f.dir, { name: 'steady', provides: networkFilters('steady'), source: networkFiltersSource(['steady']) });
    await f.host.loadAll();
    for (let i = 0; i < 3; i++) f.host.recordError('flaky', new Error(`bad ${i}`), 10);
    f.host.recordCall('steady', 100);
    assert.equal(f.host.isQuarantined('flaky'), true);
    const flaky = f.report('flaky');
    assert.equal(flaky.quarantined, true);
    assert.equal(flaky.quarantine?.consecutiveErrors, 3);
    assert.equal(flaky.quarantine?.lastError, 'Error: bad 2');
    assert.deepEqual(flaky.counters, { calls: 3, errors: 3, timeNs: 30, consecutiveErrors: 3 });
    assert.deepEqual([f.report('steady').quarantined, f.report('steady').counters.calls], [false, 1]);
    assert.equal(f.report('flaky').state, 'loaded', 'a quarantined plugin is still loaded (the kernel skips it)');

    assert.equal((await f.host.reload()).changed.length, 0, 'a rescan with nothing changed keeps the quarantine');
    assert.equal(f.host.isQuarantined('flaky'), true);
    await f.host.reload(['flaky']);
    assert.equal(f.host.isQuarantined('flaky'), false);
    assert.deepEqual(f.report('flaky').counters, { calls: 3, errors: 3, timeNs: 30, consecutiveErrors: 0 });
    assert.match(formatPrometheus(f.metrics), /^plugin_quarantined\{plugin="flaky"\} 0\.0$/m);
    await f.host.disposeAll();
  });
});
