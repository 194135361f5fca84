import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HeaderMap, StreamFilterStatus } from '../../plugin-sdk';
import { loadPluginForTest, type TestPlugin } from '../../plugin-sdk/testing';
import { makePluginsDir, networkFilters, replaceBundle, writeBuiltPlugin } from '../host/plugin-fixture';
import { buildFixturePlugin } from '../support/plugin-dirs';

describe('mosn-plugin-sdk/testing: stream filters', () => {
  let plugin: TestPlugin;
  before(async () => {
    plugin = await loadPluginForTest(buildFixturePlugin('test_stream_filters', makePluginsDir()));
  });
  after(() => plugin.dispose());

  it('loads the bundle as the kernel does: manifest, registrations, the SDK shared with the test', () => {
    assert.equal(plugin.manifest.name, 'test_stream_filters');
    assert.deepEqual(plugin.registered.sort(), ['stream_filter/gatekeeper', 'stream_filter/pause', 'stream_filter/stamp', 'stream_filter/thrower']);
  });

  it('runs receiver filters on a request and sender filters on its response, through one stream', async () => {
    const { request, response } = await plugin.streamFilter('stamp', { value: 'abc' }).exchange({ ':method': 'GET', ':path': '/' }, { ':status': '200' });
    assert.equal(request.outcome, 'continue');
    assert.ok(request.headers instanceof HeaderMap, 'the headers are the SDK HeaderMap the bundle sees');
    assert.equal(request.headers.get('x-stamp'), 'abc');
    assert.equal(response?.outcome, 'continue');
    assert.equal(response?.headers.get('x-stamp'), 'abc');
  });

  it('reports a local reply, a throw, and a Stop resumed later or never', async () => {
    const denied = await plugin.streamFilter('gatekeeper').request({ ':path': '/', 'x-deny': '1' });
    assert.deepEqual([denied.outcome, denied.localReply], ['local_reply', { status: 403, body: 'denied by gatekeeper\n', headers: { 'x-denied-by': 'gatekeeper' } }]);
    assert.equal((await plugin.streamFilter('gatekeeper').request({ ':path': '/' })).outcome, 'continue');

    const failed = await plugin.streamFilter('thrower').request({ 'x-throw': '1' });
    assert.equal(failed.outcome, 'failed');
    assert.match(String(failed.error), /thrower: asked to throw/);

    const paused = await plugin.streamFilter('pause').request({ 'x-pause-ms': '20' });
    assert.deepEqual([paused.outcome, paused.headers.get('x-paused')], ['continue', '20']);
    const stuck = await plugin.streamFilter('pause', {}, { resumeTimeoutMs: 50 }).request({ 'x-pause-ms': '5000' });
    assert.equal(stuck.outcome, 'stopped');
  });

  it('refuses a config the schema rejects, as a listener would', () => {
    assert.throws(() => plugin.streamFilter('stamp', { value: 7 }), /stream_filter "stamp": invalid config: config\.value: must be a string, got 7/);
  });
});

describe('mosn-plugin-sdk/testing: network filters and loading', () => {
  it('pushes bytes through read filters and what they write through write filters, on a fake connection', async () => {
    const dir = makePluginsDir();
    const pluginDir = await writeBuiltPlugin(dir, {
      name: 'upper',
      provides: networkFilters('upper'),
      source: `
import { FilterStatus, definePlugin } from 'mosn-plugin-sdk';
import type { IoBuffer, NetworkFilterFactory, ReadFilterCallbacks } from 'mosn-plugin-sdk';
const factory: NetworkFilterFactory = {
  createFilterChainFactory: () => ({
    createFilterChain(_connection, manager) {
      let cb: ReadFilterCallbacks;
      manager.addReadFilter({
        initializeReadFilterCallbacks: (c: ReadFilterCallbacks) => { cb = c; },
        // Waits for a whole line, then echoes it.
        onData(buffer: IoBuffer, end: boolean) {
          const text = buffer.peek().toString();
          if (!text.includes('\\n') && !end) return FilterStatus.Stop;
          buffer.clear();
          cb.connection.write(Buffer.from(text));
          if (end) cb.connection.close('FlushWrite');
          return FilterStatus.Stop;
        },
      });
      manager.addWriteFilter({
        onWrite(buffer: IoBuffer) {
          const text = buffer.take().toString();
          buffer.append(Buffer.from(text.toUpperCase()));
          return FilterStatus.Continue;
        },
      });
    },
  }),
};
export = definePlugin({ activate(ctx) { ctx.registerNetworkFilter('upper', factory); } });
`,
    });
    const plugin = await loadPluginForTest(pluginDir);
    const conn = plugin.networkFilter('upper');
    await conn.receive('hel');
    assert.equal(conn.writtenText(), '', 'Stop kept the partial line buffered');
    assert.equal(conn.readBuffer.length, 3);
    await conn.receive('lo\n');
    assert.equal(conn.writtenText(), 'HELLO\n');
    await conn.receive('bye', true);
    assert.equal(conn.writtenText(), 'HELLO\nBYE');
    assert.deepEqual([conn.connection.state, conn.connection.closeType, conn.connection.events], ['closed', 'FlushWrite', ['LocalClose']]);
    await assert.rejects(conn.receive('more'), /the connection is closed/);
    await plugin.dispose();

    replaceBundle(pluginDir, 'module.exports = { activate() {} };');
    fs.appendFileSync(path.join(pluginDir, 'dist', 'index.js'), '// edited\n');
    await assert.rejects(loadPluginForTest(pluginDir), /does not match the sha256 in plugin\.json/);
    await assert.rejects(loadPluginForTest(pluginDir, { apiVersion: '2.0.0' }), /requires mosn plugin API "\^1\.0\.0" but this kernel provides 2\.0\.0/);
  });

  it('gives activate host-style resources and closes them on dispose', async () => {
    const pluginDir = await writeBuiltPlugin(makePluginsDir(), {
      name: 'timers',
      provides: networkFilters('t'),
      source: `
import { definePlugin } from 'mosn-plugin-sdk';
export = definePlugin({
  activate(ctx) {
    ctx.registerNetworkFilter('t', { createFilterChainFactory: () => ({ createFilterChain() {} }) });
    ctx.setInterval(() => undefined, 1000);
    ctx.createServer().listen(0, '127.0.0.1');
    ctx.setTimeout(() => { throw new Error('late'); }, 1);
  },
});
`,
    });
    const plugin = await loadPluginForTest(pluginDir);
    assert.equal(plugin.resources.openCount, 3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(String(plugin.resources.errors[0]?.error), /late/);
    await plugin.dispose();
    assert.equal(plugin.resources.openCount, 0);
    assert.equal(StreamFilterStatus.Continue, 'Continue');
  });
});
