import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, tcpProxyListener, type RunningMosn } from '../support/mosn-harness';
import { file, pem, serverContext } from './tls-fixture';

describe('config_dump never shows private keys of a running TLS config', () => {
  let mosn: RunningMosn;

  before(async () => {
    mosn = await startMosn({
      servers: [
        {
          listeners: [
            tcpProxyListener('tls_in', { cluster: 'up' }, {
              filter_chains: [
                {
                  // Inline PEM key on the chain, a key file path in the SNI set.
                  tls_context: { status: true, cert_chain: pem('server-a.pem'), private_key: pem('server-a-key.pem') },
                  tls_context_set: [serverContext('server-b')],
                  filters: [{ type: 'tcp_proxy', config: { cluster: 'up' } }],
                },
              ],
            }),
          ],
        },
      ],
      cluster_manager: {
        clusters: [
          cluster('up', ['127.0.0.1:1'], {
            tls_context: { status: true, ca_cert: file('ca.pem'), cert_chain: file('client.pem'), private_key: file('client-key.pem') },
          }),
          cluster('up_inline', ['127.0.0.1:1'], {
            // A key pasted into cert_chain along with the certificate is hidden too.
            tls_context: { status: true, cert_chain: pem('client.pem') + pem('client-key.pem'), private_key: pem('client-key.pem') },
          }),
        ],
      },
    });
  });

  after(() => mosn?.stop());

  it('redacts inline keys and key paths in every view', async () => {
    const views = ['', '?alllisteners', '?allclusters', '?listener=tls_in', '?cluster=up', '?cluster=up_inline', '?mosnconfig'];
    for (const view of views) {
      const res = await fetch(`${mosn.adminBase}/api/v1/config_dump${view}`);
      assert.equal(res.status, 200, view);
      const text = await res.text();
      assert.ok(!text.includes('PRIVATE KEY'), `no PEM key in ${view || 'the full dump'}`);
      assert.ok(!text.includes('-key.pem'), `no key path in ${view || 'the full dump'}`);
    }
    const dump = (await (await fetch(`${mosn.adminBase}/api/v1/config_dump`)).json()) as {
      listener: Record<string, { filter_chains: { tls_context: Record<string, unknown>; tls_context_set: Record<string, unknown>[] }[] }>;
      cluster: Record<string, { tls_context: Record<string, unknown> }>;
    };
    const chain = dump.listener.tls_in.filter_chains[0];
    assert.equal(chain.tls_context.private_key, '[redacted]');
    assert.match(String(chain.tls_context.cert_chain), /BEGIN CERTIFICATE/, 'certificates stay visible');
    assert.equal(chain.tls_context_set[0].private_key, '[redacted]');
    assert.equal(chain.tls_context_set[0].cert_chain, file('server-b.pem'));
    assert.equal(dump.cluster.up.tls_context.private_key, '[redacted]');
    assert.equal(dump.cluster.up_inline.tls_context.cert_chain, '[redacted]');
  });
});
