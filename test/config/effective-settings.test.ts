import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigFile } from '../../core/config/config-loader';
import { resolveSettings } from '../../core/config/effective-settings';
import { fixturePath } from './config-fixtures';

const cwd = '/srv/mosn';

test('defaults follow MOSN, with paths under the working directory', () => {
  assert.deepEqual(resolveSettings({}, { cwd }), {
    pidFile: '/srv/mosn/mosn.pid',
    gracefulTimeoutMs: 30_000,
    logPath: 'stdout',
    logLevel: 'INFO',
    adminAddress: '127.0.0.1:34901',
    pluginsDir: '/srv/mosn/plugins',
  });
});

test('values from a full MOSN config; relative paths resolved against cwd', () => {
  assert.deepEqual(resolveSettings(loadConfigFile(fixturePath('mosn-full.json')), { cwd }), {
    pidFile: '/srv/mosn/run/mosn.pid',
    gracefulTimeoutMs: 90_000,
    logPath: 'stdout',
    logLevel: 'DEBUG',
    adminAddress: '127.0.0.1:34902',
    pluginsDir: '/srv/mosn/my-plugins',
  });
});

test('absolute paths are kept', () => {
  const settings = resolveSettings({ pid: '/run/mosn.pid', plugins: { dir: '/opt/plugins' } }, { cwd });
  assert.equal(settings.pidFile, '/run/mosn.pid');
  assert.equal(settings.pluginsDir, '/opt/plugins');
});

test('servers[0] wins over top-level log and graceful settings; top-level is the fallback', () => {
  const top = { graceful_timeout: '10s', default_log_path: '/var/log/top.log', default_log_level: 'WARN' as const };
  assert.deepEqual(
    pick(resolveSettings({ ...top, servers: [{ graceful_timeout: '500ms', default_log_path: '/var/log/s.log', default_log_level: 'ERROR' }] }, { cwd })),
    { gracefulTimeoutMs: 500, logPath: '/var/log/s.log', logLevel: 'ERROR' },
  );
  assert.deepEqual(pick(resolveSettings({ ...top, servers: [{}] }, { cwd })), { gracefulTimeoutMs: 10_000, logPath: '/var/log/top.log', logLevel: 'WARN' });
});

test('admin address: plain string, socket_address object, and partial object', () => {
  assert.equal(resolveSettings({ admin: { address: '0.0.0.0:9000' } }, { cwd }).adminAddress, '0.0.0.0:9000');
  assert.equal(resolveSettings({ admin: { address: { socket_address: { address: '0.0.0.0', port_value: 34901 } } } }, { cwd }).adminAddress, '0.0.0.0:34901');
  assert.equal(resolveSettings({ admin: { address: { socket_address: { address: '::1', port_value: 80 } } } }, { cwd }).adminAddress, '[::1]:80');
  assert.equal(resolveSettings({ admin: { address: { socket_address: { port_value: 8000 } } } }, { cwd }).adminAddress, '127.0.0.1:8000');
  assert.equal(resolveSettings({ admin: {} }, { cwd }).adminAddress, '127.0.0.1:34901');
});

function pick(s: ReturnType<typeof resolveSettings>): Pick<typeof s, 'gracefulTimeoutMs' | 'logPath' | 'logLevel'> {
  return { gracefulTimeoutMs: s.gracefulTimeoutMs, logPath: s.logPath, logLevel: s.logLevel };
}
