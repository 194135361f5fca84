import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { request, startHttpUpstream, type HttpUpstream } from '../support/http-upstreams';

/** Sends raw bytes and resolves with everything the proxy answers until it closes the connection. */
function raw(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(bytes));
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? resolve(text) : reject(err)));
    s.on('close', () => resolve(text));
  });
}

describe('HTTP/1.1 proxy: bad input is answered and the connection closed; others go on', () => {
  let upstream: HttpUpstream;
  let mosn: RunningMosn;
  let port: number;

  before(async () => {
    upstream = await startHttpUpstream('u');
    mosn = await startMosn({
      servers: [
        {
          routers: [{ router_config_name: 'r', virtual_hosts: [{ name: 'all', domains: ['*'], routers: [{ match: { prefix: '/' }, route: { cluster_name: 'u' } }] }] }],
          listeners: [
            {
              name: 'http',
              address: '127.0.0.1:0',
              filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'Http1', upstream_protocol: 'Http1', router_config_name: 'r' } }] }],
            },
          ],
        },
      ],
      cluster_manager: { clusters: [cluster('u', [upstream.address])] },
    });
    port = mosn.address('http').port;
  });

  after(async () => {
    await mosn.stop();
    await upstream.close();
  });

  it('malformed request line → 400 and close', async () => {
    const answer = await raw(port, 'GARBAGE\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 /);
  });

  it('header block over the limit → 431 and close', async () => {
    const answer = await raw(port, `GET / HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(80 * 1024)}\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 431 /);
  });

  it('Content-Length with Transfer-Encoding → 400 and close, nothing reaches the upstream', async () => {
    const before = upstream.requests;
    const answer = await raw(port, 'POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 4\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nhost: x\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.doesNotMatch(answer, /200 OK/);
    assert.equal(upstream.requests, before);
  });

  it('duplicate Content-Length → 400 and close', async () => {
    const answer = await raw(port, 'POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 4\r\ncontent-length: 5\r\n\r\nabcde');
    assert.match(answer, /^HTTP\/1\.1 400 /);
  });

  it('invalid chunk size → 400 and close', async () => {
    const answer = await raw(port, 'POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 /);
  });

  it('other clients are served throughout', async () => {
    const [bad, good] = await Promise.all([raw(port, 'BAD REQUEST LINE\r\n\r\n'), request(port, { path: '/ok' })]);
    assert.match(bad, /^HTTP\/1\.1 400 /);
    assert.equal(good.status, 200);
  });
});
