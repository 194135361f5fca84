import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as sdk from '../../plugin-sdk';
import { FactoryRegistry } from '../../core/host/factory-registry';
import { PluginHost, type PluginLoadReport } from '../../core/host/plugin-host';
import {
  makePluginsDir,
  networkFilters,
  networkFiltersSource,
  readManifestJson,
  recordingLogger,
  replaceBundle,
  SAMPLE_FILTER,
  SAMPLE_FILTER_SOURCE,
  writeBuiltPlugin,
  writeManifestJson,
  writePlugin,
} from './plugin-fixture';

async function loadDir(dir: string, apiVersion?: string) {
  const registry = new FactoryRegistry();
  const logger = recordingLogger();
  const host = new PluginHost({ dir, registry, logger, apiVersion });
  const reports = await host.loadAll();
  return { registry, logger, host, reports, byName: (name: string) => reports.find((r) => r.name === name) as PluginLoadReport };
}

describe('PluginHost', () => {
  it('loads a built plugin: its network filter is registered with a working config validator', async () => {
    const dir = makePluginsDir();
    await writeBuiltPlugin(dir, { name: 'sample', version: '1.2.3', provides: [SAMPLE_FILTER], source: SAMPLE_FILTER_SOURCE });
    const { registry, reports, logger } = await loadDir(dir);

    assert.equal(reports.length, 1);
    const [report] = reports;
    assert.equal(report.state, 'loaded', report.error);
    assert.equal(report.name, 'sample');
    assert.equal(report.version, '1.2.3');
    assert.equal(report.dir, path.join(dir, 'sample'));
    assert.ok(report.loadedAt instanceof Date);
    assert.deepEqual(report.provides, [{ kind: 'network_filter', name: 'sample_filter' }]);

    const entry = registry.get('network_filter', 'sample_filter');
    assert.ok(entry);
    assert.equal(entry.pluginName, 'sample');
    assert.equal(entry.pluginVersion, '1.2.3');
    assert.deepEqual(registry.names('network_filter'), ['sample_filter']);
    assert.deepEqual(entry.validateConfig({ cluster: 'backend' }, 'filters[0].config'), []);
    assert.deepEqual(entry.validateConfig({ cluster: 5 }, 'filters[0].config'), ['filters[0].config.cluster: must be a string, got 5']);
    assert.deepEqual(entry.validateConfig({}, 'filters[0].config'), ['filters[0].config.cluster: is required']);

    // The factory works and hands out the kernel's own FilterStatus.
    const factory = entry.factory as sdk.NetworkFilterFactory<{ cluster: string }>;
    const chain = factory.createFilterChainFactory({ cluster: 'backend' }, {} as sdk.FilterFactoryContext);
    const filters: sdk.ReadFilter[] = [];
    chain.createFilterChain({} as sdk.Connection, { addReadFilter: (f) => filters.push(f), addWriteFilter: () => undefined });
    assert.equal(filters[0].onData(new sdk.IoBuffer(), false), sdk.FilterStatus.Continue);

    // The plugin's logger is a child that names it.
    assert.ok(logger.records.some((r) => r.msg === 'activating' && r.fields.plugin === 'sample'));
  });

  it("gives the bundle the host's own SDK module: FilterStatus is the same object", async () => {
    const dir = makePluginsDir();
    await writeBuiltPlugin(dir, { name: 'sample', provides: [SAMPLE_FILTER], source: SAMPLE_FILTER_SOURCE });
    const { registry } = await loadDir(dir);
    const factory = registry.get('network_filter', 'sample_filter')?.factory as { statusEnum: unknown };
    assert.equal(factory.statusEnum, sdk.FilterStatus);
  });

  it('refuses a plugin whose engines.mosn excludes the kernel, naming plugin, range and version; the other still loads', async () => {
    const dir = makePluginsDir();
    await writeBuiltPlugin(dir, { name: 'future', engines: { mosn: '>=2.0.0' }, provides: networkFilters('future_filter'), source: networkFiltersSource(['future_filter']) });
    await writeBuiltPlugin(dir, { name: 'sample', provides: [SAMPLE_FILTER], source: SAMPLE_FILTER_SOURCE });
    const { registry, reports, byName, logger } = await loadDir(dir, '1.0.0');

    assert.deepEqual(reports.map((r) => [r.name, r.state]), [['future', 'refused'], ['sample', 'loaded']]);
    assert.equal(byName('future').error, 'plugin "future" requires mosn plugin API ">=2.0.0" but this kernel provides 1.0.0');
    assert.equal(byName('future').version, '1.0.0');
    assert.deepEqual(byName('future').provides, []);
    assert.equal(registry.get('network_filter', 'future_filter'), undefined);
    assert.ok(registry.get('network_filter', 'sample_filter'));
    const errorLine = logger.records.find((r) => r.level === 'error');
    assert.equal(errorLine?.fields.plugin, 'future');
    assert.equal(errorLine?.fields.reason, byName('future').error);
  });

  it('defaults apiVersion to PLUGIN_API_VERSION', async () => {
    const dir = makePluginsDir();
    await writeBuiltPlugin(dir, { name: 'future', engines: { mosn: '>=99.0.0' }, provides: networkFilters('f'), source: networkFiltersSource(['f']) });
    const { byName } = await loadDir(dir);
    assert.match(byName('future').error ?? '', new RegExp(`this kernel provides ${sdk.PLUGIN_API_VERSION.replace(/\./g, '\\.')}$`));
  });

  it('refuses a bundle edited after the build (sha256 mismatch), naming expected and actual', async () => {
    const dir = makePluginsDir();
    const pluginDir = await writeBuiltPlugin(dir, { name: 'sample', provides: [SAMPLE_FILTER], source: SAMPLE_FILTER_SOURCE });
    const expected = String(readManifestJson(pluginDir).sha256);
    fs.appendFileSync(path.join(pluginDir, 'dist', 'index.js'), '\n// tampered\n');
    const { byName, registry } = await loadDir(dir);

    const report = byName('sample');
    assert.equal(report.state, 'refused');
    assert.match(report.error ?? '', /^plugin "sample": dist\/index\.js does not match the sha256 in plugin\.json \(expected [0-9a-f]{64}, actual [0-9a-f]{64}\)$/);
    assert.ok(report.error?.includes(`expected ${expected}`));
    assert.deepEqual(registry.all(), []);
  });

  it('refuses a manifest without sha256, pointing at mosn-plugin build', async () => {
    const dir = makePluginsDir();
    const pluginDir = await writeBuiltPlugin(dir, { name: 'sample', provides: [SAMPLE_FILTER], source: SAMPLE_FILTER_SOURCE });
    const manifest = readManifestJson(pluginDir);
    delete manifest.sha256;
    writeManifestJson(pluginDir, manifest);
    const { byName } = await loadDir(dir);
    assert.equal(byName('sample').state, 'refused');
    assert.equal(byName('sample').error, 'plugin "sample" has no sha256 in plugin.json; run `mosn-plugin build` to write it');
  });

  it('refuses a bundle with a syntax error, naming the bundle', async () => {
    const dir = makePluginsDir();
    const pluginDir = await writeBuiltPlugin(dir, { name: 'broken', provides: networkFilters('x'), source: networkFiltersSource(['x']) });
    replaceBundle(pluginDir, 'module.exports = {\n  activate() { return 1 + ; },\n};\n');
    const { byName } = await loadDir(dir);
    assert.equal(byName('broken').state, 'refused');
    assert.match(byName('broken').error ?? '', /^plugin "broken": dist\/index\.js failed to evaluate: SyntaxError: Unexpected token ';' \(at dist\/index\.js:2\)$/);
  });

  it('refuses a plugin whose activate throws, and keeps none of what it registered before throwing', async () => {
    const dir = makePluginsDir();
    await writeBuiltPlugin(dir, {
      name: 'thrower',
      provides: networkFilters('first', 'second'),
      source: networkFiltersSource(['first'], "throw new Error('boom');"),
    });
    const { byName, registry } = await loadDir(dir);
    assert.equal(byName('thrower').state, 'refused');
    assert.equal(byName('thrower').error, 'plugin "thrower": activate failed: Error: boom');
    assert.equal(registry.get('network_filter', 'first'), undefined);
    assert.deepEqual(registry.all(), []);
  });

  it('refuses a plugin whose async activate rejects', async () => {
    const dir = makePluginsDir();
    await writeBuiltPlugin(dir, {
      name: 'rejecter',
      provides: networkFilters('first'),
      source: networkFiltersSource(['first'], "await new Promise((resolve) => setTimeout(resolve, 5)); throw new TypeError('late');"),
    });
    const { byName, registry } = await loadDir(dir);
    assert.equal(byName('rejecter').error, 'plugin "rejecter": activate failed: TypeError: late');
    assert.deepEqual(registry.all(), []);
  });

  it('refuses a plugin that registers a name its manifest does not declare', async () => {
    const dir = makePluginsDir();
    await writeBuiltPlugin(dir, { name: 'sneaky', provides: networkFilters('declared'), source: networkFiltersSource(['declared', 'undeclared']) });
    const { byName, registry } = await loadDir(dir);
    assert.equal(byName('sneaky').state, 'refused');
    assert.equal(
      byName('sneaky').error,
      'plugin "sneaky": activate failed: Error: plugin "sneaky" cannot register network_filter "undeclared": it is not declared in plugin.json provides',
    );
    assert.deepEqual(registry.all(), []);
  });

  it('refuses a plugin that does not register a factory it declares', async () => {
    const dir = makePluginsDir();
    await writeBuiltPlugin(dir, { name: 'lazy', provides: networkFilters('one', 'two'), source: networkFiltersSource(['one']) });
    const { byName, registry } = await loadDir(dir);
    assert.equal(byName('lazy').error, 'plugin "lazy": activate did not register network_filter "two" declared in plugin.json provides');
    assert.deepEqual(registry.all(), []);
  });

  it('refuses the second of two plugins providing the same name; the first keeps it', async () => {
    const dir = makePluginsDir();
    await writeBuiltPlugin(dir, { name: 'first', provides: networkFilters('dup', 'only_first'), source: networkFiltersSource(['dup', 'only_first']) });
    await writeBuiltPlugin(dir, {
      name: 'second',
      provides: networkFilters('only_second', 'dup'),
      source: networkFiltersSource(['only_second', 'dup']).replace(
        'export = definePlugin({',
        'export = definePlugin({ deactivate() { (globalThis as Record<string, unknown>).secondDeactivated = true; },',
      ),
    });
    const { byName, registry } = await loadDir(dir);
    assert.equal(byName('first').state, 'loaded');
    assert.equal(byName('second').state, 'refused');
    assert.equal(byName('second').error, 'plugin "second": network_filter "dup" is already registered by plugin "first"');
    assert.equal(registry.get('network_filter', 'dup')?.pluginName, 'first');
    assert.equal(registry.get('network_filter', 'only_second'), undefined, 'a refused plugin commits none of its factories');
    assert.equal((globalThis as Record<string, unknown>).secondDeactivated, true, 'an activated but uncommitted plugin is deactivated');
    delete (globalThis as Record<string, unknown>).secondDeactivated;
  });

  it('refuses a bundle that requires a package it did not bundle; node built-ins are fine', async () => {
    const dir = makePluginsDir();
    const unbundled = await writeBuiltPlugin(dir, { name: 'unbundled', provides: networkFilters('u'), source: networkFiltersSource(['u']) });
    replaceBundle(unbundled, 'const leftPad = require("left-pad");\nmodule.exports = { activate() {} };\n');
    await writeBuiltPlugin(dir, {
      name: 'uses-builtins',
      provides: networkFilters('b'),
      source: `import * as os from 'node:os';\nimport { EventEmitter } from 'events';\n${networkFiltersSource(['b'], 'void os.EOL; void new EventEmitter();')}`,
    });
    const { byName } = await loadDir(dir);
    assert.equal(byName('unbundled').error, 'plugin "unbundled": dist/index.js failed to evaluate: Error: bundle requires "left-pad"; bundle your dependencies');
    assert.equal(byName('uses-builtins').state, 'loaded', byName('uses-builtins').error);
  });

  it('refuses an invalid manifest under the folder name, and a configSchema that does not compile', async () => {
    const dir = makePluginsDir();
    writePlugin(dir, { name: 'Bad Name', provides: [], source: '' }, 'bad-folder');
    await writeBuiltPlugin(dir, {
      name: 'bad-schema',
      provides: [{ kind: 'network_filter', name: 'f', configSchema: { type: 'object', propertys: {} } }],
      source: networkFiltersSource(['f']),
    });
    const { byName } = await loadDir(dir);
    assert.equal(byName('bad-folder').state, 'refused');
    assert.equal(byName('bad-folder').version, undefined);
    assert.equal(byName('bad-folder').error, `plugin folder ${path.join(dir, 'bad-folder')}: plugin.json: name: must match pattern "^[a-z0-9][a-z0-9_-]*$"`);
    assert.match(byName('bad-schema').error ?? '', /^plugin "bad-schema": configSchema of network_filter "f" is invalid: strict mode: unknown keyword: "propertys"/);
  });

  it("compiles config schemas with the kernel's formats; an unknown format refuses the plugin", async () => {
    const dir = makePluginsDir();
    const timedSchema = { type: 'object', properties: { idle_timeout: { type: 'string', format: 'duration' } } };
    await writeBuiltPlugin(dir, { name: 'timed', provides: [{ kind: 'network_filter', name: 't', configSchema: timedSchema }], source: networkFiltersSource(['t']) });
    const oddSchema = { type: 'object', properties: { when: { type: 'string', format: 'moon-phase' } } };
    await writeBuiltPlugin(dir, { name: 'odd', provides: [{ kind: 'network_filter', name: 'o', configSchema: oddSchema }], source: networkFiltersSource(['o']) });
    const { byName, registry } = await loadDir(dir);
    assert.equal(byName('timed').state, 'loaded', byName('timed').error);
    assert.deepEqual(registry.get('network_filter', 't')?.validateConfig({ idle_timeout: '90s' }, 'f'), []);
    assert.deepEqual(registry.get('network_filter', 't')?.validateConfig({ idle_timeout: 'soon' }, 'f'), ['f.idle_timeout: "soon" is not a valid duration']);
    assert.match(byName('odd').error ?? '', /^plugin "odd": configSchema of network_filter "o" is invalid: unknown format "moon-phase"/);
  });

  it('accepts `export default` bundles and ignores folders without plugin.json; loads in folder-name order', async () => {
    const dir = makePluginsDir();
    await writeBuiltPlugin(dir, { name: 'zed', provides: networkFilters('z'), source: networkFiltersSource(['z']).replace('export =', 'export default') });
    await writeBuiltPlugin(dir, { name: 'alpha', provides: networkFilters('a'), source: networkFiltersSource(['a']) });
    fs.mkdirSync(path.join(dir, 'not-a-plugin'));
    fs.writeFileSync(path.join(dir, 'README.md'), 'plugins');
    const { reports } = await loadDir(dir);
    assert.deepEqual(reports.map((r) => [r.name, r.state]), [['alpha', 'loaded'], ['zed', 'loaded']]);
  });

  it('returns an empty list and warns when the plugins directory does not exist', async () => {
    const missing = path.join(makePluginsDir(), 'nope');
    const { reports, logger, host } = await loadDir(missing);
    assert.deepEqual(reports, []);
    assert.deepEqual(host.list(), []);
    assert.ok(logger.records.some((r) => r.level === 'warn' && r.fields.dir === missing));
  });

  it('disposeAll deactivates plugins and removes their factories; list() reflects loadAll', async () => {
    const dir = makePluginsDir();
    await writeBuiltPlugin(dir, {
      name: 'counted',
      provides: networkFilters('c'),
      source: networkFiltersSource(['c']).replace(
        'export = definePlugin({',
        'export = definePlugin({ async deactivate() { (globalThis as Record<string, unknown>).countedDeactivated = true; },',
      ),
    });
    const { host, registry, reports } = await loadDir(dir);
    assert.deepEqual(host.list(), reports);
    await assert.rejects(host.loadAll(), /already loaded/);
    await host.disposeAll();
    assert.equal((globalThis as Record<string, unknown>).countedDeactivated, true);
    delete (globalThis as Record<string, unknown>).countedDeactivated;
    assert.deepEqual(registry.all(), []);
    assert.deepEqual(host.list(), []);
    // Loadable again once disposed.
    assert.equal((await host.loadAll())[0].state, 'loaded');
  });

  it('lets a disposed plugin be garbage-collected', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const dir = makePluginsDir();
    await writeBuiltPlugin(dir, { name: 'sample', provides: [SAMPLE_FILTER], source: SAMPLE_FILTER_SOURCE });
    const registry = new FactoryRegistry();
    const host = new PluginHost({ dir, registry, logger: recordingLogger() });
    await host.loadAll();
    const factoryRef = new WeakRef(registry.get('network_filter', 'sample_filter')!.factory as object);
    await host.disposeAll();
    for (let i = 0; i < 10 && factoryRef.deref() !== undefined; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    assert.equal(factoryRef.deref(), undefined, 'the factory (and so its bundle) is still referenced after disposeAll');
  });
});
