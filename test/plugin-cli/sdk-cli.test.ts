import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import * as sdk from '../../plugin-sdk';
import { bundleFromEntries } from '../../plugin-sdk/cli/plugin-bundle';
import { installBundle } from '../../plugin-sdk/cli/plugin-installer';
import { readTgz } from '../../plugin-sdk/cli/tar-archive';
import { makePluginsDir } from '../host/plugin-fixture';
import { hostFixture } from '../host/reload-fixture';
import { startHttpUpstream, type Echoed } from '../support/http-upstreams';
import { runMosn } from '../support/mosn-process';
import { REPO_ROOT } from '../support/paths';
import { copyRepoPlugin } from '../support/plugin-dirs';

const exec = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'bin', 'mosn-plugin.js');

/** Runs `mosn-plugin ARGS` in `cwd` as a user would; resolves with its exit code and output. */
async function mosnPlugin(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('mosn-plugin new → build → test → pack', { timeout: 120_000 }, () => {
  for (const kind of ['stream_filter', 'network_filter', 'protocol', 'extension']) {
    it(`${kind}: the scaffold builds, passes its own tests, packs, and loads in the kernel`, async () => {
      const work = makePluginsDir();
      const name = `demo_${kind.split('_')[0]}`;
      const created = await mosnPlugin(work, 'new', name, '--kind', kind);
      assert.equal(created.code, 0, created.stderr);
      const dir = path.join(work, name);
      assert.deepEqual(fs.readdirSync(dir).sort(), ['README.md', 'plugin.json', 'src', 'test']);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'plugin.json'), 'utf8')) as sdk.PluginManifest;
      assert.deepEqual(manifest.provides.map((p) => [p.kind, p.name]), [[kind, name]]);
      if (kind !== 'protocol') assert.ok(manifest.provides[0].configSchema, 'a config schema');

      const tested = await mosnPlugin(dir, 'test');
      assert.equal(tested.code, 0, `${tested.stdout}\n${tested.stderr}`);
      assert.match(tested.stdout, /^built demo_\w+@0\.1\.0 \(sha256 [0-9a-f]{12}\)$/m);
      assert.match(tested.stdout, /ℹ fail 0/);
      assert.doesNotMatch(tested.stdout, /ℹ pass 0/);

      const packed = await mosnPlugin(dir, 'pack', '--out', path.join(work, 'packs'));
      assert.equal(packed.code, 0, packed.stderr);
      const tgz = path.join(work, 'packs', `${name}-0.1.0.tgz`);
      const entries = readTgz(fs.readFileSync(tgz));
      assert.deepEqual(entries.map((e) => e.path), [`${name}/plugin.json`, `${name}/dist/index.js`, `${name}/README.md`]);
      assert.match(packed.stdout, new RegExp(`sha256 [0-9a-f]{64}`));

      // What a user does next: the packed plugin goes into a plugins directory and loads.
      const f = hostFixture();
      installBundle(bundleFromEntries(entries, tgz), f.dir);
      const [report] = await f.host.loadAll();
      assert.deepEqual([report.name, report.state, report.error], [name, 'loaded', undefined]);
      assert.ok(f.registry.get(kind as sdk.FactoryKind, name));
      await f.host.disposeAll();
    });
  }

  it('new → build → test → cp into a running proxy\'s plugins directory → live, then edit → build → cp → live again', async (t) => {
    const work = makePluginsDir();
    const cp = (from: string, to: string) => exec('cp', ['-r', from, to]);
    assert.equal((await mosnPlugin(work, 'new', 'live', '--kind', 'stream_filter')).code, 0);
    const dir = path.join(work, 'live');
    assert.equal((await mosnPlugin(dir, 'build')).code, 0);
    const tested = await mosnPlugin(dir, 'test');
    assert.equal(tested.code, 0, `${tested.stdout}\n${tested.stderr}`);

    // The proxy: http1 and the new plugin in its plugins directory, a listener naming the filter.
    const pluginsDir = path.join(work, 'plugins');
    fs.mkdirSync(pluginsDir);
    copyRepoPlugin('http1', pluginsDir);
    await cp(dir, pluginsDir);
    const upstream = await startHttpUpstream('u');
    const config = {
      admin: { address: '127.0.0.1:0' },
      plugins: { dir: './plugins' },
      servers: [
        {
          default_log_level: 'INFO',
          routers: [{ router_config_name: 'r', virtual_hosts: [{ name: 'all', domains: ['*'], routers: [{ match: { prefix: '/' }, route: { cluster_name: 'u' } }] }] }],
          listeners: [
            {
              name: 'http',
              address: '127.0.0.1:0',
              stream_filters: [{ type: 'live', config: { header: 'x-hello' } }],
              filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'Http1', router_config_name: 'r' } }] }],
            },
          ],
        },
      ],
      cluster_manager: { clusters: [{ name: 'u', type: 'SIMPLE', hosts: [{ address: upstream.address }] }] },
    };
    fs.writeFileSync(path.join(work, 'mosn.json'), JSON.stringify(config, null, 2));
    const mosn = runMosn(['start', '-c', 'mosn.json'], work);
    try {
      const line = await mosn.waitForLine(/"msg":"listener started"/);
      const address = (JSON.parse(line) as { address: string }).address;
      const hello = async () => {
        const res = await fetch(`http://${address}/`);
        assert.equal(res.status, 200);
        return (JSON.parse(await res.text()) as Echoed).headers['x-hello'];
      };
      assert.equal(await hello(), 'live');

      // Edit, build, test, copy over the running proxy's copy: live within 2 s, no restart.
      const src = path.join(dir, 'src', 'index.ts');
      fs.writeFileSync(src, fs.readFileSync(src, 'utf8').replace("config.value ?? 'live'", "config.value ?? 'live, edited'"));
      assert.equal((await mosnPlugin(dir, 'build')).code, 0);
      assert.equal((await mosnPlugin(dir, 'test')).code, 0);
      await cp(`${dir}/.`, path.join(pluginsDir, 'live'));
      const landed = Date.now();
      while ((await hello()) !== 'live, edited') {
        assert.ok(Date.now() - landed < 2000, 'the edited filter was not live within 2 s');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      t.diagnostic(`edited filter live ${Date.now() - landed} ms after cp`);
      assert.match(mosn.stdout(), /"msg":"plugin live@0\.1\.0 loaded \(generation 2\)"/);
    } finally {
      mosn.child.kill('SIGTERM');
      await mosn.exited;
      await upstream.close();
    }
  });

  it('test fails (exit 1) when a test fails, and shows which', async () => {
    const work = makePluginsDir();
    await mosnPlugin(work, 'new', 'failing');
    const dir = path.join(work, 'failing');
    const testFile = path.join(dir, 'test', 'failing.test.ts');
    fs.writeFileSync(testFile, fs.readFileSync(testFile, 'utf8').replace("assert.equal(result.headers.get('x-hello'), 'world');", "assert.equal(result.headers.get('x-hello'), 'mars');"));
    const run = await mosnPlugin(dir, 'test');
    assert.equal(run.code, 1);
    assert.match(run.stdout, /✖ adds the configured header to a request/);
    assert.match(run.stdout, /ℹ fail 1/);
  });

  it('pack refuses a bundle that no longer matches its sha256; new refuses a bad name, an unknown kind, an existing folder', async () => {
    const work = makePluginsDir();
    await mosnPlugin(work, 'new', 'stale', '--kind', 'network_filter');
    const dir = path.join(work, 'stale');
    assert.equal((await mosnPlugin(dir, 'build')).code, 0);
    fs.appendFileSync(path.join(dir, 'dist', 'index.js'), '// edited\n');
    const pack = await mosnPlugin(dir, 'pack');
    assert.equal(pack.code, 1);
    assert.match(pack.stderr, /dist\/index\.js does not match the sha256 in plugin\.json .*run `mosn-plugin build`/);
    assert.equal(fs.readdirSync(dir).some((f) => f.endsWith('.tgz')), false);

    const badName = await mosnPlugin(work, 'new', 'Bad Name');
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /plugin name "Bad Name" must be lowercase/);
    const badKind = await mosnPlugin(work, 'new', 'x', '--kind', 'router');
    assert.equal(badKind.code, 2);
    assert.match(badKind.stderr, /unknown --kind "router"/);
    const exists = await mosnPlugin(work, 'new', 'stale');
    assert.equal(exists.code, 1);
    assert.match(exists.stderr, /already exists and is not empty/);
  });

  it('--help lists every command', async () => {
    const help = await mosnPlugin(REPO_ROOT, '--help');
    assert.equal(help.code, 0);
    for (const c of ['new', 'build', 'test', 'pack', 'install', 'index']) assert.match(help.stdout, new RegExp(`^  ${c}\\s`, 'm'));
  });
});
