import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../support/paths';
import { runMosn } from '../support/mosn-process';

describe('the default config (configs/mosn_config.json)', () => {
  it('starts with nothing else running: the listener answers through tcp_proxy and the admin API answers', async () => {
    const mosn = runMosn(['start'], REPO_ROOT);
    try {
      await mosn.waitForLine(/"msg":"mosn-ts started"/);
      const hello = await fetch('http://127.0.0.1:2045/');
      assert.equal(hello.status, 200);
      assert.match(await hello.text(), /Hello from mosn-ts/);
      const version = await fetch('http://127.0.0.1:34901/api/v1/version');
      assert.equal(version.status, 200);
      const metrics = await (await fetch('http://127.0.0.1:34901/metrics')).text();
      assert.match(metrics, /^downstream_connection_total\{listener="serverListener"\} [1-9]/m);
      assert.match(metrics, /^upstream_connection_total\{cluster="hello_service"\} [1-9]/m);
      const plugins = (await (await fetch('http://127.0.0.1:34901/api/v1/plugins')).json()) as { plugins: { name: string; state: string }[] };
      assert.equal(plugins.plugins.find((p) => p.name === 'tcp_proxy')?.state, 'loaded');
      const states = await (await fetch('http://127.0.0.1:34901/api/v1/states')).text();
      assert.match(states, /state=6/); // Running
    } finally {
      mosn.child.kill('SIGTERM');
      assert.equal(await mosn.exited, 0);
    }
    assert.ok(!fs.existsSync(path.join(REPO_ROOT, 'mosn.pid')));
  });
});
