import type { Logger } from '../../../plugin-sdk';
import type { ListenerConfig } from '../../config/config-types';
import type { Metrics } from '../../metrics/metrics-registry';
import type { ListenerTlsSettings } from '../listener';
import { buildServerTlsConfig } from './server-tls-config';
import { listenerTlsStats } from './tls-stats';

/** MOSN's connection read timeout, which bounds its TLS handshakes too. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 15_000;

/**
 * The TLS settings of a listener from its first filter chain (MOSN uses only that one);
 * undefined for a plaintext listener or when there were problems (recorded).
 */
export function buildListenerTlsSettings(config: ListenerConfig, path: string, set: Metrics, logger: Logger, problems: string[]): ListenerTlsSettings | undefined {
  const chain = config.filter_chains?.[0];
  if (!chain) return undefined;
  const warnings: string[] = [];
  const tls = buildServerTlsConfig(chain, `${path}.filter_chains[0]`, TLS_HANDSHAKE_TIMEOUT_MS, problems, warnings);
  for (const w of warnings) logger.warn({ problem: w }, 'TLS certificate left out (fall_back): serving without it');
  if (!tls) {
    if (config.inspector === true && warnings.length === 0) logger.debug('inspector is set but the listener has no TLS context; it serves plaintext');
    return undefined;
  }
  return { config: tls, inspector: config.inspector === true, handshakeTimeoutMs: TLS_HANDSHAKE_TIMEOUT_MS, stats: listenerTlsStats(set) };
}
