import * as tls from 'node:tls';
import type { FilterChainConfig, TlsContextConfig } from '../../config/config-types';
import { SniSelector } from './sni-selector';
import { loadCa, loadCertificate } from './tls-material';
import { parseTlsParameters } from './tls-parameters';

/**
 * How a listener treats client certificates (MOSN's GetClientAuth):
 * - `require-and-verify` (verify_client + require_client_cert): a client without a certificate,
 *   or with one the CA did not sign, is refused.
 * - `verify-if-given` (verify_client): a certificate is asked for; if one comes it must verify.
 * - `request` (require_client_cert alone, Go's RequestClientCert): asked for, never enforced.
 * - `none`.
 */
export type ClientAuthMode = 'none' | 'request' | 'verify-if-given' | 'require-and-verify';

/** A listener's TLS, built from its filter chain: what the handshake needs. */
export interface ServerTlsConfig {
  /** Options of the listener's tls.Server (the first certificate and the listener-wide settings). */
  serverOptions: tls.TlsOptions;
  /** The certificate to serve for a client's SNI. */
  selector: SniSelector<tls.SecureContext>;
  clientAuth: ClientAuthMode;
}

/**
 * Settings that Node applies per connection before SNI picks a certificate (the handshake's
 * SSL object keeps them when the context is swapped), so they are the first context's for the
 * whole chain: later entries of tls_context_set may only repeat them.
 */
const LISTENER_WIDE: readonly (keyof TlsContextConfig)[] = [
  'ca_cert',
  'verify_client',
  'require_client_cert',
  'min_version',
  'max_version',
  'cipher_suites',
  'ecdh_curves',
  'alpn',
];

/**
 * Reads a filter chain's `tls_context` and `tls_context_set` (in that order; only contexts with
 * `status: true`). Undefined when TLS is off (or every certificate fell back), or when there were
 * problems (recorded as `path: reason`). A certificate that cannot be loaded from a context with
 * `fall_back: true` is left out with its reason in `warnings`, as MOSN does.
 */
export function buildServerTlsConfig(
  chain: FilterChainConfig,
  path: string,
  handshakeTimeoutMs: number,
  problems: string[],
  warnings: string[],
): ServerTlsConfig | undefined {
  const contexts: { config: TlsContextConfig; path: string }[] = [];
  if (chain.tls_context?.status === true) contexts.push({ config: chain.tls_context, path: `${path}.tls_context` });
  (chain.tls_context_set ?? []).forEach((c, i) => {
    if (c.status === true) contexts.push({ config: c, path: `${path}.tls_context_set[${i}]` });
  });
  if (contexts.length === 0) return undefined;
  const before = problems.length;
  const first = contexts[0];
  for (const c of contexts.slice(1)) {
    for (const field of LISTENER_WIDE) {
      const value = c.config[field];
      if (value !== undefined && JSON.stringify(value) !== JSON.stringify(first.config[field])) {
        problems.push(`${c.path}.${field}: must be left out or equal ${first.path}.${field} (it applies to the whole listener)`);
      }
    }
  }
  const params = parseTlsParameters(first.config, first.path, problems);
  const ca = first.config.ca_cert ? loadCa(first.config.ca_cert, `${first.path}.ca_cert`, problems) : undefined;
  const clientAuth = clientAuthMode(first.config);
  if (clientAuth === 'require-and-verify' || clientAuth === 'verify-if-given') {
    if (!first.config.ca_cert) problems.push(`${first.path}.ca_cert: verify_client needs the CA that signs client certificates`);
  }
  const candidates: { names: string[]; value: tls.SecureContext; options: tls.SecureContextOptions }[] = [];
  for (const c of contexts) {
    const local: string[] = [];
    if (!c.config.cert_chain || !c.config.private_key) {
      local.push(`${c.path}: a listener TLS context needs cert_chain and private_key`);
    }
    const material = local.length === 0 ? loadCertificate(c.config.cert_chain!, c.config.private_key!, c.path, local) : undefined;
    if (!material) {
      if (c.config.fall_back === true) warnings.push(...local);
      else problems.push(...local);
      continue;
    }
    const options: tls.SecureContextOptions = {
      cert: material.certPem,
      key: material.keyPem,
      ca,
      ciphers: params.ciphers,
      ecdhCurve: params.ecdhCurve,
      minVersion: params.minVersion,
      maxVersion: params.maxVersion,
      honorCipherOrder: true, // MOSN: PreferServerCipherSuites
    };
    try {
      const names = [...material.names];
      if (c.config.server_name) names.unshift(c.config.server_name.toLowerCase());
      candidates.push({ names, value: tls.createSecureContext(options), options });
    } catch (err) {
      problems.push(`${c.path}: OpenSSL refused the context (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (problems.length > before || candidates.length === 0) return undefined;
  return {
    serverOptions: {
      ...candidates[0].options,
      ALPNProtocols: params.alpn,
      requestCert: clientAuth !== 'none',
      // Client certificates are judged after the handshake (listener-tls.ts), where the refusal
      // can be logged with the peer's address and the reason.
      rejectUnauthorized: false,
      handshakeTimeout: handshakeTimeoutMs,
      allowHalfOpen: true,
    },
    selector: new SniSelector(candidates),
    clientAuth,
  };
}

function clientAuthMode(config: TlsContextConfig): ClientAuthMode {
  if (config.verify_client === true) return config.require_client_cert === true ? 'require-and-verify' : 'verify-if-given';
  return config.require_client_cert === true ? 'request' : 'none';
}
