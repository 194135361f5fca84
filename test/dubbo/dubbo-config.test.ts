import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MosnConfig } from '../../core/config/config-types';
import { startMosn, type RunningMosn } from '../support/mosn-harness';
import { runMosn } from '../support/mosn-process';
import { REPO_ROOT } from '../support/paths';
import { DubboConsumer, DubboProvider, jint, jstr } from './dubbo-peers';

const CONFIG = path.join(REPO_ROOT, 'configs', 'dubbo-proxy.json');

/** configs/dubbo-proxy.json, moved to free ports and pointed at test providers. */
function shippedConfig(echo: string, other: string): MosnConfig {
  const config = JSON.parse(fs.readFileSync(CONFIG, 'utf8')) as {
    servers: { default_log_path?: string; listeners: { address: string; access_logs?: unknown }[] }[];
    cluster_manager: { clusters: { name: string; hosts: { address: string }[] }[] };
    admin?: unknown;
    pid?: string;
  };
  delete config.servers[0].default_log_path; // the harness logs to a temp file
  config.servers[0].listeners[0].address = '127.0.0.1:0';
  delete config.servers[0].listeners[0].access_logs; // stdout would mix with the test report
  for (const c of config.cluster_manager.clusters) c.hosts = [{ address: c.name === 'echo_service' ? echo : other }];
  delete config.admin;
  delete config.pid;
  return config as unknown as MosnConfig;
}

describe('configs/dubbo-proxy.json', () => {
  let echo: DubboProvider;
  let other: DubboProvider;
  let mosn: RunningMosn;

  before(async () => {
    [echo, other] = await Promise.all([DubboProvider.start('echo'), DubboProvider.start('other')]);
    mosn = await startMosn(shippedConfig(echo.address, other.address));
  });

  after(async () => {
    await mosn?.stop();
    await Promise.all([echo?.close(), other?.close()]);
  });

  it('routes by service: exact match to one cluster, regex to the other; the slow method has its own route', async () => {
    const c = await DubboConsumer.connect(mosn.address('dubboListener').port);
    const e = await c.invoke({ service: 'com.example.EchoService', method: 'echo', types: 'Ljava/lang/String;', args: [jstr('cfg')] });
    const o = await c.invoke({ service: 'com.example.OtherService', method: 'whoami' });
    // 3 s route timeout on EchoService, 10 s on its slow method: a 3.2 s call passes only by the method route.
    const s = await c.invoke({ service: 'com.example.EchoService', method: 'slow', types: 'I', args: [jint(3200)] }, 8000);
    assert.deepEqual([e.value, o.value, s.value], ['echo:cfg', 'other', 'echo:slow']);
    c.close();
  });

  it('starts as is with `mosn start -c configs/dubbo-proxy.json`', async (t) => {
    const busy = await Promise.all([2182, 34906].map(portInUse));
    if (busy.some(Boolean)) {
      t.skip('port 2182 or 34906 is in use on this machine');
      return;
    }
    // From the repository root, as the README says: plugins/ is found there.
    const proc = runMosn(['start', '-c', 'configs/dubbo-proxy.json'], REPO_ROOT);
    try {
      await proc.waitForLine(/"msg":"mosn-ts started"/);
      assert.equal(await portInUse(2182), true, 'the dubbo listener is up');
      // An answer from the admin API also shows the process is past its start-up code (it logs
      // "started" just before installing its SIGTERM handler).
      assert.equal((await fetch('http://127.0.0.1:34906/api/v1/version')).status, 200);
    } finally {
      proc.child.kill('SIGTERM');
      assert.equal(await proc.exited, 0);
    }
    assert.ok(!fs.existsSync(path.join(REPO_ROOT, 'mosn-dubbo.pid')), 'the pid file is removed on stop');
  });
});

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}
