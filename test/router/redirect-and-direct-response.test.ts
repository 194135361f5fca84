import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeaderMap } from '../../plugin-sdk/api/header-map';
import { onlyRoute, req, routesOf } from './router-fixtures';

function location(redirect: Record<string, unknown>, headers: HeaderMap, match: Record<string, unknown> = { prefix: '/' }): string {
  const route = routesOf([{ match, redirect }]).match(headers);
  assert.ok(route?.redirect);
  return route.redirectLocation(headers);
}

describe('redirect', () => {
  it('defaults to 301 and keeps what the rule does not set (scheme, host with port, path, query)', () => {
    const route = onlyRoute({ redirect: { path_redirect: '/new' } });
    assert.equal(route.redirect?.responseCode, 301);
    assert.equal(location({ path_redirect: '/new' }, req('/old?a=1', {}, 'a.com:8080')), 'http://a.com:8080/new?a=1');
  });

  it('accepts 302, 303, 307, 308 and the Envoy names', () => {
    for (const code of [302, 303, 307, 308]) assert.equal(onlyRoute({ redirect: { response_code: code } }).redirect?.responseCode, code);
    assert.equal(onlyRoute({ redirect: { response_code: 'TEMPORARY_REDIRECT' } }).redirect?.responseCode, 307);
  });

  it('host_redirect replaces the host', () => {
    assert.equal(location({ host_redirect: 'b.com' }, req('/p?q')), 'http://b.com/p?q');
  });

  it('scheme_redirect to https drops an explicit :80 and keeps other ports', () => {
    assert.equal(location({ scheme_redirect: 'HTTPS' }, req('/p', {}, 'a.com:80')), 'https://a.com/p');
    assert.equal(location({ scheme_redirect: 'https' }, req('/p', {}, 'a.com:8443')), 'https://a.com:8443/p');
    assert.equal(location({ https_redirect: true }, req('/p', {}, 'a.com')), 'https://a.com/p');
  });

  it('scheme_redirect to http drops an explicit :443', () => {
    const headers = HeaderMap.fromObject({ ':scheme': 'https', ':authority': '[::1]:443', ':path': '/s' });
    assert.equal(location({ scheme_redirect: 'http' }, headers), 'http://[::1]/s');
  });

  it("prefix_rewrite replaces the route's matched prefix", () => {
    assert.equal(location({ prefix_rewrite: '/v2/' }, req('/v1/users?x=1'), { prefix: '/v1/' }), 'http://a.com/v2/users?x=1');
  });

  it('a query in path_redirect replaces the request query; strip_query drops it', () => {
    assert.equal(location({ path_redirect: '/n?b=2' }, req('/o?a=1')), 'http://a.com/n?b=2');
    assert.equal(location({ host_redirect: 'b.com', strip_query: true }, req('/o?a=1')), 'http://b.com/o');
  });
});

describe('direct_response', () => {
  it('carries the status and body', () => {
    const route = onlyRoute({ direct_response: { status: 503, body: 'maintenance' } });
    assert.deepEqual(route.directResponse, { status: 503, body: 'maintenance' });
    assert.equal(route.clusterName(req('/')), undefined);
    assert.equal(route.redirect, undefined);
  });

  it('has an empty body when none is set; Envoy inline_string is read', () => {
    assert.deepEqual(onlyRoute({ direct_response: { status: 200 } }).directResponse, { status: 200, body: '' });
    assert.deepEqual(onlyRoute({ direct_response: { status: 404, body: { inline_string: 'nope' } } }).directResponse, { status: 404, body: 'nope' });
  });
});
