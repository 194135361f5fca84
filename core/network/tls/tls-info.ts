import type * as crypto from 'node:crypto';
import type * as tls from 'node:tls';
import type { PeerCertificate, TlsInfo } from '../../../plugin-sdk';
import { commonName, oneLine, splitAltNames } from './tls-material';

/**
 * The SDK's TLS facts of a finished handshake, read from the socket when it completes (the TLS
 * session is gone once the socket closes). The peer certificate's fields are formatted only when
 * a filter asks for them.
 */
export class SocketTlsInfo implements TlsInfo {
  readonly alpnProtocol: string | undefined;
  readonly serverName: string | undefined;
  readonly version: string;
  readonly cipher: string;
  readonly peerCertificateVerified: boolean;
  private readonly x509: crypto.X509Certificate | undefined;
  private peer: PeerCertificate | undefined;

  /** `serverName`: the SNI this side sent (upstream); a server socket reports the client's. */
  constructor(socket: tls.TLSSocket, serverName?: string) {
    this.alpnProtocol = socket.alpnProtocol || undefined;
    const sni = (socket as tls.TLSSocket & { servername?: string | false }).servername;
    this.serverName = serverName ?? (sni || undefined);
    this.version = socket.getProtocol() ?? '';
    this.cipher = socket.getCipher()?.name ?? '';
    this.x509 = socket.getPeerX509Certificate();
    this.peerCertificateVerified = socket.authorized === true && this.x509 !== undefined;
  }

  get peerCertificate(): PeerCertificate | undefined {
    const x = this.x509;
    if (this.peer === undefined && x !== undefined) {
      this.peer = {
        subject: oneLine(x.subject),
        commonName: commonName(x.subject),
        subjectAltNames: splitAltNames(x.subjectAltName),
        issuer: oneLine(x.issuer),
        fingerprint256: x.fingerprint256,
        serialNumber: x.serialNumber,
        validFrom: x.validFrom,
        validTo: x.validTo,
      };
    }
    return this.peer;
  }
}
