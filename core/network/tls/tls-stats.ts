import type { Counter, Metrics } from '../../metrics/metrics-registry';

/**
 * TLS counters. MOSN has none of its own; these follow its snake_case style and live in the
 * listener's downstream set and the cluster's upstream set.
 */
export const TlsStatKeys = {
  /** Downstream: handshakes that completed and were accepted. */
  Handshake: 'tls_handshake',
  /** Downstream and upstream: handshakes that failed or whose peer certificate was refused. */
  HandshakeFailed: 'tls_handshake_failed',
  /** Downstream: connections whose first byte was not a TLS handshake, refused. */
  PlaintextRefused: 'tls_plaintext_refused',
  /** Downstream: plaintext connections served by an `inspector` listener. */
  InspectorPlaintext: 'tls_inspector_plaintext',
} as const;

export interface ListenerTlsStats {
  handshakes: Counter;
  handshakeFailures: Counter;
  plaintextRefused: Counter;
  inspectorPlaintext: Counter;
}

export function listenerTlsStats(set: Metrics): ListenerTlsStats {
  return {
    handshakes: set.counter(TlsStatKeys.Handshake),
    handshakeFailures: set.counter(TlsStatKeys.HandshakeFailed),
    plaintextRefused: set.counter(TlsStatKeys.PlaintextRefused),
    inspectorPlaintext: set.counter(TlsStatKeys.InspectorPlaintext),
  };
}
