import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigLoadError } from '../../core/config/config-error';
import { loadConfigFile, validateConfig } from '../../core/config/config-loader';
import { fixturePath, fullConfig, problemsOf } from './config-fixtures';

test('a full MOSN config with fields the kernel does not read is accepted unchanged', () => {
  const raw = fullConfig();
  const config = validateConfig(raw);
  assert.equal(config, raw);
  assert.equal(config.servers?.[0].listeners?.[0].address, '127.0.0.1:2046');
  assert.equal((config as Record<string, any>).servers[0].listeners[0].inspector, true);
  assert.deepEqual(loadConfigFile(fixturePath('mosn-full.json')), raw);
});

test('an empty object is a valid config (everything has a default)', () => {
  assert.deepEqual(validateConfig({}), {});
});

test('a port out of range names the listener address path and the value', () => {
  const config = fullConfig();
  config.servers[0].listeners.push({ name: 'extra', address: '127.0.0.1:99999' });
  assert.deepEqual(problemsOf(() => validateConfig(config)), [
    'servers[0].listeners[2].address: "127.0.0.1:99999" is not a valid address',
  ]);
});

test('the error message is the problem lines joined by newlines', () => {
  const config = fullConfig();
  config.servers[0].listeners[0].address = 'nowhere';
  config.pid = 7;
  try {
    validateConfig(config);
    assert.fail('accepted');
  } catch (e) {
    assert.ok(e instanceof ConfigLoadError);
    assert.equal(e.message, e.problems.join('\n'));
    assert.equal(e.problems.length, 2);
  }
});

test('wrong field types report the path and the expected type', () => {
  const config = fullConfig();
  config.servers[0].listeners[0].bind_port = 'yes';
  config.cluster_manager.clusters[0].hosts[0].weight = 'x';
  config.servers[0].listeners[0].per_connection_buffer_limit_bytes = 0;
  config.cluster_manager.clusters[0].max_request_per_conn = 1.5;
  config.servers[0].listeners[0].filter_chains[0].filters[0].config = 'proxy';
  assert.deepEqual(problemsOf(() => validateConfig(config)), [
    'servers[0].listeners[0].bind_port: must be a boolean, got "yes"',
    'servers[0].listeners[0].per_connection_buffer_limit_bytes: must be >= 1, got 0',
    'servers[0].listeners[0].filter_chains[0].filters[0].config: must be an object, got "proxy"',
    'cluster_manager.clusters[0].max_request_per_conn: must be an integer, got 1.5',
    'cluster_manager.clusters[0].hosts[0].weight: must be an integer, got "x"',
  ]);
});

test('host weight must be within MOSN 1..128', () => {
  const config = fullConfig();
  config.cluster_manager.clusters[0].hosts[0].weight = 0;
  config.cluster_manager.clusters[0].hosts[1].weight = 129;
  assert.deepEqual(problemsOf(() => validateConfig(config)), [
    'cluster_manager.clusters[0].hosts[0].weight: must be >= 1, got 0',
    'cluster_manager.clusters[0].hosts[1].weight: must be <= 128, got 129',
  ]);
});

test('missing required fields are named by their full path', () => {
  const config = fullConfig();
  delete config.cluster_manager.clusters[1].name;
  delete config.servers[0].listeners[1].address;
  delete config.servers[0].listeners[0].stream_filters[1].type;
  delete config.cluster_manager.clusters[0].hosts[2].address;
  delete config.servers[0].routers[0].router_config_name;
  assert.deepEqual(problemsOf(() => validateConfig(config)).sort(), [
    'cluster_manager.clusters[0].hosts[2].address: is required',
    'cluster_manager.clusters[1].name: is required',
    'servers[0].listeners[0].stream_filters[1].type: is required',
    'servers[0].listeners[1].address: is required',
    'servers[0].routers[0].router_config_name: is required',
  ]);
});

test('an empty filter type is refused', () => {
  const config = fullConfig();
  config.servers[0].listeners[0].filter_chains[0].filters[0].type = '';
  assert.deepEqual(problemsOf(() => validateConfig(config)), [
    'servers[0].listeners[0].filter_chains[0].filters[0].type: must not be empty',
  ]);
});

test('bad durations are reported with the value', () => {
  const config = fullConfig();
  config.servers[0].graceful_timeout = '30 seconds';
  config.servers[0].listeners[0].connection_idle_timeout = '90';
  config.cluster_manager.clusters[0].connect_timeout = 3;
  config.graceful_timeout = '';
  assert.deepEqual(problemsOf(() => validateConfig(config)), [
    'servers[0].graceful_timeout: "30 seconds" is not a valid duration',
    'servers[0].listeners[0].connection_idle_timeout: "90" is not a valid duration',
    'cluster_manager.clusters[0].connect_timeout: must be a string, got 3',
    'graceful_timeout: "" is not a valid duration',
  ]);
});

test('enums: log level, listener network (lb_type is checked by the cluster manager: plugins add lb_types)', () => {
  const config = fullConfig();
  config.default_log_level = 'VERBOSE';
  config.cluster_manager.clusters[1].lb_type = 'LB_FROM_A_PLUGIN';
  config.servers[0].listeners[0].network = 'sctp';
  const problems = problemsOf(() => validateConfig(config));
  assert.deepEqual(problems, [
    'servers[0].listeners[0].network: "sctp" is not one of "tcp", "unix"',
    'default_log_level: "VERBOSE" is not one of "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"',
  ]);
});

