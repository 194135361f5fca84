/**
 * HTTP/2 benchmark: `h2load -c 16 -m 10` (h2c, prior knowledge) against an nginx h2c upstream
 * (1 KiB response), directly, through mosn-ts (Http2 → Http2, one multiplexed upstream
 * connection), and through nginx (h2 downstream → HTTP/1.1 keep-alive upstream: the Debian nginx
 * has no grpc module, so it cannot proxy to an h2 upstream). Load generator and upstream on CPU 0,
 * the proxy on CPU 1; the proxy's CPU µs per request comes from /proc/PID/stat over the run.
 *
 * Run: npm run build && node dist/test/bench/http2-bench.js [seconds]
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { childPids, cpuSeconds, freePort, pinned, startPinned, waitForPort, which } from './bench-process';
import { REPO_ROOT } from '../support/paths';

const DURATION_S = Number(process.argv[2] ?? 8);
function h2load(port: number, seconds: number): { rps: number; done: number; failed: number } {
  const [c, a] = pinned(0, 'h2load', ['-c', '16', '-m', '10', '-D', String(seconds), `http://127.0.0.1:${port}/`]);
  const out = execFileSync(c, a, { encoding: 'utf8' });
  return {
    rps: Number(/finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out)?.[1] ?? 0),
    done: Number(/requests: \d+ total, \d+ started, (\d+) done/.exec(out)?.[1] ?? 0),
    // h2load's own failure counts plus non-2xx statuses. (Its 2xx count is taken at response headers
    // and `done` at completion, so at the -D cutoff the two differ by what is in flight.)
    failed: ['(\\d+) failed', '(\\d+) errored', '(\\d+) timeout', '(\\d+) 3xx', '(\\d+) 4xx', '(\\d+) 5xx'].reduce((n, re) => n + Number(new RegExp(re).exec(out)?.[1] ?? 0), 0),
  };
}

async function measure(name: string, port: number, pids: () => number[]): Promise<string> {
  h2load(port, 2); // warm-up
  const ps = pids();
  const before = ps.reduce((s, p) => s + cpuSeconds(p), 0);
  const r = h2load(port, DURATION_S);
  const after = ps.reduce((s, p) => s + cpuSeconds(p), 0);
  const cpu = ps.length ? (((after - before) * 1e6) / r.done).toFixed(1) : '-';
  return `| ${name} | ${r.rps.toFixed(0)} | ${cpu} | ${r.done} | ${r.failed} |`;
}

async function main(): Promise<void> {
  const nginx = which('nginx');
  if (!nginx || !which('h2load')) throw new Error('needs nginx and h2load (apt-get install nginx-light nghttp2-client)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h2-bench-'));
  const procs: ChildProcess[] = [];
  const rows: string[] = [];
  try {
    const [h2Up, h1Up, nginxPx, mosnPx] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const body = 'x'.repeat(1024);
    fs.writeFileSync(
      path.join(dir, 'up.conf'),
      `worker_processes 1; daemon off; pid ${dir}/up.pid; error_log ${dir}/up.log; events {}
http { access_log off; keepalive_requests 1000000; http2_max_requests 1000000;
  server { listen 127.0.0.1:${h2Up} http2; location / { return 200 "${body}"; } }
  server { listen 127.0.0.1:${h1Up}; location / { return 200 "${body}"; } } }`,
    );
    procs.push(startPinned(0, nginx, ['-c', path.join(dir, 'up.conf'), '-p', dir]));
    await waitForPort(h2Up, 10_000);
    rows.push(await measure('direct (nginx h2c upstream)', h2Up, () => []));

    fs.writeFileSync(
      path.join(dir, 'px.conf'),
      `worker_processes 1; daemon off; pid ${dir}/px.pid; error_log ${dir}/px.log; events {}
http { access_log off; keepalive_requests 1000000; http2_max_requests 1000000;
  upstream up { server 127.0.0.1:${h1Up}; keepalive 64; }
  server { listen 127.0.0.1:${nginxPx} http2;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } } }`,
    );
    const px = startPinned(1, nginx, ['-c', path.join(dir, 'px.conf'), '-p', dir]);
    procs.push(px);
    await waitForPort(nginxPx, 10_000);
    rows.push(await measure('nginx 1 worker (h2 → HTTP/1.1 keep-alive upstream)', nginxPx, () => childPids(px.pid!)));

    const config = {
      servers: [
        {
          default_log_path: path.join(dir, 'mosn.log'),
          default_log_level: 'WARN',
          routers: [{ router_config_name: 'r', virtual_hosts: [{ name: 'all', domains: ['*'], routers: [{ match: { prefix: '/' }, route: { cluster_name: 'up' } }] }] }],
          listeners: [
            {
              name: 'h2',
              address: `127.0.0.1:${mosnPx}`,
              filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'Http2', upstream_protocol: 'Http2', router_config_name: 'r' } }] }],
            },
          ],
        },
      ],
      cluster_manager: { clusters: [{ name: 'up', type: 'SIMPLE', lb_type: 'LB_ROUNDROBIN', hosts: [{ address: `127.0.0.1:${h2Up}` }] }] },
      admin: { address: '127.0.0.1:0' },
      pid: path.join(dir, 'mosn.pid'),
      plugins: { dir: path.join(REPO_ROOT, 'plugins') },
    };
    fs.writeFileSync(path.join(dir, 'mosn.json'), JSON.stringify(config));
    const mosn = startPinned(1, process.execPath, [path.join(REPO_ROOT, 'bin', 'mosn.js'), 'start', '-c', path.join(dir, 'mosn.json')]);
    procs.push(mosn);
    await waitForPort(mosnPx, 10_000);
    rows.push(await measure('mosn-ts (Http2 → Http2, 1 upstream connection)', mosnPx, () => [mosn.pid!]));
  } finally {
    for (const p of procs) p.kill('SIGTERM');
  }
  console.log(`h2load -c 16 -m 10, ${DURATION_S} s, 1 KiB response; load + upstream on CPU 0, proxy on CPU 1\n`);
  console.log('| target | req/s | proxy CPU µs/req | done | failed, errored or non-2xx |\n|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
