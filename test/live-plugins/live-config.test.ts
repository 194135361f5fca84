import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigLoadError, validateConfig } from '../../core/config/config-loader';
import { startMosn } from '../support/mosn-harness';
import { buildFixturePlugin, copyRepoPlugin, tempPluginsDir } from '../support/plugin-dirs';
import { httpListener } from './live-fixture';

describe('live plugin config: plugins.set, plugins.watch, plugins.quarantine_threshold, failure_policy', { timeout: 30_000 }, () => {
  it('a set naming a plugin the directory lacks refuses the start, naming plugins.set and the reason', async () => {
    const dir = tempPluginsDir();
    try {
      copyRepoPlugin('http1', dir);
      await assert.rejects(
        startMosn({ plugins: { dir, set: 'default' }, servers: [{ listeners: [] }] }),
        (err: unknown) => {
          assert.ok(err instanceof ConfigLoadError);
          assert.deepEqual(err.problems, [
            `plugins.set: set "default" names plugin "tcp_proxy", which is not in ${dir}`,
            `plugins.set: set "default" names plugin "direct_response", which is not in ${dir}`,
            `plugins.set: set "default" names plugin "http2", which is not in ${dir}`,
          ]);
          return true;
        },
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a set whose members are all there starts, and loads only the set', async () => {
    const dir = tempPluginsDir();
    try {
      for (const p of ['http1', 'http2', 'tcp_proxy', 'direct_response']) copyRepoPlugin(p, dir);
      buildFixturePlugin('live_stamp_v1', dir, 'live_stamp');
      const mosn = await startMosn({ plugins: { dir, set: 'default', watch: false }, servers: [{ listeners: [] }] });
      try {
        assert.deepEqual(mosn.server.plugins.list().filter((p) => p.state === 'loaded').map((p) => p.name), ['direct_response', 'http1', 'http2', 'tcp_proxy']);
      } finally {
        await mosn.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad values are refused with their JSON paths', () => {
    const listener = { ...httpListener('l', [{ type: 'live_stamp', failure_policy: 'fail_sometimes' as 'fail_open' }]) };
    (listener.filter_chains![0].filters![0] as Record<string, unknown>).failure_policy = 'open';
    listener.listener_filters = [{ type: 'original_dst', failure_policy: 'fail_open' }];
    assert.throws(
      () => validateConfig({ plugins: { set: '', watch: 'yes', quarantine_threshold: -1 }, servers: [{ listeners: [listener] }] }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigLoadError);
        const text = err.problems.join('\n');
        for (const path of [
          'plugins.set',
          'plugins.watch',
          'plugins.quarantine_threshold',
          'servers[0].listeners[0].stream_filters[0].failure_policy',
          'servers[0].listeners[0].filter_chains[0].filters[0].failure_policy',
          'servers[0].listeners[0].listener_filters[0].failure_policy',
        ]) {
          assert.match(text, new RegExp(`^${path.replace(/[[\].]/g, '\\$&')}: `, 'm'), `${path} in:\n${text}`);
        }
        return true;
      },
    );
  });
});
