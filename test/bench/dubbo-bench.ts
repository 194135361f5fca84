/**
 * dubbo benchmark: 64 requests in flight, 1 KiB payload each way, direct to a dubbo upstream and
 * through mosn-ts (dubbo → dubbo proxy, route on `service`), in one run. Prints req/s, latency and
 * the proxy's CPU time per request (utime + stime from /proc/PID/stat over the measured window).
 * Load generator and upstream run pinned to CPU 0, the proxy to CPU 1 (when taskset exists).
 *
 *   npm run build && node dist/test/bench/dubbo-bench.js [--duration 8] [--connections 4] [--inflight 64]
 *
 * The request is what a Dubbo 2.7 consumer sends (hessian2 by hessian.js): dubbo version, service,
 * version, method `echo`, descriptor `Ljava/lang/String;`, one 1 KiB string argument and the usual
 * attachments; the response is a RESPONSE_VALUE with a 1 KiB string. The upstream and the load
 * generator are lean dubbo peers (prebuilt frames with the right ids) so that they, not the proxy,
 * are cheap; the same file runs them in child processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const role = args[args.indexOf('--role') + 1];
const DURATION_S = opt('duration', 8);
const WARMUP_S = opt('warmup', 2);
const CONNECTIONS = opt('connections', 4);
const INFLIGHT = opt('inflight', 64);
const PAYLOAD = 1024;
const SERVICE = 'com.example.BenchService';
const CLK_TCK = 100;

/* eslint-disable @typescript-eslint/no-require-imports */
const { EncoderV2 } = require('hessian.js') as { EncoderV2: new () => { write(v: unknown): unknown; get(): Buffer } };

function hessian(values: unknown[]): Buffer {
  const e = new EncoderV2();
  for (const v of values) e.write(v);
  return Buffer.from(e.get());
}

function dubboFrame(flag: number, status: number, body: Buffer): Buffer {
  const out = Buffer.alloc(16 + body.length);
  out.writeUInt16BE(0xdabb, 0);
  out[2] = flag;
  out[3] = status;
  out.writeUInt32BE(body.length, 12);
  body.copy(out, 16);
  return out;
}

function requestTemplate(): Buffer {
  const attachments = { path: SERVICE, interface: SERVICE, version: '1.0.0', timeout: '3000' };
  return dubboFrame(0xc2, 0, hessian(['2.0.2', SERVICE, '1.0.0', 'echo', 'Ljava/lang/String;', 'x'.repeat(PAYLOAD), attachments]));
}

function responseTemplate(): Buffer {
  return dubboFrame(0x02, 20, hessian([1, 'y'.repeat(PAYLOAD)]));
}

/** Splits complete dubbo frames off `buf`; calls `onFrame(frame)`; returns the rest. */
function eachFrame(buf: Buffer, onFrame: (frame: Buffer) => void): Buffer {
  let at = 0;
  for (;;) {
    const left = buf.length - at;
    if (left < 16) break;
    const len = 16 + buf.readUInt32BE(at + 12);
    if (left < len) break;
    onFrame(buf.subarray(at, at + len));
    at += len;
  }
  return at === buf.length ? EMPTY : buf.subarray(at);
}
const EMPTY: Buffer = Buffer.alloc(0);

// ---- child roles ----

