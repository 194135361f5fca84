import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { request, startHttpUpstream, type Echoed, type HttpUpstream } from '../support/http-upstreams';
import { file, pem, waitForLogLine } from './tls-fixture';

interface HttpsUpstream {
  address: string;
  /** What each TLS connection settled: SNI asked for, client certificate CN (or ''). */
  handshakes: { sni: string | false | null; clientCn: string; alpn: string | false | null }[];
  close(): Promise<void>;
}

/** An https server with the 127.0.0.1/localhost certificate; asks for (never requires) client certificates. */
async function startHttpsUpstream(): Promise<HttpsUpstream> {
  const handshakes: HttpsUpstream['handshakes'] = [];
  const server = https.createServer(
    { cert: pem('server-local.pem'), key: pem('server-local-key.pem'), ca: pem('ca.pem'), requestCert: true, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] },
    (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ server: 'https', url: req.url }));
    },
  );
  server.on('secureConnection', (s) => {
    const peer = s.getPeerX509Certificate();
    handshakes.push({ sni: s.servername, clientCn: peer && s.authorized ? (/CN=(.*)/.exec(peer.subject)?.[1] ?? '') : '', alpn: s.alpnProtocol });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    handshakes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('TLS toward clusters: verification, client certificates, tls_disable', () => {
  let secure: HttpsUpstream;
  let plain: HttpUpstream;
  let mosn: RunningMosn;
  let port: number;
  let accessLogPath: string;

  before(async () => {
    secure = await startHttpsUpstream();
    plain = await startHttpUpstream('plain');
    accessLogPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-tls-al-')), 'access.log');
    const route = (prefix: string, name: string) => ({ match: { prefix }, route: { cluster_name: name } });
    mosn = await startMosn({
      servers: [
        {
          routers: [
            {
              router_config_name: 'r',
              virtual_hosts: [
                {
                  name: 'all',
                  domains: ['*'],
                  routers: [
                    route('/right-ca', 'right_ca'),
                    route('/wrong-ca', 'wrong_ca'),
                    route('/insecure', 'insecure'),
                    route('/mtls', 'mtls'),
                    route('/disabled', 'disabled'),
                    { match: { prefix: '/retry' }, route: { cluster_name: 'half_wrong', retry_policy: { retry_on: true, num_retries: 1 } } },
                  ],
                },
              ],
            },
          ],
          listeners: [
            {
              name: 'http',
              address: '127.0.0.1:0',
              access_logs: [{ log_path: accessLogPath, log_format: '%response_code% %response_flag_codes% %upstream_cluster%' }],
              filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'Http1', upstream_protocol: 'Http1', router_config_name: 'r' } }] }],
            },
          ],
        },
      ],
      cluster_manager: {
        clusters: [
          cluster('right_ca', [secure.address], { tls_context: { status: true, ca_cert: file('ca.pem'), server_name: 'localhost' } }),
          // Verification by the host's address when no server_name is set (IP SAN 127.0.0.1).
          cluster('wrong_ca', [secure.address], { tls_context: { status: true, ca_cert: pem('wrong-ca.pem'), server_name: 'localhost' } }),
          cluster('insecure', [secure.address], { tls_context: { status: true, ca_cert: pem('wrong-ca.pem'), insecure_skip: true } }),
          cluster('mtls', [secure.address], {
            tls_context: { status: true, ca_cert: file('ca.pem'), cert_chain: file('client.pem'), private_key: file('client-key.pem'), alpn: 'http/1.1' },
          }),
          cluster('disabled', [{ address: plain.address, tls_disable: true } as unknown as string], {
            tls_context: { status: true, ca_cert: file('ca.pem'), server_name: 'localhost' },
          }),
          // A wrong-CA failure is a connect failure: retried on the next host like one.
          cluster('half_wrong', [secure.address, { address: plain.address, tls_disable: true } as unknown as string], {
            lb_type: 'LB_ROUNDROBIN',
            tls_context: { status: true, ca_cert: pem('wrong-ca.pem'), server_name: 'localhost' },
          }),
        ],
      },
    });
    port = mosn.address('http').port;
  });

  after(async () => {
    await mosn?.stop();
    await secure?.close();
    await plain?.close();
  });

  async function upstreamStats(name: string): Promise<Record<string, string>> {
    const body = (await (await fetch(`${mosn.adminBase}/api/v1/stats?key=upstream.cluster.${name}`)).json()) as { upstream: Record<string, Record<string, string>> };
    return body.upstream[`cluster.${name}`] ?? {};
  }

  it('verifies the upstream against ca_cert and sends server_name as SNI', async () => {
    const res = await request(port, { path: '/right-ca/x' });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body.toString()), { server: 'https', url: '/right-ca/x' });
    assert.equal(secure.handshakes.at(-1)?.sni, 'localhost');
    assert.equal(secure.handshakes.at(-1)?.clientCn, '');
  });

  it('a certificate from another CA fails the connection: 503 with UF, connection_con_fail counted, a log line', async () => {
    const before = Number((await upstreamStats('wrong_ca')).connection_con_fail ?? 0);
    const res = await request(port, { path: '/wrong-ca/x' });
    assert.equal(res.status, 503);
    const stats = await upstreamStats('wrong_ca');
    assert.equal(Number(stats.connection_con_fail) - before, 1);
    assert.equal(stats.tls_handshake_failed, '1');
    const line = await waitForLogLine(mosn.logLines, (l) => l.cluster === 'wrong_ca' && String(l.msg).startsWith('upstream TLS handshake failed'));
    assert.match(String(line.msg), /certificate/);
    assert.ok(String(line.code).length > 0, 'the OpenSSL code is logged');
    const deadline = Date.now() + 3000;
    let lines: string[] = [];
    while (Date.now() < deadline && !lines.some((l) => l.endsWith('wrong_ca'))) {
      lines = fs.existsSync(accessLogPath) ? fs.readFileSync(accessLogPath, 'utf8').split('\n').filter(Boolean) : [];
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(lines.includes('503 UF wrong_ca'), lines.join('\n'));
  });

  it('retries a TLS handshake failure like a connect failure', async () => {
    // Round robin over the wrong-CA host and a good one: every request ends on the good one.
    for (let i = 0; i < 2; i++) {
      const res = await request(port, { path: '/retry/x' });
      assert.equal(res.status, 200);
      assert.equal((JSON.parse(res.body.toString()) as Echoed).server, 'plain');
    }
    assert.ok(Number((await upstreamStats('half_wrong')).connection_con_fail) >= 1);
  });

  it('insecure_skip connects without verifying', async () => {
    const res = await request(port, { path: '/insecure/x' });
    assert.equal(res.status, 200);
  });

  it('presents the client certificate (mTLS) and offers the configured ALPN', async () => {
    const res = await request(port, { path: '/mtls/x' });
    assert.equal(res.status, 200);
    assert.equal(secure.handshakes.at(-1)?.clientCn, 'mosn-client');
    assert.equal(secure.handshakes.at(-1)?.alpn, 'http/1.1');
  });

  it('tls_disable on a host: plaintext to that host', async () => {
    const res = await request(port, { path: '/disabled/x' });
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body.toString()) as Echoed).server, 'plain');
  });
});
