import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, tcpProxyListener, type RunningMosn } from '../support/mosn-harness';
import { connect, readBytes, startEchoServer, type TestServer } from '../support/tcp-peers';
import { exchange, file, pem, serverContext, tlsConnect, waitForLogLine } from './tls-fixture';

/**
 * client → mosn A (plaintext tcp_proxy) → cluster with client certificate + CA → mosn B (TLS
 * listener requiring a client certificate) → plain echo server.
 */
describe('mTLS between two mosn-ts instances', () => {
  let echo: TestServer;
  let b: RunningMosn;
  let a: RunningMosn;

  before(async () => {
    echo = await startEchoServer();
    b = await startMosn({
      servers: [
        {
          listeners: [
            tcpProxyListener('ingress', { cluster: 'app' }, {
              filter_chains: [
                {
                  tls_context: serverContext('server-local', { ca_cert: file('ca.pem'), verify_client: true, require_client_cert: true }),
                  filters: [{ type: 'tcp_proxy', config: { cluster: 'app' } }],
                },
              ],
            }),
          ],
        },
      ],
      cluster_manager: { clusters: [cluster('app', [echo.address])] },
    });
    const bAddress = `127.0.0.1:${b.address('ingress').port}`;
    a = await startMosn({
      servers: [{ listeners: [tcpProxyListener('egress', { cluster: 'mesh_b' })] }],
      cluster_manager: {
        clusters: [
          cluster('mesh_b', [bAddress], {
            tls_context: { status: true, server_name: 'localhost', ca_cert: pem('ca.pem'), cert_chain: pem('client.pem'), private_key: pem('client-key.pem') },
          }),
        ],
      },
    });
  });

  after(async () => {
    await a?.stop();
    await b?.stop();
    await echo?.close();
  });

  it('carries bytes both ways through A and B over mutual TLS', async () => {
    const client = await connect(a.address('egress').port);
    const payload = Buffer.alloc(256 * 1024, 'm');
    const echoed = readBytes(client, payload.length);
    client.write(payload);
    assert.deepEqual(await echoed, payload);
    client.end();
    // B saw a verified TLS handshake; A's upstream made no failed attempt.
    const stats = (await (await fetch(`${b.adminBase}/api/v1/stats?key=downstream.listener.ingress`)).json()) as { downstream: Record<string, Record<string, string>> };
    assert.equal(stats.downstream['listener.ingress'].tls_handshake, '1');
    const up = (await (await fetch(`${a.adminBase}/api/v1/stats?key=upstream.cluster.mesh_b`)).json()) as { upstream: Record<string, Record<string, string>> };
    assert.equal(up.upstream['cluster.mesh_b'].connection_con_fail ?? '0', '0');
  });

  it('a third party without the client certificate is refused by B, with a log line', async () => {
    const r = await tlsConnect(b.address('ingress').port, { servername: 'localhost' }).then(
      (c) => exchange(c.socket, 'let me in'),
      (error: Error) => ({ received: '', error }),
    );
    assert.equal(r.received, '');
    await waitForLogLine(b.logLines, (l) => l.listener === 'ingress' && l.reason === 'client certificate required, none was sent');
    // A's clients are still served.
    const client = await connect(a.address('egress').port);
    const echoed = readBytes(client, 5);
    client.write('again');
    assert.equal((await echoed).toString(), 'again');
    client.destroy();
  });
});
