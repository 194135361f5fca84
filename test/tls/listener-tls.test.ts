import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, tcpProxyListener, type RunningMosn } from '../support/mosn-harness';
import { startEchoServer, type TestServer } from '../support/tcp-peers';
import { exchange, file, pem, serverContext, tlsConnect, waitForLogLine } from './tls-fixture';

/** Stats of one listener's downstream set, from the admin API. */
async function listenerStats(mosn: RunningMosn, listener: string): Promise<Record<string, string>> {
  const body = (await (await fetch(`${mosn.adminBase}/api/v1/stats?key=downstream.listener.${listener}`)).json()) as {
    downstream: Record<string, Record<string, string>>;
  };
  return body.downstream[`listener.${listener}`] ?? {};
}

describe('TLS listeners: SNI, client certificates, ALPN, plaintext clients', () => {
  let echo: TestServer;
  let mosn: RunningMosn;

  before(async () => {
    echo = await startEchoServer();
    mosn = await startMosn({
      servers: [
        {
          listeners: [
            // Two names by SNI; a.example.test is the default.
            tcpProxyListener('sni', { cluster: 'echo' }, {
              filter_chains: [
                {
                  tls_context: serverContext('server-a'),
                  // Inline PEM for the second one (MOSN accepts both forms).
                  tls_context_set: [{ status: true, cert_chain: pem('server-b.pem'), private_key: pem('server-b-key.pem') }],
                  filters: [{ type: 'tcp_proxy', config: { cluster: 'echo' } }],
                },
              ],
            }),
            tcpProxyListener('mtls', { cluster: 'echo' }, {
              filter_chains: [
                {
                  tls_context: serverContext('server-local', { ca_cert: file('ca.pem'), verify_client: true, require_client_cert: true }),
                  filters: [{ type: 'tcp_proxy', config: { cluster: 'echo' } }],
                },
              ],
            }),
            tcpProxyListener('alpn', { cluster: 'echo' }, {
              filter_chains: [
                {
                  tls_context: serverContext('server-local', { alpn: ['h2', 'http/1.1'] }),
                  filters: [{ type: 'tcp_proxy', config: { cluster: 'echo' } }],
                },
              ],
            }),
            tcpProxyListener('inspector', { cluster: 'echo' }, {
              inspector: true,
              filter_chains: [{ tls_context: serverContext('server-local'), filters: [{ type: 'tcp_proxy', config: { cluster: 'echo' } }] }],
            }),
            tcpProxyListener('tls12', { cluster: 'echo' }, {
              filter_chains: [
                {
                  tls_context: serverContext('server-local', { max_version: 'TLSv1_2', cipher_suites: 'ECDHE-RSA-AES256-GCM-SHA384' }),
                  filters: [{ type: 'tcp_proxy', config: { cluster: 'echo' } }],
                },
              ],
            }),
            tcpProxyListener('tls13only', { cluster: 'echo' }, {
              filter_chains: [{ tls_context: serverContext('server-local', { min_version: 'TLSv1_3' }), filters: [{ type: 'tcp_proxy', config: { cluster: 'echo' } }] }],
            }),
            // status false: TLS off, as in MOSN.
            tcpProxyListener('off', { cluster: 'echo' }, {
              filter_chains: [{ tls_context: serverContext('server-local', { status: false }), filters: [{ type: 'tcp_proxy', config: { cluster: 'echo' } }] }],
            }),
          ],
        },
      ],
      cluster_manager: { clusters: [cluster('echo', [echo.address])] },
    });
  });

  after(async () => {
    await mosn?.stop();
    await echo?.close();
  });

  it('serves the certificate matching the SNI name (exact, then wildcard), else the first one; bytes pass decrypted', async () => {
    const cases: [string | undefined, string, string][] = [
      ['a.example.test', 'CN=a.example.test', 'DNS:a.example.test'],
      ['b.example.test', 'CN=b.example.test', 'DNS:b.example.test, DNS:*.b.example.test'],
      ['B.Example.Test', 'CN=b.example.test', 'DNS:b.example.test, DNS:*.b.example.test'],
      ['x.b.example.test', 'CN=b.example.test', 'DNS:b.example.test, DNS:*.b.example.test'],
      ['unknown.example.test', 'CN=a.example.test', 'DNS:a.example.test'],
      [undefined, 'CN=a.example.test', 'DNS:a.example.test'],
    ];
    const port = mosn.address('sni').port;
    for (const [sni, subject, san] of cases) {
      // Identity is checked against the expected certificate, so a wrong pick fails the handshake too.
      const expectedName = subject.slice(3);
      const { socket, cert } = await tlsConnect(port, { servername: sni, checkServerIdentity: (_h, c) => tls.checkServerIdentity(expectedName, c) });
      assert.match(cert.subject, new RegExp(`^${subject}$`, 'm'), `subject for SNI ${sni}`);
      assert.equal(cert.subjectAltName, san, `SAN for SNI ${sni}`);
      const { received } = await exchange(socket, `hello ${sni}`);
      assert.equal(received, `hello ${sni}`);
    }
  });

  it('requires a client certificate: none or one from another CA is refused with a log line, a good one is accepted', async () => {
    const port = mosn.address('mtls').port;
    const statsBefore = await listenerStats(mosn, 'mtls');

    const bare = await tlsConnect(port, { servername: 'localhost' }).then(
      (r) => exchange(r.socket, 'no cert'),
      (error: Error) => ({ received: '', error }),
    );
    assert.equal(bare.received, '', 'nothing echoed without a client certificate');
    await waitForLogLine(mosn.logLines, (l) => l.listener === 'mtls' && l.reason === 'client certificate required, none was sent');

    const wrong = await tlsConnect(port, { servername: 'localhost', cert: pem('wrong-client.pem'), key: pem('wrong-client-key.pem') }).then(
      (r) => exchange(r.socket, 'wrong ca'),
      (error: Error) => ({ received: '', error }),
    );
    assert.equal(wrong.received, '', 'nothing echoed with a certificate from another CA');
    const line = await waitForLogLine(mosn.logLines, (l) => l.listener === 'mtls' && String(l.reason).startsWith('client certificate not trusted'));
    assert.match(String(line.msg), /^TLS handshake refused: client certificate not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
    assert.equal(line.remote !== undefined && String(line.remote).startsWith('127.0.0.1:'), true);

    const good = await tlsConnect(port, { servername: 'localhost', cert: pem('client.pem'), key: pem('client-key.pem') });
    const ok = await exchange(good.socket, 'with cert');
    assert.equal(ok.received, 'with cert');

    const stats = await listenerStats(mosn, 'mtls');
    assert.equal(Number(stats.tls_handshake_failed ?? 0) - Number(statsBefore.tls_handshake_failed ?? 0), 2);
    assert.equal(Number(stats.tls_handshake ?? 0) - Number(statsBefore.tls_handshake ?? 0), 1);
  });

  it('negotiates ALPN h2 with a client offering it, http/1.1 with one offering only that', async () => {
    const port = mosn.address('alpn').port;
    const h2 = await tlsConnect(port, { servername: 'localhost', ALPNProtocols: ['h2', 'http/1.1'] });
    assert.equal(h2.socket.alpnProtocol, 'h2');
    h2.socket.destroy();
    const h1 = await tlsConnect(port, { servername: 'localhost', ALPNProtocols: ['http/1.1'] });
    assert.equal(h1.socket.alpnProtocol, 'http/1.1');
    h1.socket.destroy();
  });

  it('refuses a plaintext client on a TLS port with a log line; other connections carry on', async () => {
    const port = mosn.address('sni').port;
    const open = await tlsConnect(port, { servername: 'a.example.test' });
    const plain = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    plain.on('data', (d: Buffer) => (answer += d.toString()));
    plain.on('error', () => undefined);
    plain.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => plain.once('close', r));
    assert.equal(answer, '', 'no bytes for the plaintext client');
    const line = await waitForLogLine(mosn.logLines, (l) => l.listener === 'sni' && String(l.msg).startsWith('plaintext client on a TLS listener refused'));
    assert.equal(line.firstBytes, 'GET / HTTP/1.1..');
    // The TLS connection opened before is unaffected and new ones are served.
    assert.equal((await exchange(open.socket, 'still here')).received, 'still here');
    const again = await tlsConnect(port, { servername: 'b.example.test' });
    assert.equal((await exchange(again.socket, 'new one')).received, 'new one');
    assert.equal((await listenerStats(mosn, 'sni')).tls_plaintext_refused, '1');
  });

  it('inspector: one port serves a TLS client and a plaintext client', async () => {
    const port = mosn.address('inspector').port;
    const secure = await tlsConnect(port, { servername: 'localhost' });
    assert.equal((await exchange(secure.socket, 'over tls')).received, 'over tls');
    const plain = net.connect({ host: '127.0.0.1', port });
    const echoed = await new Promise<string>((resolve, reject) => {
      let got = '';
      plain.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.length >= 9) resolve(got);
      });
      plain.on('error', reject);
      plain.write('plaintext');
    });
    plain.destroy();
    assert.equal(echoed, 'plaintext');
  });

  it('applies versions and MOSN cipher names; a version the listener refuses fails the handshake with a log line', async () => {
    const r = await tlsConnect(mosn.address('tls12').port, { servername: 'localhost' });
    assert.equal(r.socket.getProtocol(), 'TLSv1.2');
    assert.equal(r.socket.getCipher().name, 'ECDHE-RSA-AES256-GCM-SHA384');
    r.socket.destroy();
    await assert.rejects(tlsConnect(mosn.address('tls13only').port, { servername: 'localhost', maxVersion: 'TLSv1.2' }));
    await waitForLogLine(mosn.logLines, (l) => l.listener === 'tls13only' && String(l.msg).startsWith('TLS handshake failed'));
  });

  it('a tls_context with status false leaves the listener plaintext', async () => {
    const plain = net.connect({ host: '127.0.0.1', port: mosn.address('off').port });
    const echoed = await new Promise<string>((resolve, reject) => {
      plain.once('data', (d: Buffer) => resolve(d.toString()));
      plain.on('error', reject);
      plain.write('clear');
    });
    plain.destroy();
    assert.equal(echoed, 'clear');
  });
});

