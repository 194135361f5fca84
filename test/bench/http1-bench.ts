/**
 * HTTP/1.1 keep-alive benchmark, the method of shared/reference/performance.md: an nginx upstream
 * answering 1 KiB, wrk -t1 -c64, load generator and upstream pinned to CPU 0 and the proxy under
 * test to CPU 1; each proxy's CPU time per request is read from /proc/PID/stat. Runs direct, nginx,
 * HAProxy and mosn-ts side by side in one run and prints one table.
 *
 *   npm run bench:http [-- --duration 8 --connections 64]
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLK_TCK, childPids, freePort, pinned, procStatFields, startPinned, waitForPort, which } from './bench-process';
import { REPO_ROOT } from '../support/paths';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const DURATION_S = opt('duration', 8);
const CONNECTIONS = opt('connections', 64);
const WARMUP_S = 2;
const PAGE_SIZE = 4096;

interface Row {
  name: string;
  rps: number;
  cpuUsPerReq: number | undefined;
  p50: string;
  p99: string;
  rssRestMiB: number | undefined;
  rssLoadMiB: number | undefined;
  note?: string;
}

/** utime+stime of a process and all its threads, in seconds; RSS in MiB. */
function procStat(pid: number): { cpuS: number; rssMiB: number } {
  const fields = procStatFields(pid);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssPages = Number(fields[21]);
  return { cpuS: (utime + stime) / CLK_TCK, rssMiB: (rssPages * PAGE_SIZE) / (1024 * 1024) };
}

function wrk(port: number, seconds: number): { rps: number; requests: number; p50: string; p99: string } {
  const [c, a] = pinned(0, 'wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', `http://127.0.0.1:${port}/`]);
  const out = execFileSync(c, a, { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const p50 = /\s50%\s+(\S+)/.exec(out)?.[1] ?? '?';
  const p99 = /\s99%\s+(\S+)/.exec(out)?.[1] ?? '?';
  return { rps, requests, p50, p99 };
}

async function measure(name: string, port: number, pids: () => number[]): Promise<Row> {
  wrk(port, WARMUP_S);
  const ps = pids();
  const rest = ps.reduce((s, p) => s + procStat(p).rssMiB, 0);
  const before = ps.reduce((s, p) => s + procStat(p).cpuS, 0);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, ps.reduce((s, p) => s + procStat(p).rssMiB, 0))), 500);
  const r = await new Promise<ReturnType<typeof wrk>>((resolve) => setImmediate(() => resolve(wrk(port, DURATION_S))));
  clearInterval(sampler);
  const after = ps.reduce((s, p) => s + procStat(p).cpuS, 0);
  return {
    name,
    rps: r.rps,
    cpuUsPerReq: ps.length ? ((after - before) * 1e6) / r.requests : undefined,
    p50: r.p50,
    p99: r.p99,
    rssRestMiB: ps.length ? rest : undefined,
    rssLoadMiB: ps.length ? Math.max(peak, rest) : undefined,
  };
}