/** A dubbo echo upstream: every request gets the prebuilt 1 KiB response with its id. */
function runUpstream(): void {
  const template = responseTemplate();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let pending: Buffer = EMPTY;
    socket.on('data', (chunk: Buffer) => {
      const out: Buffer[] = [];
      pending = eachFrame(pending.length ? Buffer.concat([pending, chunk]) : chunk, (frame) => {
        // A heartbeat event gets Dubbo's answer (response + event, OK, null).
        const reply = (frame[2] & 0x20) !== 0 ? dubboFrame(0x22, 20, Buffer.from([0x4e])) : Buffer.from(template);
        frame.copy(reply, 4, 4, 12); // the request's id
        out.push(reply);
      });
      if (out.length) socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${(server.address() as net.AddressInfo).port}`));
}

/** Keeps INFLIGHT requests going over CONNECTIONS connections; reports the measured window. */
function runLoad(port: number): void {
  const template = requestTemplate();
  const perConn = Math.ceil(INFLIGHT / CONNECTIONS);
  let measuring = false;
  let stopped = false;
  let count = 0;
  const latencies: number[] = [];
  let nextId = 1;
  for (let c = 0; c < CONNECTIONS; c++) {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    const sentAt = new Map<number, number>();
    const send = (): void => {
      const id = nextId++;
      const frame = Buffer.from(template);
      frame.writeUInt32BE(id, 8);
      sentAt.set(id, performance.now());
      socket.write(frame);
    };
    socket.on('connect', () => {
      for (let i = 0; i < perConn; i++) send();
    });
    let pending: Buffer = EMPTY;
    socket.on('data', (chunk: Buffer) => {
      pending = eachFrame(pending.length ? Buffer.concat([pending, chunk]) : chunk, (frame) => {
        const id = frame.readUInt32BE(8);
        const t0 = sentAt.get(id);
        sentAt.delete(id);
        if (frame[3] !== 20) throw new Error(`response status ${frame[3]}`);
        if (measuring && t0 !== undefined) {
          count++;
          if ((count & 7) === 0) latencies.push(performance.now() - t0);
        }
        if (!stopped) send();
      });
    });
    socket.on('error', (err) => {
      console.error(`load connection error: ${err.message}`);
      process.exit(1);
    });
  }
  setTimeout(() => {
    measuring = true;
    console.log('WARM');
    const started = performance.now();
    setTimeout(() => {
      measuring = false;
      stopped = true;
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
      console.log(`DONE ${JSON.stringify({ count, seconds, p50: pct(0.5), p99: pct(0.99) })}`);
      setTimeout(() => process.exit(0), 50);
    }, DURATION_S * 1000);
  }, WARMUP_S * 1000);
}

// ---- orchestration ----

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = path.join(dir, cmd);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

function pinned(cpu: number, argv: string[]): [string, string[]] {
  return which('taskset') ? ['taskset', ['-c', String(cpu), ...argv]] : [argv[0], argv.slice(1)];
}

function startChild(cpu: number, argv: string[]): ChildProcess {
  const [cmd, a] = pinned(cpu, argv);
  return spawn(cmd, a, { stdio: ['ignore', 'pipe', 'inherit'] });
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        resolve(m);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before ${pattern}: ${out}`)));
  });
}

async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** utime and stime of a process (all threads), in seconds. */
function cpuSeconds(pid: number): { user: number; sys: number } {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { user: Number(fields[11]) / CLK_TCK, sys: Number(fields[12]) / CLK_TCK };
}

/** Read and write syscalls a process made so far (/proc/PID/io), when readable. */
function syscalls(pid: number): { r: number; w: number } | undefined {
  try {
    const io = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
    return { r: Number(/syscr: (\d+)/.exec(io)![1]), w: Number(/syscw: (\d+)/.exec(io)![1]) };
  } catch {
    return undefined;
  }
}

interface Row {
  name: string;
  rps: number;
  cpuUsPerReq: number | undefined;
  /** The share of that CPU time spent in the kernel (stime), in percent. */
  sysPercent: number | undefined;
  /** The proxy's read / write syscalls per request (a batching figure). */
  syscallsPerReq: string | undefined;
  p50: number;
  p99: number;
}

