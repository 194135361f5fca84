import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsRegistry } from '../../core/metrics/metrics-registry';
import { ClusterManagerImpl } from '../../core/upstream/cluster-manager';
import { startDnsmasq } from '../support/dnsmasq';
import { waitFor } from '../support/wait-for';
import { refusal } from '../support/config-refusal';

const silent = { error() {}, warn() {}, info() {}, debug() {}, trace() {}, child() { return silent; } };

describe('STRICT_DNS config', () => {
  it('refuses bad DNS fields with their JSON path (schema)', async () => {
    const problems = await refusal({
      cluster_manager: {
        clusters: [
          {
            name: 'svc',
            type: 'STRICT_DNS',
            hosts: [{ address: 'svc.test' }],
            dns_refresh_rate: 'often',
            dns_lookup_family: 'V5_ONLY' as never,
            dns_resolvers: { servers: ['127.0.0.1'], port: 'fifty-three', timeout: -1 },
          },
        ],
      },
    });
    const at = 'cluster_manager.clusters[0]';
    assert.deepEqual(problems.sort(), [
      `${at}.dns_lookup_family: "V5_ONLY" is not one of "V4_ONLY", "V6_ONLY", "ALL"`,
      `${at}.dns_refresh_rate: "often" is not a valid duration`,
      `${at}.dns_resolvers.port: must match pattern "^[0-9]{1,5}$"`,
      `${at}.dns_resolvers.timeout: must be >= 0, got -1`,
      `${at}.hosts[0].address: "svc.test" is not a valid address`,
    ]);
  });

  it('refuses resolvers that are not IP addresses, unreadable resolver files and non-TCP hosts (cluster manager)', async () => {
    const at = 'cluster_manager.clusters';
    assert.deepEqual(
      await refusal({
        cluster_manager: {
          clusters: [
            { name: 'a', type: 'STRICT_DNS', hosts: [{ address: 'unix:/tmp/x.sock' }, { address: 'ok.test:80' }], dns_resolvers: { servers: ['dns.example.com', '10.0.0.1:99999', '[::1]:5353'] } },
            { name: 'b', type: 'STRICT_DNS', hosts: [{ address: 'ok.test:80' }], dns_resolver_file: '/nonexistent/resolv.conf', dns_resolver_port: '70000' },
          ],
        },
      }),
      [
        `${at}[0].dns_resolvers.servers[0]: "dns.example.com" is not an IP address (optionally with :port)`,
        `${at}[0].dns_resolvers.servers[1]: "10.0.0.1:99999" is not an IP address (optionally with :port)`,
        `${at}[0].hosts[0].address: "unix:/tmp/x.sock" is not "hostname:port"`,
        `${at}[1].dns_resolver_port: "70000" is not a port (1-65535)`,
        `${at}[1].dns_resolver_file: "/nonexistent/resolv.conf" cannot be read (ENOENT)`,
      ],
    );
  });

  it('keeps the same host object for an address that stays (health and pools survive a refresh); literal IPs are not resolved', async () => {
    const dns = await startDnsmasq({ 'svc.test': ['127.0.0.2'] });
    const problems: string[] = [];
    const cm = ClusterManagerImpl.fromConfig(
      [{ name: 'svc', type: 'STRICT_DNS', hosts: [{ address: 'svc.test:8080', weight: 3 }, { address: '127.0.0.9:81' }], dns_refresh_rate: '50ms', dns_resolvers: { servers: [dns.server] } }],
      new MetricsRegistry(),
      silent,
      problems,
    );
    try {
      assert.deepEqual(problems, []);
      const cluster = cm.getCluster('svc')!;
      assert.deepEqual(cluster.hosts.map((h) => h.address), ['127.0.0.9:81'], 'before start: the literal IP only');
      await cm.start();
      assert.deepEqual(cluster.hosts.map((h) => h.address).sort(), ['127.0.0.2:8080', '127.0.0.9:81']);
      const kept = cluster.hosts.find((h) => h.address === '127.0.0.2:8080')!;
      assert.equal(kept.weight, 3);
      assert.equal(kept.hostname, 'svc.test');
      kept.healthy = false; // as health checking would
      await dns.setRecords({ 'svc.test': ['127.0.0.2', '127.0.0.3'] });
      await waitFor(() => cluster.hosts.length === 3, 2000, 'the new address');
      assert.equal(cluster.hosts.find((h) => h.address === '127.0.0.2:8080'), kept);
      assert.equal(kept.healthy, false);
    } finally {
      cm.close();
      await dns.stop();
    }
  });

  it('dns_lookup_family picks A, AAAA or both', async () => {
    const dns = await startDnsmasq({ 'dual.test': ['127.0.0.2', '::1'] });
    const clusters = (['V4_ONLY', 'V6_ONLY', 'ALL'] as const).map((family) => ({
      name: family,
      type: 'STRICT_DNS',
      hosts: [{ address: 'dual.test:80' }],
      dns_lookup_family: family,
      dns_resolvers: { servers: [dns.server] },
    }));
    const problems: string[] = [];
    const cm = ClusterManagerImpl.fromConfig(clusters, new MetricsRegistry(), silent, problems);
    try {
      assert.deepEqual(problems, []);
      await cm.start();
      const addresses = (name: string) => cm.getCluster(name)!.hosts.map((h) => h.address).sort();
      assert.deepEqual(addresses('V4_ONLY'), ['127.0.0.2:80']);
      assert.deepEqual(addresses('V6_ONLY'), ['[::1]:80']);
      assert.deepEqual(addresses('ALL'), ['127.0.0.2:80', '[::1]:80']);
      assert.deepEqual(cm.getCluster('V6_ONLY')!.hosts[0].parsedAddress, { kind: 'tcp', host: '::1', port: 80 });
    } finally {
      cm.close();
      await dns.stop();
    }
  });
});
