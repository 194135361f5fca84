import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { AdminServer } from '../../core/admin/admin-server';
import { textResponse } from '../../core/admin/admin-route';
import { MOSN_STATE_CODES } from '../../core/admin/mosn-state';
import { startAdmin, type AdminFixture } from './admin-fixture';

describe('AdminServer', () => {
  let admin: AdminFixture;
  let state = 'Running';

  before(async () => {
    admin = await startAdmin({
      state: () => state,
      extraRoutes: [{ path: '/api/v1/plugin', method: 'GET', handle: ({ url }) => textResponse(`plugin ${url.searchParams.get('status')}`) }],
    });
  });
  after(() => admin.close());

  it('listens on the address it returns', () => {
    assert.match(admin.base, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(admin.base, 'http://127.0.0.1:0');
  });

  it('GET /api/v1/version prints "mosn version: <v>"', async () => {
    const res = await fetch(`${admin.base}/api/v1/version`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'mosn version: 1.2.3-test');
  });

  it('GET /api/v1/states prints pid and MOSN state number', async () => {
    state = 'Running';
    assert.equal(await (await fetch(`${admin.base}/api/v1/states`)).text(), `pid=${process.pid}&state=${MOSN_STATE_CODES.Running}\n`);
    state = 'Draining';
    assert.equal(await (await fetch(`${admin.base}/api/v1/states`)).text(), `pid=${process.pid}&state=${MOSN_STATE_CODES.GracefulStopping}\n`);
    state = 'SomethingElse';
    assert.equal(await (await fetch(`${admin.base}/api/v1/states`)).text(), `pid=${process.pid}&state=SomethingElse\n`);
  });

  it('GET / lists every API but itself, extra routes included', async () => {
    const res = await fetch(`${admin.base}/`);
    assert.equal(res.status, 200);
    const lines = (await res.text()).split('\n');
    assert.equal(lines[0], 'supported APIs:');
    for (const api of [
      '/api/v1/version',
      '/api/v1/config_dump',
      '/api/v1/stats',
      '/api/v1/states',
      '/api/v1/get_loglevel',
      '/api/v1/update_loglevel',
      '/api/v1/enable_log',
      '/api/v1/disable_log',
      '/api/v1/plugin',
      '/metrics',
    ]) {
      assert.ok(lines.includes(api), `${api} listed`);
    }
    assert.ok(!lines.includes('/'));
  });

  it('serves extra routes', async () => {
    assert.equal(await (await fetch(`${admin.base}/api/v1/plugin?status=all`)).text(), 'plugin all');
  });

  it('answers 404 for an unknown path', async () => {
    const res = await fetch(`${admin.base}/api/v1/nope`);
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { error: string }).error, /\/api\/v1\/nope/);
  });

  it('answers 405 with Allow for a wrong method', async () => {
    const post = await fetch(`${admin.base}/api/v1/version`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET');
    await post.text();
    const get = await fetch(`${admin.base}/api/v1/update_loglevel`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    await get.text();
    for (const path of ['/api/v1/enable_log', '/api/v1/disable_log']) {
      const res = await fetch(`${admin.base}${path}`, { method: 'PUT', body: 'x' });
      assert.equal(res.status, 405, path);
      await res.text();
    }
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const res = await fetch(`${admin.base}/api/v1/enable_log`, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) });
    assert.equal(res.status, 413);
    await res.text();
  });

  it('answers 500 "internal error" when a handler throws', async () => {
    admin.server.addRoute({ path: '/boom', method: 'GET', handle: () => { throw new Error('boom'); } });
    const res = await fetch(`${admin.base}/boom`);
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: 'internal error' });
    assert.ok(admin.server.removeRoute('/boom', 'GET'));
    assert.equal((await fetch(`${admin.base}/boom`)).status, 404);
  });

  it('does not take a path as a host ("//x")', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      http.get(`${admin.base}//api/v1/version`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    assert.equal(status, 404);
  });

  it('refuses a duplicate route and will not remove a built-in one', () => {
    assert.throws(() => admin.server.addRoute({ path: '/api/v1/version', method: 'GET', handle: () => textResponse('') }), /already exists/);
    assert.equal(admin.server.removeRoute('/api/v1/version', 'GET'), false);
  });

  it('rejects an invalid listen address and a taken port', async () => {
    const other = new AdminServer({ version: 'x', configDump: () => ({}), metrics: admin.metrics, logs: admin.logs, state: () => 'Running' });
    await assert.rejects(other.listen('not-an-address'), /invalid admin address/);
    await assert.rejects(other.listen(admin.base.slice('http://'.length)), /EADDRINUSE/);
    await other.close();
  });
});
