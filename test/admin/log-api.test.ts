import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import pino from 'pino';
import { logLines, startAdmin, type AdminFixture } from './admin-fixture';

describe('admin log API', () => {
  let admin: AdminFixture;

  before(async () => {
    admin = await startAdmin({}, 'INFO');
  });
  after(() => admin.close());

  const post = async (path: string, body: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${admin.base}${path}`, { method: 'POST', body });
    return { status: res.status, text: await res.text() };
  };
  const messages = (): unknown[] => logLines(admin.logPath).map((line) => line.msg);

  it('GET /api/v1/get_loglevel maps log paths to MOSN level names', async () => {
    const access = pino({ level: 'warn' }, pino.destination({ dest: '/dev/null', sync: true }));
    admin.logs.register('/tmp/access.log', access);
    const res = await fetch(`${admin.base}/api/v1/get_loglevel`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { [admin.logPath]: 'INFO', '/tmp/access.log': 'WARN' });
    admin.logs.unregister('/tmp/access.log');
  });

  it('POST /api/v1/update_loglevel makes DEBUG lines appear only after the level is raised', async () => {
    const conn = admin.logs.child({ conn: 1 }); // made before the change: must follow it
    conn.debug('debug-before');
    conn.info('info-before');
    assert.ok(!messages().includes('debug-before'));
    assert.ok(messages().includes('info-before'));

    const res = await post('/api/v1/update_loglevel', JSON.stringify({ log_path: admin.logPath, log_level: 'DEBUG' }));
    assert.equal(res.status, 200);
    assert.equal(res.text, 'update logger success\n');
    conn.debug('debug-after');
    assert.ok(messages().includes('debug-after'));
    assert.deepEqual(await (await fetch(`${admin.base}/api/v1/get_loglevel`)).json(), { [admin.logPath]: 'DEBUG' });

    // An empty log_path addresses the server log.
    assert.equal((await post('/api/v1/update_loglevel', '{"log_path":"","log_level":"ERROR"}')).status, 200);
    conn.info('info-at-error');
    assert.ok(!messages().includes('info-at-error'));
    assert.equal((await post('/api/v1/update_loglevel', `{"log_path":${JSON.stringify(admin.logPath)},"log_level":"INFO"}`)).status, 200);
  });

  it('update_loglevel answers 400 with a reason for bad bodies, levels and paths', async () => {
    const cases: [string, RegExp][] = [
      ['not json', /not JSON/],
      ['[1]', /JSON object/],
      ['{"log_path":"x"}', /log_level must be one of FATAL/],
      [JSON.stringify({ log_path: admin.logPath, log_level: 'LOUD' }), /unknown log level "LOUD"/],
      ['{"log_path":"/no/such.log","log_level":"DEBUG"}', /no log at path "\/no\/such.log"/],
      ['{"log_path":5,"log_level":"DEBUG"}', /log_path must be a string/],
    ];
    for (const [body, reason] of cases) {
      const res = await post('/api/v1/update_loglevel', body);
      assert.equal(res.status, 400, body);
      assert.match(JSON.parse(res.text).error, /^update logger failed: /);
      assert.match(JSON.parse(res.text).error, reason, body);
    }
  });

  it('POST /api/v1/disable_log stops lines and /api/v1/enable_log brings them back', async () => {
    const conn = admin.logs.child({ conn: 2 });
    const disabled = await post('/api/v1/disable_log', admin.logPath);
    assert.equal(disabled.status, 200);
    assert.equal(disabled.text, 'disable logger success\n');
    conn.error('error-while-disabled');
    admin.logs.logger.info('info-while-disabled');
    assert.ok(!messages().includes('error-while-disabled'));
    assert.ok(!messages().includes('info-while-disabled'));
    // The level is kept while disabled.
    assert.deepEqual(await (await fetch(`${admin.base}/api/v1/get_loglevel`)).json(), { [admin.logPath]: 'INFO' });

    const enabled = await post('/api/v1/enable_log', `${admin.logPath}\n`);
    assert.equal(enabled.status, 200);
    assert.equal(enabled.text, 'enable logger success\n');
    conn.info('info-after-enable');
    conn.debug('debug-after-enable');
    assert.ok(messages().includes('info-after-enable'));
    assert.ok(!messages().includes('debug-after-enable'));
  });

  it('enable_log / disable_log answer 400 for an unknown or empty path', async () => {
    for (const path of ['/api/v1/enable_log', '/api/v1/disable_log']) {
      const unknown = await post(path, '/no/such.log');
      assert.equal(unknown.status, 400);
      assert.match(JSON.parse(unknown.text).error, /logger failed: no log at path/);
      const empty = await post(path, '');
      assert.equal(empty.status, 400);
      assert.match(JSON.parse(empty.text).error, /must be a log path/);
    }
  });
});