test('every lb_type MOSN registers is accepted', () => {
  for (const lbType of ['LB_RANDOM', 'LB_ROUNDROBIN', 'LB_WEIGHTED_ROUNDROBIN', 'LB_LEAST_REQUEST', 'LB_LEAST_CONNECTION', 'LB_MAGLEV', 'LB_PEAK_EWMA', 'LB_REQUEST_ROUNDROBIN', 'LB_ORIGINAL_DST', 'RING_HASH']) {
    validateConfig({ cluster_manager: { clusters: [{ name: 'c', lb_type: lbType }] } });
  }
});

test('unix listeners take a socket path (MOSN) or unix:/path; tcp listeners need ip:port', () => {
  validateConfig({ servers: [{ listeners: [{ address: '/run/a.sock', network: 'unix' }, { address: 'unix:/run/b.sock', network: 'unix' }] }] });
  assert.deepEqual(problemsOf(() => validateConfig({ servers: [{ listeners: [{ address: '/run/a.sock' }, { address: 'unix:', network: 'unix' }] }] })), [
    'servers[0].listeners[0].address: "/run/a.sock" is not a valid address',
    'servers[0].listeners[1].address: "unix:" is not a valid unix address',
  ]);
});

test('admin.address accepts ip:port and the socket_address object, and checks both', () => {
  validateConfig({ admin: { address: '0.0.0.0:34901' } });
  validateConfig({ admin: { address: { socket_address: { address: '0.0.0.0', port_value: 34901 } } } });
  assert.deepEqual(problemsOf(() => validateConfig({ admin: { address: 'localhost' } })), ['admin.address: "localhost" is not a valid address']);
  assert.deepEqual(problemsOf(() => validateConfig({ admin: { address: 34901 } })), ['admin.address: must be a string or an object, got 34901']);
  assert.deepEqual(problemsOf(() => validateConfig({ admin: { address: { socket_address: { address: '', port_value: 70000 } } } })), [
    'admin.address.socket_address.address: must not be empty',
    'admin.address.socket_address.port_value: must be <= 65535, got 70000',
  ]);
});

test('the root must be an object', () => {
  assert.deepEqual(problemsOf(() => validateConfig([1])), ['(root): must be an object, got [1]']);
  assert.deepEqual(problemsOf(() => validateConfig(null)), ['(root): must be an object, got null']);
});

test('several problems are all reported, one per line, in document order', () => {
  const config = fullConfig();
  config.servers[0].default_log_level = 'LOUD';
  config.servers[0].listeners[0].address = '127.0.0.1:99999';
  config.servers[0].listeners[1].bind_port = 1;
  config.cluster_manager.clusters[0].hosts[1].address = 'host-without-port';
  delete config.cluster_manager.clusters[1].name;
  config.plugins.dir = 5;
  const problems = problemsOf(() => validateConfig(config));
  assert.deepEqual(problems, [
    'servers[0].default_log_level: "LOUD" is not one of "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"',
    'servers[0].listeners[0].address: "127.0.0.1:99999" is not a valid address',
    'servers[0].listeners[1].bind_port: must be a boolean, got 1',
    'cluster_manager.clusters[0].hosts[1].address: "host-without-port" is not a valid address',
    'cluster_manager.clusters[1].name: is required',
    'plugins.dir: must be a string, got 5',
  ]);
});

test('duplicate listener names, listener addresses and cluster names are refused', () => {
  const config = fullConfig();
  config.servers[0].listeners.push({ name: 'serverListener', address: '127.0.0.1:2046' });
  config.servers[0].listeners.push({ name: 'uds2', address: 'unix:/tmp/mosn-test.sock', network: 'unix' });
  config.cluster_manager.clusters.push({ name: 'serverCluster' });
  assert.deepEqual(problemsOf(() => validateConfig(config)), [
    'servers[0].listeners[2].name: duplicate listener name "serverListener", already used at servers[0].listeners[0].name',
    'servers[0].listeners[2].address: duplicate listener address "127.0.0.1:2046", already used at servers[0].listeners[0].address',
    'servers[0].listeners[3].address: duplicate listener address "unix:/tmp/mosn-test.sock", already used at servers[0].listeners[1].address',
    'cluster_manager.clusters[2].name: duplicate cluster name "serverCluster", already used at cluster_manager.clusters[0].name',
  ]);
});

test('duplicates are found across servers and reported alongside schema errors', () => {
  const config = {
    servers: [
      { listeners: [{ name: 'a', address: '[::1]:80' }] },
      { listeners: [{ name: 'a', address: '[::1]:80', bind_port: 'no' }] },
    ],
  };
  assert.deepEqual(problemsOf(() => validateConfig(config)), [
    'servers[1].listeners[0].bind_port: must be a boolean, got "no"',
    'servers[1].listeners[0].name: duplicate listener name "a", already used at servers[0].listeners[0].name',
    'servers[1].listeners[0].address: duplicate listener address "[::1]:80", already used at servers[0].listeners[0].address',
  ]);
});

test('semantic checks survive a config of the wrong shape', () => {
  const problems = problemsOf(() => validateConfig({ servers: 'x', cluster_manager: { clusters: [null, 3] } }));
  assert.deepEqual(problems, [
    'servers: must be an array, got "x"',
    'cluster_manager.clusters[0]: must be an object, got null',
    'cluster_manager.clusters[1]: must be an object, got 3',
  ]);
});
