import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FilterStatus, type Connection, type IoBuffer, type TlsInfo } from '../../plugin-sdk';
import { createTestLogger } from '../../plugin-sdk/testing';
import type { FilterChainConfig } from '../../core/config/config-types';
import { Counter, Gauge, MetricsRegistry } from '../../core/metrics/metrics-registry';
import { OutboundConnection } from '../../core/network/client-connection';
import { Listener } from '../../core/network/listener';
import { buildServerTlsConfig } from '../../core/network/tls/server-tls-config';
import { buildClusterTls } from '../../core/network/tls/cluster-tls';
import { listenerTlsStats } from '../../core/network/tls/tls-stats';
import { exchange, file, serverContext, pem, tlsConnect } from './tls-fixture';

const metrics = () => ({ total: new Counter(), active: new Gauge(), closed: new Counter(), bytesRead: new Counter(), bytesWritten: new Counter() });

/**
 * A Listener with TLS and a network filter that records what a filter sees of each connection:
 * its TLS facts, and every byte (decrypted) up to the peer's half-close, which it echoes.
 */
describe('Connection.tls: what filters see of a TLS connection', () => {
  const seen: { tls: TlsInfo | undefined; data: string; ended: boolean }[] = [];
  let listener: Listener;
  let port: number;

  before(async () => {
    const chain: FilterChainConfig = {
      tls_context: serverContext('server-local', { ca_cert: file('ca.pem'), verify_client: true, alpn: 'h2,http/1.1' }),
    };
    const problems: string[] = [];
    const config = buildServerTlsConfig(chain, 'chain', 5000, problems, []);
    assert.deepEqual(problems, []);
    listener = new Listener({
      name: 'tls-info',
      address: { kind: 'tcp', host: '127.0.0.1', port: 0 },
      chains: {
        listenerFilters: [],
        pins: { acquire: () => () => undefined },
        filterChainFactories: [
        {
          createFilterChain(conn: Connection, manager) {
            const record = { tls: conn.tls, data: '', ended: false };
            seen.push(record);
            manager.addReadFilter({
              onData(buffer: IoBuffer, endStream: boolean) {
                const bytes = buffer.take();
                record.data += bytes.toString();
                conn.write(bytes);
                if (endStream) {
                  record.ended = true;
                  conn.end();
                }
                return FilterStatus.Continue;
              },
            });
          },
        },
        ],
      },
      idleTimeoutMs: 0,
      bufferLimit: 1 << 20,
      metrics: metrics(),
      logger: createTestLogger(),
      tls: { config: config!, inspector: false, handshakeTimeoutMs: 5000, stats: listenerTlsStats(new MetricsRegistry().metrics('downstream', { listener: 'x' })) },
    });
    const bound = await listener.start();
    port = Number(bound.slice(bound.lastIndexOf(':') + 1));
  });

  after(async () => {
    listener.closeConnections('NoFlush');
    await listener.stopAccepting();
  });

  it('downstream: ALPN, SNI, version, and the verified client certificate; decrypted bytes and half-close', async () => {
    const { socket } = await tlsConnect(port, { servername: 'localhost', ALPNProtocols: ['h2'], cert: pem('client.pem'), key: pem('client-key.pem') });
    const { received } = await exchange(socket, 'ping over tls');
    assert.equal(received, 'ping over tls');
    const info = seen.at(-1)!;
    assert.equal(info.data, 'ping over tls');
    assert.equal(info.ended, true, 'the client half-close reached the filter');
    assert.equal(info.tls?.alpnProtocol, 'h2');
    assert.equal(info.tls?.serverName, 'localhost');
    assert.equal(info.tls?.version, 'TLSv1.3');
    assert.match(info.tls?.cipher ?? '', /^TLS_/);
    assert.equal(info.tls?.peerCertificateVerified, true);
    assert.equal(info.tls?.peerCertificate?.commonName, 'mosn-client');
    assert.equal(info.tls?.peerCertificate?.subject, 'O=mosn-ts tests, CN=mosn-client');
    assert.equal(info.tls?.peerCertificate?.issuer, 'O=mosn-ts tests, CN=mosn-ts test CA');
    assert.match(info.tls?.peerCertificate?.fingerprint256 ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('downstream without a client certificate (verify_client only asks): not verified, no certificate, no ALPN', async () => {
    const { socket } = await tlsConnect(port, { servername: 'localhost' });
    assert.equal((await exchange(socket, 'anonymous')).received, 'anonymous');
    const info = seen.at(-1)!;
    assert.equal(info.tls?.peerCertificateVerified, false);
    assert.equal(info.tls?.peerCertificate, undefined);
    assert.equal(info.tls?.alpnProtocol, undefined);
  });

  it('upstream: an OutboundConnection with a cluster tls_context reports the server it verified', async () => {
    const problems: string[] = [];
    const clusterTls = buildClusterTls(
      {
        name: 'c',
        hosts: [{ address: `127.0.0.1:${port}` }],
        tls_context: { status: true, ca_cert: pem('ca.pem'), server_name: 'localhost', cert_chain: file('client.pem'), private_key: file('client-key.pem'), alpn: ['http/1.1'] },
      },
      'c',
      new Counter(),
      problems,
    );
    assert.deepEqual(problems, []);
    const conn = new OutboundConnection({
      address: { kind: 'tcp', host: '127.0.0.1', port },
      hostAddress: `127.0.0.1:${port}`,
      clusterName: 'c',
      connectTimeoutMs: 3000,
      bufferLimit: 1 << 20,
      idleTimeoutMs: 0,
      metrics: metrics(),
      connectFailures: new Counter(),
      logger: createTestLogger(),
      tls: clusterTls!.optionsFor(`127.0.0.1:${port}`, '127.0.0.1'),
    });
    let echoed = '';
    const done = new Promise<void>((resolve) => {
      conn.addReadFilter({
        onData(buffer: IoBuffer) {
          echoed += buffer.take().toString();
          if (echoed === 'from upstream side') resolve();
          return FilterStatus.Continue;
        },
      });
    });
    const connected = new Promise<string>((resolve) => conn.addEventListener({ onEvent: (e) => resolve(e) }));
    conn.connect();
    after(() => conn.close('NoFlush'));
    assert.equal(await connected, 'Connected');
    assert.equal(conn.tls?.serverName, 'localhost');
    assert.equal(conn.tls?.alpnProtocol, 'http/1.1');
    assert.equal(conn.tls?.peerCertificateVerified, true);
    assert.deepEqual(conn.tls?.peerCertificate?.subjectAltNames, ['DNS:localhost', 'IP Address:127.0.0.1']);
    conn.write(Buffer.from('from upstream side'));
    await done;
    conn.close('NoFlush');
    assert.equal(seen.at(-1)?.tls?.peerCertificate?.commonName, 'mosn-client');
  });
});
