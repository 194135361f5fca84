import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeaderMap } from '../../plugin-sdk/api/header-map';
import { req, routesOf } from './router-fixtures';

function clusterOf(routes: ReturnType<typeof routesOf>, headers: HeaderMap): string | undefined {
  return routes.match(headers)?.clusterName(headers);
}

describe('route matching', () => {
  const routes = routesOf([
    { match: { path: '/exact' }, route: { cluster_name: 'path' } },
    { match: { regex: '/items/[0-9]+' }, route: { cluster_name: 'regex' } },
    { match: { prefix: '/api' }, route: { cluster_name: 'prefix' } },
    { match: { prefix: '/' }, route: { cluster_name: 'fallback' } },
  ]);

  it('exact path compares the path without the query string', () => {
    assert.equal(clusterOf(routes, req('/exact?x=1')), 'path');
    assert.equal(clusterOf(routes, req('/exact/more')), 'fallback');
  });

  it('a regex must match the whole path', () => {
    assert.equal(clusterOf(routes, req('/items/42?q')), 'regex');
    assert.equal(clusterOf(routes, req('/items/42/x')), 'fallback');
    assert.equal(clusterOf(routes, req('/v1/items/42')), 'fallback');
  });

  it('prefix matches the start of the path', () => {
    assert.equal(clusterOf(routes, req('/api/users')), 'prefix');
    assert.equal(clusterOf(routes, req('/apix')), 'prefix');
    assert.equal(clusterOf(routes, req('/other')), 'fallback');
  });

  it('the first matching route in config order wins', () => {
    const ordered = routesOf([
      { match: { prefix: '/' }, route: { cluster_name: 'first' } },
      { match: { prefix: '/api' }, route: { cluster_name: 'second' } },
    ]);
    assert.equal(clusterOf(ordered, req('/api')), 'first');
  });

  it('matching is case sensitive by default', () => {
    const r = routesOf([{ match: { prefix: '/API' }, route: { cluster_name: 'c' } }]);
    assert.equal(r.match(req('/api')), undefined);
    assert.ok(r.match(req('/API/x')));
  });

  it('case_sensitive: false applies to prefix, path and regex', () => {
    const r = routesOf([
      { match: { prefix: '/Api', case_sensitive: false }, route: { cluster_name: 'prefix' } },
      { match: { path: '/Exact', case_sensitive: false }, route: { cluster_name: 'path' } },
      { match: { regex: '/re/[a-z]+', case_sensitive: false }, route: { cluster_name: 'regex' } },
    ]);
    assert.equal(clusterOf(r, req('/aPI/x')), 'prefix');
    assert.equal(clusterOf(r, req('/EXACT')), 'path');
    assert.equal(clusterOf(r, req('/RE/ABC')), 'regex');
  });

  it('Go regex syntax: (?i) flag and (?P<name>) groups', () => {
    const r = routesOf([{ match: { regex: '(?i)/(?P<id>abc)' }, route: { cluster_name: 'go' } }]);
    assert.equal(clusterOf(r, req('/ABC')), 'go');
  });

  it('a route without a path condition matches any path, and requests without :path', () => {
    const r = routesOf([{ match: { headers: [{ name: 'service', value: 'com.a.Svc' }] }, route: { cluster_name: 'rpc' } }]);
    assert.equal(clusterOf(r, HeaderMap.fromObject({ service: 'com.a.Svc' })), 'rpc');
    assert.equal(clusterOf(r, req('/anything', { service: 'com.a.Svc' })), 'rpc');
    const noMatch = routesOf([{ route: { cluster_name: 'all' } }]);
    assert.equal(clusterOf(noMatch, req('/x')), 'all');
  });

  it('a path condition never matches a request without :path', () => {
    const r = routesOf([{ match: { prefix: '/' }, route: { cluster_name: 'c' } }]);
    assert.equal(r.match(HeaderMap.fromObject({ service: 's' })), undefined);
  });

  it('every header condition must hold (exact value)', () => {
    const r = routesOf([
      { match: { prefix: '/', headers: [{ name: 'x-env', value: 'canary' }, { name: 'x-team', value: 'a' }] }, route: { cluster_name: 'canary' } },
      { match: { prefix: '/' }, route: { cluster_name: 'stable' } },
    ]);
    assert.equal(clusterOf(r, req('/', { 'x-env': 'canary', 'X-Team': 'a' })), 'canary');
    assert.equal(clusterOf(r, req('/', { 'x-env': 'canary' })), 'stable');
    assert.equal(clusterOf(r, req('/', { 'x-env': 'Canary', 'x-team': 'a' })), 'stable');
  });

  it('a regex header condition matches the whole value', () => {
    const r = routesOf([
      { match: { headers: [{ name: 'x-version', value: 'v[12]', regex: true }] }, route: { cluster_name: 'v12' } },
      { route: { cluster_name: 'other' } },
    ]);
    assert.equal(clusterOf(r, req('/', { 'x-version': 'v2' })), 'v12');
    assert.equal(clusterOf(r, req('/', { 'x-version': 'v3' })), 'other');
    assert.equal(clusterOf(r, req('/', { 'x-version': 'v22' })), 'other');
    assert.equal(clusterOf(r, req('/')), 'other');
  });

  it('a header condition without a value only needs the header; "method" is the request method', () => {
    const r = routesOf([
      { match: { headers: [{ name: 'x-debug' }] }, route: { cluster_name: 'debug' } },
      { match: { headers: [{ name: 'method', value: 'POST' }] }, route: { cluster_name: 'post' } },
      { route: { cluster_name: 'other' } },
    ]);
    assert.equal(clusterOf(r, req('/', { 'x-debug': '' })), 'debug');
    assert.equal(clusterOf(r, req('/', { ':method': 'POST' })), 'post');
    assert.equal(clusterOf(r, req('/')), 'other');
  });

  it('no route matches: undefined', () => {
    const r = routesOf([{ match: { prefix: '/a' }, route: { cluster_name: 'c' } }]);
    assert.equal(r.match(req('/b')), undefined);
  });
});