async function main(): Promise<void> {
  if (!which('wrk')) {
    console.error('wrk is not installed (apt-get install wrk); nothing to measure');
    process.exit(1);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-bench-'));
  const children: ChildProcess[] = [];
  const rows: Row[] = [];
  const body = 'x'.repeat(1024);
  try {
    const nginx = which('nginx');
    if (!nginx) throw new Error('nginx is not installed (apt-get install nginx-light): it is the upstream');
    const upPort = await freePort();
    fs.writeFileSync(
      path.join(dir, 'upstream.conf'),
      `worker_processes 1; daemon off; pid ${dir}/up.pid; error_log ${dir}/up-error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:${upPort}; location / { default_type text/plain; return 200 "${body}"; } } }`,
    );
    children.push(startPinned(0, nginx, ['-c', path.join(dir, 'upstream.conf'), '-p', dir]));
    await waitForPort(upPort, 10_000);
    rows.push(await measure('direct (nginx upstream)', upPort, () => []));

    const nginxPort = await freePort();
    fs.writeFileSync(
      path.join(dir, 'proxy-nginx.conf'),
      `worker_processes 1; daemon off; pid ${dir}/px.pid; error_log ${dir}/px-error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  upstream up { server 127.0.0.1:${upPort}; keepalive 128; }
  server { listen 127.0.0.1:${nginxPort};
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } } }`,
    );
    const nginxProxy = startPinned(1, nginx, ['-c', path.join(dir, 'proxy-nginx.conf'), '-p', dir]);
    children.push(nginxProxy);
    await waitForPort(nginxPort, 10_000);
    rows.push(await measure('nginx (1 worker, keepalive)', nginxPort, () => childPids(nginxProxy.pid!)));

    const haproxy = which('haproxy');
    if (haproxy) {
      const hPort = await freePort();
      fs.writeFileSync(
        path.join(dir, 'haproxy.cfg'),
        `global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  http-reuse always
frontend f
  bind 127.0.0.1:${hPort}
  default_backend b
backend b
  server s1 127.0.0.1:${upPort}
`,
      );
      const h = startPinned(1, haproxy, ['-f', path.join(dir, 'haproxy.cfg'), '-db']);
      children.push(h);
      await waitForPort(hPort, 10_000);
      rows.push(await measure('HAProxy (nbthread 1, http-reuse always)', hPort, () => [h.pid!]));
    } else {
      rows.push({ name: 'HAProxy', rps: 0, cpuUsPerReq: undefined, p50: '-', p99: '-', rssRestMiB: undefined, rssLoadMiB: undefined, note: 'not installed' });
    }

    const mPort = await freePort();
    const adminPort = await freePort();
    const config = {
      servers: [
        {
          default_log_path: path.join(dir, 'mosn.log'),
          default_log_level: 'WARN',
          routers: [{ router_config_name: 'r', virtual_hosts: [{ name: 'all', domains: ['*'], routers: [{ match: { prefix: '/' }, route: { cluster_name: 'up' } }] }] }],
          listeners: [
            {
              name: 'bench',
              address: `127.0.0.1:${mPort}`,
              filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'Http1', upstream_protocol: 'Http1', router_config_name: 'r' } }] }],
            },
          ],
        },
      ],
      cluster_manager: { clusters: [{ name: 'up', type: 'SIMPLE', lb_type: 'LB_ROUNDROBIN', hosts: [{ address: `127.0.0.1:${upPort}` }] }] },
      admin: { address: `127.0.0.1:${adminPort}` },
      pid: path.join(dir, 'mosn.pid'),
      plugins: { dir: path.join(REPO_ROOT, 'plugins') },
    };
    fs.writeFileSync(path.join(dir, 'mosn.json'), JSON.stringify(config));
    const mosn = startPinned(1, process.execPath, [path.join(REPO_ROOT, 'bin', 'mosn.js'), 'start', '-c', path.join(dir, 'mosn.json')]);
    children.push(mosn);
    await waitForPort(mPort, 10_000);
    // taskset execs the command in place, so the child's pid is the node process itself.
    rows.push(await measure('mosn-ts (1 process)', mPort, () => [mosn.pid!]));
  } finally {
    for (const c of children.reverse()) c.kill('SIGTERM');
  }

  console.log(`\nHTTP/1.1 keep-alive, 1 KiB response, wrk -t1 -c${CONNECTIONS} -d${DURATION_S}s; wrk and upstream on CPU 0, proxy on CPU 1 (${os.cpus().length} CPUs, node ${process.version})`);
  console.log('latency is wrk\'s closed-loop latency at saturation, not an open-loop figure\n');
  const header = ['target', 'req/s', 'CPU µs/req', 'p50', 'p99', 'RSS rest MiB', 'RSS load MiB'];
  const lines = rows.map((r) => [
    r.name,
    r.note ?? r.rps.toFixed(0),
    r.cpuUsPerReq === undefined ? '-' : r.cpuUsPerReq.toFixed(1),
    r.p50,
    r.p99,
    r.rssRestMiB === undefined ? '-' : r.rssRestMiB.toFixed(1),
    r.rssLoadMiB === undefined ? '-' : r.rssLoadMiB.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
