import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeaderMap } from '../../plugin-sdk/api/header-map';
import { req, routerOf } from './router-fixtures';

const to = (cluster: string): unknown[] => [{ route: { cluster_name: cluster } }];

const router = routerOf([
  { name: 'exact', domains: ['www.a.com', 'api.a.com:8080'], routers: to('exact') },
  { name: 'star-a', domains: ['*.a.com'], routers: to('star-a') },
  { name: 'star-b-a', domains: ['*.b.a.com'], routers: to('star-b-a') },
  { name: 'prefix', domains: ['img.*'], routers: to('prefix') },
  { name: 'port-any', domains: ['*:9090'], routers: to('port-any') },
  { name: 'default', domains: ['*'], routers: to('default') },
]);

function vhostFor(authority: string): string | undefined {
  return router.match(req('/', {}, authority))?.virtualHostName;
}

describe('virtual host selection by :authority', () => {
  it('an exact domain wins, compared case-insensitively with the port stripped', () => {
    assert.equal(vhostFor('www.a.com'), 'exact');
    assert.equal(vhostFor('WWW.A.com:80'), 'exact');
  });

  it('a domain with a port matches that port only', () => {
    assert.equal(vhostFor('api.a.com:8080'), 'exact');
    assert.equal(vhostFor('api.a.com:8081'), 'star-a');
    assert.equal(vhostFor('api.a.com'), 'star-a');
  });

  it('the longest suffix wildcard wins over a shorter one', () => {
    assert.equal(vhostFor('x.b.a.com'), 'star-b-a');
    assert.equal(vhostFor('x.c.a.com'), 'star-a');
  });

  it('a wildcard stands for at least one character', () => {
    assert.equal(vhostFor('a.com'), 'default');
    assert.equal(vhostFor('b.a.com'), 'star-a');
  });

  it('a prefix wildcard (Envoy "img.*") matches after the suffix ones', () => {
    assert.equal(vhostFor('img.example.org'), 'prefix');
    assert.equal(vhostFor('img.a.com'), 'star-a');
  });

  it('"*:port" catches any host on that port before the default', () => {
    assert.equal(vhostFor('other.org:9090'), 'port-any');
    assert.equal(vhostFor('other.org:9091'), 'default');
  });

  it('"*" is the default for any other host', () => {
    assert.equal(vhostFor('other.org'), 'default');
  });

  it('IPv6 authorities lose their port too', () => {
    const v6 = routerOf([{ name: 'v6', domains: ['[::1]'], routers: to('v6') }]);
    assert.equal(v6.match(req('/', {}, '[::1]:8080'))?.virtualHostName, 'v6');
  });

  it('no matching virtual host and no default: undefined', () => {
    const noDefault = routerOf([{ name: 'only', domains: ['only.com'], routers: to('c') }]);
    assert.equal(noDefault.match(req('/', {}, 'other.com')), undefined);
    assert.equal(noDefault.selectVirtualHost('other.com'), undefined);
    assert.equal(noDefault.selectVirtualHost('ONLY.com:1')?.name, 'only');
  });

  it('a request without :authority (an RPC protocol) goes to the default virtual host', () => {
    const rpc = HeaderMap.fromObject({ service: 'com.a.Svc' });
    assert.equal(router.match(rpc)?.virtualHostName, 'default');
  });
});
