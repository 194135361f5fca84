import * as path from 'node:path';
import { parseDuration } from '../../plugin-sdk/api/duration';
import { formatAddress } from './address';
import type { AdminConfig, LogLevelName, MosnConfig } from './config-types';

/** Process-level settings with MOSN's defaults applied and paths made absolute. */
export interface EffectiveSettings {
  /** Absolute path of the pid file. */
  pidFile: string;
  /** How long a stopping/upgrading process waits for connections to drain. */
  gracefulTimeoutMs: number;
  /** "stdout", "stderr" or a file path, as written in the config. */
  logPath: string;
  logLevel: LogLevelName;
  /** `ip:port` of the admin API. */
  adminAddress: string;
  /** Absolute path of the plugins directory. */
  pluginsDir: string;
}

export const DEFAULT_GRACEFUL_TIMEOUT_MS = 30_000; // MOSN's default
export const DEFAULT_LOG_PATH = 'stdout';
export const DEFAULT_LOG_LEVEL: LogLevelName = 'INFO';
export const DEFAULT_ADMIN_HOST = '127.0.0.1'; // loopback: the admin API can reconfigure the proxy
export const DEFAULT_ADMIN_PORT = 34901;

/**
 * Settings from a validated config. servers[0] wins over the top-level fields MOSN also accepts.
 */
export function resolveSettings(config: MosnConfig, opts: { cwd: string }): EffectiveSettings {
  const server = config.servers?.[0];
  const gracefulTimeout = server?.graceful_timeout ?? config.graceful_timeout;
  return {
    pidFile: path.resolve(opts.cwd, config.pid ?? 'mosn.pid'),
    gracefulTimeoutMs: (gracefulTimeout !== undefined ? parseDuration(gracefulTimeout) : undefined) ?? DEFAULT_GRACEFUL_TIMEOUT_MS,
    logPath: server?.default_log_path || config.default_log_path || DEFAULT_LOG_PATH,
    logLevel: server?.default_log_level ?? config.default_log_level ?? DEFAULT_LOG_LEVEL,
    adminAddress: resolveAdminAddress(config.admin),
    pluginsDir: path.resolve(opts.cwd, config.plugins?.dir ?? 'plugins'),
  };
}

function resolveAdminAddress(admin: AdminConfig | undefined): string {
  const address = admin?.address;
  if (typeof address === 'string') return address;
  const socket = address?.socket_address;
  return formatAddress({ kind: 'tcp', host: socket?.address || DEFAULT_ADMIN_HOST, port: socket?.port_value ?? DEFAULT_ADMIN_PORT });
}
