import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MosnConfig } from '../../core/config/config-types';
import { validateConfig } from '../../core/config/config-loader';
import { resolveSettings } from '../../core/config/effective-settings';
import { MosnServer } from '../../core/server/mosn-server';
import { REPO_ROOT } from './paths';

export const REPO_PLUGINS_DIR = path.join(REPO_ROOT, 'plugins');

export interface RunningMosn {
  server: MosnServer;
  /** Bound address of a listener by name. */
  address(listener: string): { host: string; port: number };
  /** `http://ip:port` of the admin API. */
  adminBase: string;
  logFile: string;
  /** The server log's lines, parsed. */
  logLines(): Record<string, unknown>[];
  stop(gracefulTimeoutMs?: number): Promise<void>;
}

/**
 * Starts mosn-ts in this process from a config object (admin on 127.0.0.1:0 unless set; logs to a
 * temp file; plugins from the repository's plugins/ unless `plugins.dir` is set).
 */
export async function startMosn(config: MosnConfig): Promise<RunningMosn> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-run-'));
  const logFile = path.join(dir, 'mosn.log');
  const full: MosnConfig = {
    admin: { address: '127.0.0.1:0' },
    pid: path.join(dir, 'mosn.pid'),
    ...config,
    plugins: { dir: REPO_PLUGINS_DIR, ...config.plugins },
  };
  for (const s of full.servers ?? []) {
    s.default_log_path ??= logFile;
    s.default_log_level ??= 'DEBUG';
  }
  if (!full.servers?.length) full.servers = [{ default_log_path: logFile, default_log_level: 'DEBUG' }];
  const validated = validateConfig(full);
  const settings = resolveSettings(validated, { cwd: dir });
  const server = await MosnServer.start({ config: validated, settings, version: 'test' });
  return {
    server,
    adminBase: `http://${server.adminAddress}`,
    logFile,
    address(listener) {
      const a = server.listenerAddresses()[listener];
      if (!a) throw new Error(`no listener ${listener}`);
      const colon = a.lastIndexOf(':');
      return { host: a.slice(0, colon), port: Number(a.slice(colon + 1)) };
    },
    logLines() {
      return fs
        .readFileSync(logFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    stop: (ms = 1000) => server.stop(ms),
  };
}

/** A listener config with one tcp_proxy filter. */
export function tcpProxyListener(name: string, proxyConfig: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    name,
    address: '127.0.0.1:0',
    filter_chains: [{ filters: [{ type: 'tcp_proxy', config: proxyConfig }] }],
    ...extra,
  };
}

/** A SIMPLE cluster over the given host addresses. */
export function cluster(name: string, hosts: (string | { address: string; weight: number })[], extra: Record<string, unknown> = {}) {
  return {
    name,
    type: 'SIMPLE',
    lb_type: 'LB_ROUNDROBIN',
    hosts: hosts.map((h) => (typeof h === 'string' ? { address: h } : h)),
    ...extra,
  };
}
