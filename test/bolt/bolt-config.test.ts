import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MosnConfig } from '../../core/config/config-types';
import { startMosn, type RunningMosn } from '../support/mosn-harness';
import { REPO_ROOT } from '../support/paths';
import { jstr, SofaClient, startSofaServer, type SofaServer } from './sofa-peers';

/** configs/bolt-proxy.json, moved to free ports and pointed at test servers. */
function shippedConfig(echo: string, other: string): MosnConfig {
  const config = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'configs', 'bolt-proxy.json'), 'utf8')) as {
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

describe('configs/bolt-proxy.json', () => {
  let echo: SofaServer;
  let other: SofaServer;
  let mosn: RunningMosn;

  before(async () => {
    [echo, other] = await Promise.all([startSofaServer('echo'), startSofaServer('other')]);
    mosn = await startMosn(shippedConfig(echo.address, other.address));
  });

  after(async () => {
    await mosn?.stop();
    await Promise.all([echo?.kill(), other?.kill()]);
  });

  it('routes by service: exact match to one cluster, regex to the other', async () => {
    const client = new SofaClient(`127.0.0.1:${mosn.address('boltListener').port}`);
    const e = await client.consumer('com.example.EchoService');
    const o = await client.consumer('com.example.OtherService');
    assert.equal(await e.invoke('echo', [jstr('cfg')]), 'echo:cfg');
    assert.equal(await o.invoke('whoami', []), 'other:other');
    await client.close();
  });
});