async function measure(name: string, port: number, proxyPid: number | undefined): Promise<Row> {
  const load = startChild(0, [process.execPath, __filename, '--role', 'load', '--port', String(port), '--duration', String(DURATION_S), '--warmup', String(WARMUP_S), '--connections', String(CONNECTIONS), '--inflight', String(INFLIGHT)]);
  await waitForLine(load, /WARM/);
  const cpu0 = proxyPid ? cpuSeconds(proxyPid) : undefined;
  const io0 = proxyPid ? syscalls(proxyPid) : undefined;
  const done = await waitForLine(load, /DONE (\{.*\})/);
  const cpu1 = proxyPid ? cpuSeconds(proxyPid) : undefined;
  const io1 = proxyPid ? syscalls(proxyPid) : undefined;
  const r = JSON.parse(done[1]) as { count: number; seconds: number; p50: number; p99: number };
  return {
    name,
    rps: r.count / r.seconds,
    cpuUsPerReq: cpu0 && cpu1 ? ((cpu1.user + cpu1.sys - cpu0.user - cpu0.sys) * 1e6) / r.count : undefined,
    sysPercent: cpu0 && cpu1 ? ((cpu1.sys - cpu0.sys) / Math.max(1e-9, cpu1.user + cpu1.sys - cpu0.user - cpu0.sys)) * 100 : undefined,
    syscallsPerReq: io0 && io1 ? `${((io1.r - io0.r) / r.count).toFixed(2)} / ${((io1.w - io0.w) / r.count).toFixed(2)}` : undefined,
    p50: r.p50,
    p99: r.p99,
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-dubbo-bench-'));
  const children: ChildProcess[] = [];
  const rows: Row[] = [];
  try {
    const upstream = startChild(0, [process.execPath, __filename, '--role', 'upstream']);
    children.push(upstream);
    const upPort = Number((await waitForLine(upstream, /LISTENING (\d+)/))[1]);
    rows.push(await measure('direct (dubbo upstream)', upPort, undefined));

    const mPort = await freePort();
    const adminPort = await freePort();
    const config = {
      servers: [
        {
          default_log_path: path.join(dir, 'mosn.log'),
          default_log_level: 'WARN',
          routers: [
            {
              router_config_name: 'dubbo_router',
              virtual_hosts: [{ name: 'rpc', domains: ['*'], routers: [{ match: { headers: [{ name: 'service', value: SERVICE }] }, route: { cluster_name: 'bench' } }] }],
            },
          ],
          listeners: [
            {
              name: 'dubbo',
              address: `127.0.0.1:${mPort}`,
              filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'dubbo', upstream_protocol: 'dubbo', router_config_name: 'dubbo_router' } }] }],
            },
          ],
        },
      ],
      cluster_manager: { clusters: [{ name: 'bench', type: 'SIMPLE', lb_type: 'LB_ROUNDROBIN', hosts: [{ address: `127.0.0.1:${upPort}` }] }] },
      admin: { address: `127.0.0.1:${adminPort}` },
      pid: path.join(dir, 'mosn.pid'),
      plugins: { dir: path.join(REPO_ROOT, 'plugins') },
    };
    fs.writeFileSync(path.join(dir, 'mosn.json'), JSON.stringify(config));
    // DUBBO_BENCH_PROXY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the proxy.
    const nodeArgs = (process.env.DUBBO_BENCH_PROXY_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const [cmd, a] = pinned(1, [process.execPath, ...nodeArgs, path.join(REPO_ROOT, 'bin', 'mosn.js'), 'start', '-c', path.join(dir, 'mosn.json')]);
    const mosn = spawn(cmd, a, { stdio: 'ignore' });
    children.push(mosn);
    await waitForPort(mPort);
    // taskset execs the command in place, so the child's pid is the node process itself.
    rows.push(await measure('mosn-ts (dubbo → dubbo, 1 process)', mPort, mosn.pid!));
  } finally {
    for (const c of children.reverse()) c.kill('SIGTERM');
    // Let mosn-ts stop gracefully (and write a profile when asked to).
    await new Promise((r) => setTimeout(r, 1500));
  }

  console.log(
    `\ndubbo (hessian2), ${INFLIGHT} requests in flight over ${CONNECTIONS} connections, 1 KiB string argument and result, ${DURATION_S} s after ${WARMUP_S} s warm-up;` +
      ` load and upstream on CPU 0, proxy on CPU 1${which('taskset') ? '' : ' (taskset missing: not pinned)'} (${os.cpus().length} CPUs, node ${process.version})\n`,
  );
  const header = ['target', 'req/s', 'proxy CPU µs/req', 'of which kernel', 'proxy syscalls/req r / w', 'p50 ms', 'p99 ms'];
  const lines = rows.map((r) => [
    r.name,
    r.rps.toFixed(0),
    r.cpuUsPerReq === undefined ? '-' : r.cpuUsPerReq.toFixed(1),
    r.sysPercent === undefined ? '-' : `${r.sysPercent.toFixed(0)}%`,
    r.syscallsPerReq ?? '-',
    r.p50.toFixed(2),
    r.p99.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
  fs.rmSync(dir, { recursive: true, force: true });
}

if (role === 'upstream') runUpstream();
else if (role === 'load') runLoad(opt('port', 0));
else
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
