import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RouterTable } from '../../core/router/router-table';
import { problemsOf, req } from './router-fixtures';

const ok = { route: { cluster_name: 'c' } };

/** Router r with vhost 0 (default, fine) and vhost 1 holding `route`. */
function withRoute(route: unknown): unknown[] {
  return [
    {
      router_config_name: 'r',
      virtual_hosts: [
        { name: 'fine', domains: ['*'], routers: [ok] },
        { name: 'bad', domains: ['b.com'], routers: [route] },
      ],
    },
  ];
}

const BAD = 'servers[0].routers[0].virtual_hosts[1].routers[0]';

describe('router config problems', () => {
  it('a bad path regex names the field', () => {
    const problems = problemsOf(withRoute({ match: { regex: '/(unclosed' }, route: { cluster_name: 'c' } }));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^servers\[0\]\.routers\[0\]\.virtual_hosts\[1\]\.routers\[0\]\.match\.regex: invalid regular expression: .+/);
  });

  it('a bad header regex and a bad regex_rewrite pattern', () => {
    assert.match(problemsOf(withRoute({ match: { headers: [{ name: 'x', value: '[', regex: true }] }, route: { cluster_name: 'c' } }))[0], new RegExp(`^${esc(BAD)}\\.match\\.headers\\[0\\]\\.value: invalid regular expression: `));
    assert.match(problemsOf(withRoute({ route: { cluster_name: 'c', regex_rewrite: { pattern: { regex: '(' }, substitution: '' } } }))[0], new RegExp(`^${esc(BAD)}\\.route\\.regex_rewrite\\.pattern\\.regex: invalid regular expression: `));
  });

  it('a bad duration (timeout, retry_timeout)', () => {
    assert.deepEqual(problemsOf(withRoute({ route: { cluster_name: 'c', timeout: '5 seconds' } })), [
      `${BAD}.route.timeout: "5 seconds" is not a valid duration (write it like "5s", "1m30s" or "500ms")`,
    ]);
    assert.deepEqual(problemsOf(withRoute({ route: { cluster_name: 'c', timeout: 5 } })), [
      `${BAD}.route.timeout: 5 is not a valid duration (write it like "5s", "1m30s" or "500ms")`,
    ]);
    assert.deepEqual(problemsOf(withRoute({ route: { cluster_name: 'c', retry_policy: { retry_on: true, retry_timeout: 'x' } } })), [
      `${BAD}.route.retry_policy.retry_timeout: "x" is not a valid duration (write it like "5s", "1m30s" or "500ms")`,
    ]);
  });

  it('a route with no action', () => {
    assert.deepEqual(problemsOf(withRoute({ match: { prefix: '/' } })), [
      `${BAD}: route has no action: set route.cluster_name, route.weighted_clusters, route.cluster_header, redirect or direct_response`,
    ]);
    assert.deepEqual(problemsOf(withRoute({ match: { prefix: '/' }, route: { timeout: '1s' } })).length, 1);
  });

  it('two default ("*") virtual hosts', () => {
    assert.deepEqual(
      problemsOf([{ router_config_name: 'r', virtual_hosts: [{ domains: ['*'], routers: [ok] }, { domains: ['x.com', '*'], routers: [ok] }] }]),
      ['servers[0].routers[0].virtual_hosts[1].domains[1]: a second default virtual host ("*"), the first is at servers[0].routers[0].virtual_hosts[0].domains[0]'],
    );
  });

  it('duplicate router_config_name', () => {
    assert.deepEqual(problemsOf([{ router_config_name: 'r', virtual_hosts: [] }, { router_config_name: 'q' }, { router_config_name: 'r' }]), [
      'servers[0].routers[2].router_config_name: duplicate router_config_name "r", already used at servers[0].routers[0].router_config_name',
    ]);
  });

  it('duplicate domains within a router (case-insensitive), but not across routers', () => {
    assert.deepEqual(
      problemsOf([{ router_config_name: 'r', virtual_hosts: [{ domains: ['a.com', '*.b.com'], routers: [ok] }, { domains: ['A.com', '*.B.com'], routers: [ok] }] }]),
      [
        'servers[0].routers[0].virtual_hosts[1].domains[0]: duplicate domain "A.com", already used at servers[0].routers[0].virtual_hosts[0].domains[0]',
        'servers[0].routers[0].virtual_hosts[1].domains[1]: duplicate domain "*.B.com", already used at servers[0].routers[0].virtual_hosts[0].domains[1]',
      ],
    );
    assert.deepEqual(problemsOf([{ router_config_name: 'r', virtual_hosts: [{ domains: ['a.com'], routers: [ok] }] }, { router_config_name: 's', virtual_hosts: [{ domains: ['a.com'], routers: [ok] }] }]), []);
  });

  it('other problems: wildcard in the middle, bad redirect code, bad status, zero weights, missing names', () => {
    const problems = problemsOf([
      {
        router_config_name: 'r',
        virtual_hosts: [
          {
            domains: ['a.*.com'],
            routers: [
              { redirect: { response_code: 200 } },
              { direct_response: { status: 1000 } },
              { route: { weighted_clusters: [{ cluster: { name: 'a', weight: 0 } }] } },
              { route: { cluster_name: 'c', request_headers_to_add: [{ header: { value: 'v' } }] } },
              { match: { headers: [{ value: 'v' }] }, route: { cluster_name: 'c' } },
            ],
          },
        ],
      },
      { virtual_hosts: [] },
      'not an object',
    ]);
    const vh = 'servers[0].routers[0].virtual_hosts[0]';
    assert.deepEqual(problems, [
      `${vh}.routers[0].redirect.response_code: 200 is not a redirect code (301, 302, 303, 307 or 308)`,
      `${vh}.routers[1].direct_response.status: must be an integer from 100 to 599, got 1000`,
      `${vh}.routers[2].route.weighted_clusters: the weights must add up to more than 0`,
      `${vh}.routers[3].route.request_headers_to_add[0].header.key: is required`,
      `${vh}.routers[4].match.headers[0].name: is required`,
      `${vh}.domains[0]: "a.*.com": a wildcard '*' may only start or end a domain`,
      'servers[0].routers[1].router_config_name: is required',
      'servers[0].routers[2]: must be an object, got "not an object"',
    ]);
  });

  it('paths start at basePath; a table with problems still serves its good routes', () => {
    const problems: string[] = [];
    const table = RouterTable.fromConfig(withRoute({ match: { regex: '(' }, route: { cluster_name: 'c' } }), problems, 'routers');
    assert.match(problems[0], /^routers\[0\]\.virtual_hosts\[1\]\.routers\[0\]\.match\.regex: /);
    assert.deepEqual(table.names(), ['r']);
    assert.equal(table.get('r')!.match(req('/', {}, 'b.com')), undefined, 'the broken route is left out');
    assert.equal(table.get('r')!.match(req('/', {}, 'x.com'))?.clusterName(req('/')), 'c');
    assert.equal(table.get('nope'), undefined);
  });

  it("MOSN's dynamic router_configs directory is reported as unsupported", () => {
    assert.match(problemsOf([{ router_config_name: 'r', router_configs: '/etc/mosn/routers' }])[0], /^servers\[0\]\.routers\[0\]\.router_configs: /);
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
