import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../support/paths';
import { runMosnToEnd } from '../support/mosn-process';
import { freePort } from '../support/tcp-peers';

/** A valid config on free ports; each case breaks one thing. */
function baseConfig(listenPort: number, adminPort: number): Record<string, any> {
  return {
    servers: [
      {
        default_log_path: 'stdout',
        listeners: [
          { name: 'l0', address: `127.0.0.1:${listenPort}`, filter_chains: [{ filters: [{ type: 'tcp_proxy', config: { cluster: 'c' } }] }] },
        ],
      },
    ],
    cluster_manager: { clusters: [{ name: 'c', type: 'SIMPLE', lb_type: 'LB_RANDOM', hosts: [{ address: '127.0.0.1:9' }] }] },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: adminPort } } },
    plugins: { dir: path.join(REPO_ROOT, 'plugins') },
  };
}

async function canBind(port: number): Promise<boolean> {
  const s = net.createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function writeConfig(text: string, name = 'mosn.json'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-cli-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const cases: { name: string; edit: (c: Record<string, any>) => void; expect: RegExp }[] = [
  {
    name: 'bad address',
    edit: (c) => c.servers[0].listeners.push({ name: 'l1', address: '127.0.0.1:99999', filter_chains: [{ filters: [{ type: 'tcp_proxy', config: { cluster: 'c' } }] }] }),
    expect: /^servers\[0\]\.listeners\[1\]\.address: "127\.0\.0\.1:99999" is not a valid address$/m,
  },
  {
    name: 'unknown filter type',
    edit: (c) => (c.servers[0].listeners[0].filter_chains[0].filters[0].type = 'no_such_filter'),
    expect: /^servers\[0\]\.listeners\[0\]\.filter_chains\[0\]\.filters\[0\]\.type: unknown network filter "no_such_filter"/m,
  },
  {
    name: 'missing cluster',
    edit: (c) => (c.servers[0].listeners[0].filter_chains[0].filters[0].config.cluster = 'nowhere'),
    expect: /^servers\[0\]\.listeners\[0\]\.filter_chains\[0\]\.filters\[0\]\.config\.cluster: cluster "nowhere" is not defined/m,
  },
  {
    name: 'wrong type of a field',
    edit: (c) => (c.cluster_manager.clusters[0].hosts[0].weight = 'heavy'),
    expect: /^cluster_manager\.clusters\[0\]\.hosts\[0\]\.weight: must be an integer/m,
  },
  {
    name: "wrong type inside a plugin's config",
    edit: (c) => (c.servers[0].listeners[0].filter_chains[0].filters[0].config.idle_timeout = 30),
    expect: /^servers\[0\]\.listeners\[0\]\.filter_chains\[0\]\.filters\[0\]\.config\.idle_timeout: must be a string/m,
  },
];

describe('mosn start refuses invalid configs: path and reason, non-zero exit, nothing bound', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const [listenPort, adminPort] = [await freePort(), await freePort()];
      const config = baseConfig(listenPort, adminPort);
      c.edit(config);
      const file = writeConfig(JSON.stringify(config, null, 2));
      const r = await runMosnToEnd(['start', '-c', file], path.dirname(file));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, c.expect, r.stderr);
      assert.ok(await canBind(listenPort), 'listener port left free');
      assert.ok(await canBind(adminPort), 'admin port left free');
      assert.ok(!fs.existsSync(path.join(path.dirname(file), 'mosn.pid')), 'no pid file');
    });
  }

  it('malformed JSON, with file:line:column', async () => {
    const [listenPort, adminPort] = [await freePort(), await freePort()];
    const text = JSON.stringify(baseConfig(listenPort, adminPort), null, 2).replace('"servers": [', '"servers": [,');
    const file = writeConfig(text);
    const r = await runMosnToEnd(['start', '-c', file], path.dirname(file));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /mosn\.json:2:\d+: /, r.stderr);
    assert.ok(await canBind(listenPort));
  });

  it('a missing config file', async () => {
    const r = await runMosnToEnd(['start', '-c', '/nonexistent/mosn.json']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /\/nonexistent\/mosn\.json: no such file/);
  });

  it('an unknown feature gate is an error; flags are MOSN’s', async () => {
    const r = await runMosnToEnd(['start', '-f', 'NoSuchGate=true']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown feature gate "NoSuchGate"/);
    const bad = await runMosnToEnd(['start', '--no-such-flag']);
    assert.equal(bad.code, 2);
  });

  it('mosn version prints the version', async () => {
    const r = await runMosnToEnd(['version']);
    assert.equal(r.code, 0);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.match(r.stdout, new RegExp(`mosn-ts ${pkg.version.replace(/\./g, '\\.')}`));
  });
});
