import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidManifest, validateManifest } from '../../plugin-sdk/manifest';

const GOOD = {
  name: 'tcp-proxy_2',
  version: '1.2.3-beta.1',
  main: 'build/out/index.js',
  engines: { mosn: '^1.0.0 || >=2.1.0 <3' },
  provides: [
    { kind: 'network_filter', name: 'tcp_proxy', configSchema: { type: 'object' } },
    { kind: 'listener_filter', name: 'original_dst' },
  ],
  sha256: 'A'.repeat(64),
  description: 'anything',
  homepage: 'unknown top-level fields are allowed',
};

describe('validateManifest', () => {
  it('accepts a valid manifest', () => {
    assert.deepEqual(validateManifest(GOOD), []);
    assert.equal(isValidManifest(GOOD), true);
    assert.deepEqual(validateManifest({ ...GOOD, sha256: undefined, provides: [] }), []);
  });

  it('reports every problem as a path: reason line', () => {
    const bad = {
      ...GOOD,
      name: 'Tcp Proxy',
      version: '1.x',
      engines: { mosn: 'one point oh' },
      provides: [{ kind: 'filter', name: 'x', config_schema: {} }],
      sha256: 'abc',
    };
    assert.deepEqual(validateManifest(bad), [
      'name: must match pattern "^[a-z0-9][a-z0-9_-]*$"',
      'version: "1.x" is not a valid semver',
      'engines.mosn: "one point oh" is not a valid semver range',
      'provides[0].config_schema: is not an allowed field',
      'provides[0].kind: "filter" is not one of "protocol", "stream_filter", "network_filter", "listener_filter", "load_balancer", "extension"',
      'sha256: must match pattern "^[0-9a-fA-F]{64}$"',
    ]);
    assert.equal(isValidManifest(bad), false);
  });

  it('requires the fields the host needs', () => {
    assert.deepEqual(validateManifest({}), ['name: is required', 'version: is required', 'main: is required', 'engines: is required', 'provides: is required']);
    assert.deepEqual(validateManifest({ ...GOOD, engines: {} }), ['engines.mosn: is required']);
    assert.deepEqual(validateManifest(null), ['(root): must be an object, got null']);
  });

  it('accepts only canonical versions', () => {
    assert.deepEqual(validateManifest({ ...GOOD, version: 'v1.0.0' }), ['version: "v1.0.0" is not a valid semver']);
  });

  it('keeps main inside the plugin folder', () => {
    assert.deepEqual(validateManifest({ ...GOOD, main: '../other/index.js' }), ['main: "../other/index.js" must be a path inside the plugin folder']);
    assert.deepEqual(validateManifest({ ...GOOD, main: '/etc/index.js' }), ['main: "/etc/index.js" must be a path inside the plugin folder']);
    assert.deepEqual(validateManifest({ ...GOOD, main: 'dist/../index.js' }), []);
  });

  it('refuses a (kind, name) declared twice', () => {
    const provides = [...GOOD.provides, { kind: 'network_filter', name: 'tcp_proxy' }];
    assert.deepEqual(validateManifest({ ...GOOD, provides }), ['provides[2]: network_filter "tcp_proxy" is declared twice']);
  });
});
