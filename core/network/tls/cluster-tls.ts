import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ClusterConfig, TlsContextConfig } from '../../config/config-types';
import type { Counter } from '../../metrics/metrics-registry';
import { loadCa, loadCertificate } from './tls-material';
import { parseTlsParameters } from './tls-parameters';

/** What an outbound connection needs to originate TLS. */
export interface UpstreamTlsOptions {
  /** Given to tls.connect with the host's address. */
  connect: tls.ConnectionOptions;
  /** The SNI sent (undefined when none: an IP address without server_name). */
  serverName: string | undefined;
  /** Counted when the handshake fails (besides connection_con_fail). */
  handshakeFailures: Counter;
}

/**
 * A cluster's `tls_context` toward its hosts, built once: one secure context (CA, client
 * certificate, versions, ciphers) shared by every connection. Hosts listed with `tls_disable`
 * get plaintext.
 */
export class ClusterTls {
  constructor(
    private readonly secureContext: tls.SecureContext,
    private readonly config: TlsContextConfig,
    private readonly alpn: string[] | undefined,
    private readonly disabledHosts: ReadonlySet<string>,
    private readonly handshakeFailures: Counter,
  ) {}

  /** TLS options toward one host (by its configured address); undefined for plaintext. */
  optionsFor(hostAddress: string, connectHost: string | undefined): UpstreamTlsOptions | undefined {
    if (this.disabledHosts.has(hostAddress)) return undefined;
    const configured = this.config.server_name || undefined;
    // Without server_name, SNI is the host name when there is one (Node never sends an IP), and
    // the certificate is checked against the address as configured, as Node does.
    const serverName = configured ?? (connectHost !== undefined && !isIpLiteral(connectHost) ? connectHost : undefined);
    return {
      connect: {
        secureContext: this.secureContext,
        servername: serverName,
        rejectUnauthorized: this.config.insecure_skip !== true,
        ALPNProtocols: this.alpn,
      },
      serverName,
      handshakeFailures: this.handshakeFailures,
    };
  }
}

function isIpLiteral(host: string): boolean {
  return net.isIP(host) !== 0;
}

/**
 * Reads a cluster's `tls_context` (on only with `status: true`) and its hosts' `tls_disable`.
 * Undefined when TLS is off or there were problems (recorded as `path: reason`).
 */
export function buildClusterTls(config: ClusterConfig, path: string, handshakeFailures: Counter, problems: string[]): ClusterTls | undefined {
  const t = config.tls_context;
  if (!t || t.status !== true) return undefined;
  const p = `${path}.tls_context`;
  const before = problems.length;
  const params = parseTlsParameters(t, p, problems);
  const ca = t.ca_cert ? loadCa(t.ca_cert, `${p}.ca_cert`, problems) : undefined;
  let certPem: string | undefined;
  let keyPem: string | undefined;
  if (t.cert_chain && t.private_key) {
    const material = loadCertificate(t.cert_chain, t.private_key, p, problems);
    certPem = material?.certPem;
    keyPem = material?.keyPem;
  } else if (t.cert_chain || t.private_key) {
    problems.push(`${p}.${t.cert_chain ? 'private_key' : 'cert_chain'}: a client certificate needs both cert_chain and private_key`);
  }
  if (problems.length > before) return undefined;
  let secureContext: tls.SecureContext;
  try {
    secureContext = tls.createSecureContext({
      ca,
      cert: certPem,
      key: keyPem,
      ciphers: params.ciphers,
      ecdhCurve: params.ecdhCurve,
      minVersion: params.minVersion,
      maxVersion: params.maxVersion,
    });
  } catch (err) {
    problems.push(`${p}: OpenSSL refused the context (${err instanceof Error ? err.message : String(err)})`);
    return undefined;
  }
  const disabled = new Set((config.hosts ?? []).filter((h) => h.tls_disable === true).map((h) => h.address));
  return new ClusterTls(secureContext, t, params.alpn, disabled, handshakeFailures);
}
