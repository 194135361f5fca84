import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { buildPlugin, PluginBuildError } from '../../plugin-sdk/cli/plugin-builder';
import { REPO_ROOT } from '../support/paths';
import { makePluginsDir, networkFilters, networkFiltersSource, readManifestJson, SAMPLE_FILTER, SAMPLE_FILTER_SOURCE, writePlugin } from './plugin-fixture';

const sha256Of = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function runCli(args: string[], cwd = REPO_ROOT) {
  return spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'mosn-plugin.js'), ...args], { cwd, encoding: 'utf8' });
}

describe('mosn-plugin build', () => {
  it('bundles into a nested main and writes its sha256 into plugin.json, keeping the key order', async () => {
    const dir = writePlugin(makePluginsDir(), { name: 'sample', main: 'build/out/plugin.js', provides: [SAMPLE_FILTER], source: SAMPLE_FILTER_SOURCE });
    const result = await buildPlugin(dir);

    const bundle = path.join(dir, 'build', 'out', 'plugin.js');
    assert.equal(result.sha256, sha256Of(bundle));
    assert.equal(result.main, 'build/out/plugin.js');
    assert.equal(result.manifestUpdated, true);
    const text = fs.readFileSync(path.join(dir, 'plugin.json'), 'utf8');
    assert.ok(text.endsWith('}\n'));
    assert.ok(text.includes('\n  "name": "sample",\n'), 'two-space indentation');
    assert.deepEqual(Object.keys(JSON.parse(text)), ['name', 'version', 'main', 'engines', 'provides', 'sha256']);
    assert.equal(readManifestJson(dir).sha256, result.sha256);

    const code = fs.readFileSync(bundle, 'utf8');
    assert.match(code, /require\("mosn-plugin-sdk"\)/, 'the SDK stays external');
    assert.doesNotMatch(code, /sourceMappingURL/);
    assert.deepEqual(result.warnings, []);
  });

  it('keeps an existing sha256 key where it is and rewrites plugin.json only when the value changes', async () => {
    const dir = writePlugin(makePluginsDir(), { name: 'sample', provides: [SAMPLE_FILTER], source: SAMPLE_FILTER_SOURCE });
    const manifestFile = path.join(dir, 'plugin.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(manifestFile, JSON.stringify({ name: manifest.name, sha256: '0'.repeat(64), ...manifest }, null, 2) + '\n');

    const first = await buildPlugin(dir);
    assert.deepEqual(Object.keys(readManifestJson(dir)), ['name', 'sha256', 'version', 'main', 'engines', 'provides']);
    assert.equal(first.manifestUpdated, true);

    const before = fs.statSync(manifestFile).mtimeMs;
    const bundleBefore = fs.statSync(path.join(dir, 'dist', 'index.js')).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await buildPlugin(dir);
    assert.equal(second.sha256, first.sha256, 'the same source gives the same bytes');
    assert.equal(second.manifestUpdated, false);
    assert.equal(fs.statSync(manifestFile).mtimeMs, before);
    assert.equal(fs.statSync(path.join(dir, 'dist', 'index.js')).mtimeMs, bundleBefore, 'an unchanged bundle is not rewritten');
  });

  it('inlines the plugin’s own modules and dependencies', async () => {
    const dir = writePlugin(makePluginsDir(), {
      name: 'deps',
      provides: networkFilters('d'),
      source: `import { pad } from './pad';\nimport shout from 'tiny-shout';\n${networkFiltersSource(['d'], 'void pad(shout("x"));')}`,
    });
    fs.writeFileSync(path.join(dir, 'src', 'pad.ts'), 'export const pad = (s: string): string => ` ${s} `;\n');
    fs.mkdirSync(path.join(dir, 'node_modules', 'tiny-shout'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules', 'tiny-shout', 'index.js'), 'module.exports = (s) => s.toUpperCase() + "!";\n');
    await buildPlugin(dir);
    const code = fs.readFileSync(path.join(dir, 'dist', 'index.js'), 'utf8');
    assert.doesNotMatch(code, /require\("tiny-shout"\)|require\("\.\/pad"\)/);
    assert.match(code, /toUpperCase/);
  });

  it('passes on esbuild warnings', async () => {
    const dir = writePlugin(makePluginsDir(), { name: 'warns', provides: networkFilters('w'), source: networkFiltersSource(['w'], "if (typeof ctx === 'null') return;") });
    const result = await buildPlugin(dir);
    assert.ok(result.warnings.length > 0);
    assert.match(result.warnings[0], /^src\/index\.ts:\d+:\d+: /);
  });

  it('builds a src/index.js entry too', async () => {
    const dir = writePlugin(makePluginsDir(), { name: 'plain-js', provides: networkFilters('j'), source: '' });
    fs.rmSync(path.join(dir, 'src', 'index.ts'));
    fs.writeFileSync(path.join(dir, 'src', 'index.js'), 'module.exports = { activate(ctx) { ctx.registerNetworkFilter("j", { createFilterChainFactory() {} }); } };\n');
    const result = await buildPlugin(dir);
    assert.equal(result.sha256, sha256Of(path.join(dir, 'dist', 'index.js')));
  });

  it('refuses, naming the folder: no plugin.json, an invalid manifest, no entry, a compile error', async () => {
    const root = makePluginsDir();
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    await assert.rejects(buildPlugin(empty), { name: 'PluginBuildError', message: `plugin folder ${empty}: no plugin.json (not a plugin folder)` });

    const invalid = writePlugin(root, { name: 'invalid', engines: { mosn: 'latest' }, provides: [], source: '' });
    await assert.rejects(buildPlugin(invalid), { message: `plugin folder ${invalid}: plugin.json: engines.mosn: "latest" is not a valid semver range` });

    const noEntry = writePlugin(root, { name: 'no-entry', provides: [], source: '' });
    fs.rmSync(path.join(noEntry, 'src'), { recursive: true });
    await assert.rejects(buildPlugin(noEntry), { message: `plugin folder ${noEntry}: no entry file (src/index.ts or src/index.js)` });

    const broken = writePlugin(root, { name: 'broken', provides: [], source: 'export const x = ;\n' });
    await assert.rejects(buildPlugin(broken), (err: Error) => {
      assert.ok(err instanceof PluginBuildError);
      assert.match(err.message, new RegExp(`^plugin folder ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: bundling failed:\\n  src/index\\.ts:1:\\d+: `));
      return true;
    });
    assert.equal(fs.existsSync(path.join(broken, 'dist')), false);
  });

  it('runs as bin/mosn-plugin.js: one line per plugin, exit 1 if any folder failed, 2 on bad usage', () => {
    const root = makePluginsDir();
    const a = writePlugin(root, { name: 'alpha', version: '0.1.0', provides: networkFilters('a'), source: networkFiltersSource(['a']) });
    const b = writePlugin(root, { name: 'beta', version: '2.0.0', provides: networkFilters('b'), source: networkFiltersSource(['b']) });
    const notPlugin = path.join(root, 'not-a-plugin');
    fs.mkdirSync(notPlugin);

    const ok = runCli(['build', a, b]);
    assert.equal(ok.status, 0, ok.stderr);
    const lines = ok.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^alpha@0\.1\.0 → .*alpha\/dist\/index\.js \(sha256 [0-9a-f]{12}, plugin\.json updated\)$/);
    assert.ok(lines[0].includes(String(readManifestJson(a).sha256).slice(0, 12)));
    assert.match(lines[1], /^beta@2\.0\.0 → /);

    // Default folder: the current directory; the output does not depend on where it runs from.
    const again = runCli(['build'], a);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, `alpha@0.1.0 → dist/index.js (sha256 ${String(readManifestJson(a).sha256).slice(0, 12)})\n`);

    const partly = runCli(['build', notPlugin, b]);
    assert.equal(partly.status, 1);
    assert.match(partly.stderr, /not-a-plugin: no plugin\.json/);
    assert.match(partly.stdout, /^beta@2\.0\.0 → /);

    assert.equal(runCli(['--help']).status, 0);
    assert.match(runCli(['--help']).stdout, /^  build +bundle plugin folders/m);
    assert.equal(runCli(['build', '--help']).status, 0);
    const unknown = runCli(['frobnicate']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    assert.equal(runCli([]).status, 2);
    assert.equal(runCli(['build', '--watch']).status, 2);
  });
});
