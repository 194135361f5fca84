import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../support/paths';
import { runMosn, runMosnToEnd } from '../support/mosn-process';
import { closed, connect, freePort, readBytes, startEchoServer, type TestServer } from '../support/tcp-peers';

async function writeConfig(echoAddress: string, gracefulTimeout: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-stop-'));
  const listenPort = await freePort();
  const adminPort = await freePort();
  const config = {
    servers: [
      {
        default_log_path: 'stdout',
        default_log_level: 'INFO',
        graceful_timeout: gracefulTimeout,
        listeners: [
          { name: 'l', address: `127.0.0.1:${listenPort}`, filter_chains: [{ filters: [{ type: 'tcp_proxy', config: { cluster: 'echo' } }] }] },
        ],
      },
    ],
    cluster_manager: { clusters: [{ name: 'echo', hosts: [{ address: echoAddress }] }] },
    admin: { address: `127.0.0.1:${adminPort}` },
    pid: './run/mosn.pid',
    plugins: { dir: path.join(REPO_ROOT, 'plugins') },
  };
  const file = path.join(dir, 'mosn.json');
  fs.writeFileSync(file, JSON.stringify(config));
  return { dir, file, listenPort, adminPort, pidFile: path.join(dir, 'run', 'mosn.pid') };
}

describe('mosn stop', () => {
  let echo: TestServer;
  before(async () => {
    echo = await startEchoServer();
  });
  after(() => echo.close());

  it('lets an open connection finish within graceful_timeout, then exits 0 and removes the pid file', async () => {
    const cfg = await writeConfig(echo.address, '20s');
    const mosn = runMosn(['start', '-c', cfg.file], cfg.dir);
    await mosn.waitForLine(/"msg":"mosn-ts started"/);
    assert.equal(Number(fs.readFileSync(cfg.pidFile, 'utf8')), mosn.child.pid);
    const version = await (await fetch(`http://127.0.0.1:${cfg.adminPort}/api/v1/version`)).text();
    assert.match(version, /mosn version/);

    const conn = await connect(cfg.listenPort);
    conn.write('before stop');
    assert.equal((await readBytes(conn, 11)).toString(), 'before stop');

    const stopping = runMosnToEnd(['stop', '-c', cfg.file], cfg.dir);
    await mosn.waitForLine(/stopped accepting; draining connections/);
    // New connections are refused while the open one still works.
    await assert.rejects(connect(cfg.listenPort), /ECONNREFUSED/);
    conn.write('during drain');
    assert.equal((await readBytes(conn, 12)).toString(), 'during drain');
    const t0 = Date.now();
    conn.end();
    await closed(conn);

    assert.equal(await mosn.exited, 0);
    assert.ok(Date.now() - t0 < 10_000, 'exited as soon as the connection finished');
    const stop = await stopping;
    assert.equal(stop.code, 0, stop.stderr);
    assert.ok(!fs.existsSync(cfg.pidFile), 'pid file removed');
  });

  it('closes connections still open at graceful_timeout and exits 0', async () => {
    const cfg = await writeConfig(echo.address, '1s');
    const mosn = runMosn(['start', '-c', cfg.file], cfg.dir);
    await mosn.waitForLine(/"msg":"mosn-ts started"/);
    const conn = await connect(cfg.listenPort);
    conn.on('error', () => undefined);
    conn.write('x');
    await readBytes(conn, 1);
    const t0 = Date.now();
    const stop = await runMosnToEnd(['stop', '-c', cfg.file], cfg.dir);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(await mosn.exited, 0);
    const waited = Date.now() - t0;
    assert.ok(waited >= 900 && waited < 8000, `stopped after ${waited} ms`);
    await closed(conn);
    assert.match(mosn.stdout(), /graceful timeout reached/);
    assert.ok(!fs.existsSync(cfg.pidFile));
  });

  it('without a running process, says so and exits non-zero', async () => {
    const cfg = await writeConfig(echo.address, '1s');
    const stop = await runMosnToEnd(['stop', '-c', cfg.file], cfg.dir);
    assert.equal(stop.code, 1);
    assert.match(stop.stderr, /no running mosn-ts/);
  });
});
