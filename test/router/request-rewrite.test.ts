import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeaderMap } from '../../plugin-sdk/api/header-map';
import { onlyRoute, req, routerOf, routesOf } from './router-fixtures';

function rewritten(route: Record<string, unknown>, path: string, headers: Record<string, string> = {}): Record<string, string> {
  const request = req(path, headers);
  const matched = routesOf([route]).match(request);
  assert.ok(matched);
  matched.rewriteRequest(request);
  return request.toObject();
}

describe('request and response rewrites', () => {
  it('prefix_rewrite replaces the matched prefix and keeps the query string', () => {
    const h = rewritten({ match: { prefix: '/api/' }, route: { cluster_name: 'c', prefix_rewrite: '/v2/' } }, '/api/users?id=1&x=y');
    assert.equal(h[':path'], '/v2/users?id=1&x=y');
    assert.equal(h['x-mosn-original-path'], '/api/users');
  });

  it('prefix_rewrite on a case-insensitive prefix and on an exact path', () => {
    assert.equal(rewritten({ match: { prefix: '/API', case_sensitive: false }, route: { cluster_name: 'c', prefix_rewrite: '/b' } }, '/api/x?q')[':path'], '/b/x?q');
    assert.equal(rewritten({ match: { path: '/old' }, route: { cluster_name: 'c', prefix_rewrite: '/new' } }, '/old?q=1')[':path'], '/new?q=1');
  });

  it('regex_rewrite substitutes every match, with Go ($1) and Envoy (\\1) group references', () => {
    const go = { match: { prefix: '/' }, route: { cluster_name: 'c', regex_rewrite: { pattern: { regex: '^/service/([^/]+)(/.*)$' }, substitution: '$2/instance/${1}' } } };
    assert.equal(rewritten(go, '/service/foo/v1/api?x=1')[':path'], '/v1/api/instance/foo?x=1');
    const envoy = { match: { prefix: '/' }, route: { cluster_name: 'c', regex_rewrite: { pattern: { regex: 'a' }, substitution: '\\0b' } } };
    assert.equal(rewritten(envoy, '/banana')[':path'], '/babnabnab');
  });

  it('no rewrite leaves the path and adds no original-path header', () => {
    const h = rewritten({ route: { cluster_name: 'c' } }, '/x?y');
    assert.equal(h[':path'], '/x?y');
    assert.equal(h['x-mosn-original-path'], undefined);
  });

  it('host_rewrite sets :authority', () => {
    assert.equal(rewritten({ route: { cluster_name: 'c', host_rewrite: 'upstream.internal' } }, '/')[':authority'], 'upstream.internal');
    assert.equal(rewritten({ route: { cluster_name: 'c', auto_host_rewrite_header: 'x-host' } }, '/', { 'x-host': 'h.b' })[':authority'], 'h.b');
    assert.equal(onlyRoute({ route: { cluster_name: 'c', auto_host_rewrite: true } }).autoHostRewrite, true);
  });

  it('request headers are added and removed at route, virtual host and router level, in that order', () => {
    const header = (key: string, value: string, append?: boolean) => ({ header: { key, value }, ...(append === undefined ? {} : { append }) });
    const router = routerOf(
      [
        {
          name: 'vh',
          domains: ['*'],
          request_headers_to_add: [header('x-order', 'vh'), header('x-vh', 'yes')],
          request_headers_to_remove: ['x-drop-vh'],
          routers: [
            {
              route: {
                cluster_name: 'c',
                request_headers_to_add: [header('x-order', 'route'), header('x-set', 'route', false), header('x-append', 'route', true)],
                request_headers_to_remove: ['x-drop-route'],
              },
            },
          ],
        },
      ],
      {
        request_headers_to_add: [header('x-order', 'router'), header('x-set', 'router', false)],
        request_headers_to_remove: ['x-drop-router', 'x-vh'],
      },
    );
    const request = req('/', { 'x-set': 'client', 'x-append': 'client', 'x-drop-route': '1', 'x-drop-vh': '1', 'x-drop-router': '1' });
    const route = router.match(request)!;
    route.rewriteRequest(request);
    const h = request.toObject();
    assert.equal(h['x-order'], 'route,vh,router');
    assert.equal(h['x-set'], 'router');
    assert.equal(h['x-append'], 'client,route');
    assert.equal(h['x-drop-route'], undefined);
    assert.equal(h['x-drop-vh'], undefined);
    assert.equal(h['x-drop-router'], undefined);
    assert.equal(h['x-vh'], undefined, 'the router level removes what the virtual host added');
  });

  it('append: false replaces every existing value', () => {
    const request = HeaderMap.fromObject({ ':authority': 'a.com', ':path': '/x?y', 'x-a': ['1', '2'] });
    const route = routesOf([{ route: { cluster_name: 'c', request_headers_to_add: [{ header: { key: 'x-a', value: '3' }, append: false }] } }]).match(request)!;
    route.rewriteRequest(request);
    assert.deepEqual(request.getAll('x-a'), ['3']);
  });

  it("Envoy's route-level header lists are read too", () => {
    const h = rewritten({ route: { cluster_name: 'c' }, request_headers_to_add: [{ header: { key: 'x-envoy', value: '1' } }] }, '/');
    assert.equal(h['x-envoy'], '1');
  });

  it('response headers are added and removed at route, virtual host and router level', () => {
    const router = routerOf(
      [
        {
          domains: ['*'],
          response_headers_to_add: [{ header: { key: 'x-served-by', value: 'vh' } }],
          response_headers_to_remove: ['x-internal'],
          routers: [{ route: { cluster_name: 'c', response_headers_to_add: [{ header: { key: 'x-served-by', value: 'route' } }, { header: { key: 'set-cookie', value: 'b=2' } }], response_headers_to_remove: ['server'] } }],
        },
      ],
      { response_headers_to_add: [{ header: { key: 'x-router', value: 'r' }, append: false }], response_headers_to_remove: ['x-powered-by'] },
    );
    const response = HeaderMap.fromObject({ ':status': '200', server: 'up', 'x-internal': '1', 'x-powered-by': 'php', 'set-cookie': 'a=1' });
    router.match(req('/'))!.rewriteResponse(response);
    const h = response.toObject();
    assert.equal(h['x-served-by'], 'route,vh');
    assert.equal(h['x-router'], 'r');
    assert.equal(h.server, undefined);
    assert.equal(h['x-internal'], undefined);
    assert.equal(h['x-powered-by'], undefined);
    assert.deepEqual(response.getAll('set-cookie'), ['a=1', 'b=2'], 'set-cookie is never comma-joined');
  });
});
