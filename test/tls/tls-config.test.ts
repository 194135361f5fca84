import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigLoadError } from '../../core/config/config-error';
import { startMosn } from '../support/mosn-harness';
import { file, pem, serverContext } from './tls-fixture';

/** Starting mosn-ts with one listener TLS context and one cluster TLS context; resolves with the refusal lines. */
async function refusal(listenerTls: Record<string, unknown> | undefined, clusterTls?: Record<string, unknown>, chainExtra: Record<string, unknown> = {}): Promise<string[]> {
  try {
    const m = await startMosn({
      servers: [
        {
          listeners: [
            {
              name: 'l',
              address: '127.0.0.1:0',
              filter_chains: [{ ...(listenerTls ? { tls_context: listenerTls } : {}), ...chainExtra, filters: [{ type: 'tcp_proxy', config: { cluster: 'c' } }] }],
            },
          ],
        },
      ],
      cluster_manager: { clusters: [{ name: 'c', hosts: [{ address: '127.0.0.1:1' }], ...(clusterTls ? { tls_context: clusterTls } : {}) }] },
    });
    await m.stop();
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigLoadError, String(err));
    // A refused cluster also leaves tcp_proxy without its cluster; that line is not under test.
    return err.problems.filter((p) => !p.includes('.filters[0].config.cluster:')).sort();
  }
}

const LISTENER = 'servers[0].listeners[0].filter_chains[0].tls_context';
const CLUSTER = 'cluster_manager.clusters[0].tls_context';

describe('TLS config: bad input is refused with the JSON path', () => {
  it('an unreadable certificate or key file', async () => {
    const problems = await refusal(serverContext('server-a', { cert_chain: '/nonexistent/cert.pem' }), { status: true, ca_cert: 'missing-ca.pem' });
    assert.deepEqual(problems, [
      `${CLUSTER}.ca_cert: cannot read "missing-ca.pem": no such file`,
      `${LISTENER}.cert_chain: cannot read "/nonexistent/cert.pem": no such file`,
    ]);
  });

  it('PEM that does not parse, and a key that does not match the certificate', async () => {
    const broken = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
    const problems = await refusal(
      { status: true, cert_chain: broken, private_key: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n' },
      { status: true, cert_chain: file('client.pem'), private_key: file('server-a-key.pem') },
    );
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.equal(problems[0], `${CLUSTER}.private_key: does not match the certificate in cert_chain (subject "O=mosn-ts tests, CN=mosn-client")`);
    assert.match(problems[1], new RegExp(`^${esc(LISTENER)}\\.cert_chain: certificate 1 of 1 does not parse`));
    assert.match(problems[2], new RegExp(`^${esc(LISTENER)}\\.private_key: not a usable PEM private key`));
    assert.ok(!problems.join('\n').includes('nope'), 'key material never quoted');
    const notPem = await refusal(serverContext('server-a', { ca_cert: file('make-certs.sh'), verify_client: true }));
    assert.deepEqual(notPem, [`${LISTENER}.ca_cert: no PEM certificate ("-----BEGIN CERTIFICATE-----") found`]);
  });

  it('unknown versions, cipher suites and curves; min above max', async () => {
    const problems = await refusal(
      serverContext('server-a', { min_version: 'TLSv1_4', cipher_suites: 'ECDHE-RSA-AES256-GCM-SHA384:NOT-A-CIPHER', ecdh_curves: 'x25519,p999' }),
      { status: true, min_version: 'TLSv1_3', max_version: 'tlsv1_2' },
    );
    assert.deepEqual(problems.map((p) => p.replace(/ \(.*$/, '')), [
      `${CLUSTER}.min_version: "TLSv1_3" is above max_version "tlsv1_2"`,
      `${LISTENER}.cipher_suites: unknown cipher suite "NOT-A-CIPHER"`,
      `${LISTENER}.ecdh_curves: unknown curve "p999"`,
      `${LISTENER}.min_version: unknown TLS version "TLSv1_4"`,
    ]);
  });

  it('a listener context without a certificate, verify_client without ca_cert, half a client certificate', async () => {
    const problems = await refusal({ status: true, verify_client: true }, { status: true, cert_chain: file('client.pem') });
    assert.deepEqual(problems, [
      `${CLUSTER}.private_key: a client certificate needs both cert_chain and private_key`,
      `${LISTENER}.ca_cert: verify_client needs the CA that signs client certificates`,
      `${LISTENER}: a listener TLS context needs cert_chain and private_key`,
    ]);
  });

  it('tls_context_set entries may not change listener-wide settings', async () => {
    const problems = await refusal(serverContext('server-a', { alpn: 'h2' }), undefined, {
      tls_context_set: [serverContext('server-b', { alpn: 'http/1.1', min_version: 'TLSv1_3' })],
    });
    const SET = 'servers[0].listeners[0].filter_chains[0].tls_context_set[0]';
    assert.deepEqual(problems, [
      `${SET}.alpn: must be left out or equal ${LISTENER}.alpn (it applies to the whole listener)`,
      `${SET}.min_version: must be left out or equal ${LISTENER}.min_version (it applies to the whole listener)`,
    ]);
  });

  it('the schema refuses wrong types', async () => {
    const problems = await refusal({ status: 'yes', cert_chain: 1 });
    assert.ok(problems.some((p) => p.includes('tls_context.status')), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('tls_context.cert_chain')), problems.join('\n'));
  });

  it('fall_back: a certificate that cannot be loaded is left out with a warning, and the listener serves plaintext', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-tls-'));
    const keyCopy = path.join(dir, 'key.pem');
    fs.writeFileSync(keyCopy, pem('server-a-key.pem'));
    const m = await startMosn({
      servers: [
        {
          listeners: [
            {
              name: 'fb',
              address: '127.0.0.1:0',
              filter_chains: [
                {
                  tls_context: { status: true, fall_back: true, cert_chain: '/nonexistent.pem', private_key: keyCopy },
                  filters: [{ type: 'direct_response', config: { body: 'plain answer' } }],
                },
              ],
            },
          ],
        },
      ],
    });
    try {
      const line = m.logLines().find((l) => String(l.msg).startsWith('TLS certificate left out (fall_back)'));
      assert.equal(line?.problem, `${LISTENER}.cert_chain: cannot read "/nonexistent.pem": no such file`);
      const socket = net.connect({ host: '127.0.0.1', port: m.address('fb').port });
      const answer = await new Promise<string>((resolve, reject) => {
        let got = '';
        socket.on('data', (d: Buffer) => (got += d.toString()));
        socket.on('close', () => resolve(got));
        socket.on('error', reject);
        socket.write('x');
      });
      assert.equal(answer, 'plain answer');
    } finally {
      await m.stop();
    }
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
