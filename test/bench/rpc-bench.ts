/**
 * The RPC benchmark harness shared by bolt-bench and dubbo-bench: `inflight` requests (64) over
 * `connections` (4), 1 KiB payload each way, direct to a lean upstream and through mosn-ts
 * (protocol → protocol proxy, routed on `service`), in one run. Prints req/s, latency and the
 * proxy's CPU time per request (utime + stime from /proc/PID/stat over the measured window).
 * Load generator and upstream run pinned to CPU 0, the proxy to CPU 1 (when taskset exists). The
 * upstream and the load generator answer/send prebuilt frames with the right ids so that they, not
 * the proxy, are cheap; the bench script runs itself in child processes for those roles. Two L4
 * rows (a bare Node net pipe, HAProxy in tcp mode when installed) show what the bytes alone cost.
 *
 *   node dist/test/bench/<bolt|dubbo>-bench.js [--duration 8] [--connections 4] [--inflight 64]
 *     [--client-writes batched|per-request]   (batched: what a read made room for goes in one write)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { cpuTimes, freePort, pinned, startPinned, waitForPort, which } from './bench-process';
import { REPO_ROOT } from '../support/paths';

/** What the harness needs to know of one protocol's frames. */
export interface RpcBenchWire {
  /** The protocol name in the proxy config (`bolt`, `dubbo`). */
  readonly protocol: string;
  /** The `service` header value requests carry (the proxy routes on it). */
  readonly service: string;
  /** For the report's first line. */
  readonly description: string;
  requestTemplate(): Buffer;
  responseTemplate(): Buffer;
  /** Length of the frame starting at `at`, or undefined when its header is not all there yet. */
  frameLength(buf: Buffer, at: number): number | undefined;
  readId(frame: Buffer): number;
  writeId(frame: Buffer, id: number): void;
  /** The upstream's answer to `request` (a copy of `template` with its id, or a heartbeat reply). */
  reply(request: Buffer, template: Buffer): Buffer;
  /** Why a response is not a success, or undefined. */
  responseProblem(response: Buffer): string | undefined;
}

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
/** `--client-writes per-request`: the load generator writes each request on its own (a client flushing every call). */
const PER_REQUEST_WRITES = args.includes('--client-writes') && args[args.indexOf('--client-writes') + 1] === 'per-request';

/** Splits complete frames off `buf`; calls `onFrame(frame)`; returns the rest. */
function eachFrame(wire: RpcBenchWire, buf: Buffer, onFrame: (frame: Buffer) => void): Buffer {
  let at = 0;
  for (;;) {
    const left = buf.length - at;
    const len = wire.frameLength(buf, at);
    if (len === undefined || left < len) break;
    onFrame(buf.subarray(at, at + len));
    at += len;
  }
  return at === buf.length ? EMPTY : buf.subarray(at);
}
const EMPTY: Buffer = Buffer.alloc(0);

// ---- child roles ----

/** An echo upstream: every request gets the prebuilt 1 KiB response with its id. */
function runUpstream(wire: RpcBenchWire): void {
  const template = wire.responseTemplate();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let pending: Buffer = EMPTY;
    socket.on('data', (chunk: Buffer) => {
      const out: Buffer[] = [];
      pending = eachFrame(wire, pending.length ? Buffer.concat([pending, chunk]) : chunk, (frame) => out.push(wire.reply(frame, template)));
      if (out.length) socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${(server.address() as net.AddressInfo).port}`));
}

/** Keeps INFLIGHT requests going over CONNECTIONS connections; reports the measured window. */
function runLoad(wire: RpcBenchWire, port: number): void {
  const template = wire.requestTemplate();
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
    // The requests a read's responses make room for leave in one write, as a pipelining client's
    // would: one syscall per read instead of one per request keeps this process (which shares its
    // CPU with the upstream) from being what limits the run.
    const batch: Buffer[] = [];
    const send = (): void => {
      const id = nextId++;
      const frame = Buffer.from(template);
      wire.writeId(frame, id);
      sentAt.set(id, performance.now());
      if (PER_REQUEST_WRITES) socket.write(frame);
      else batch.push(frame);
    };
    const flush = (): void => {
      if (batch.length === 0) return;
      socket.write(batch.length === 1 ? batch[0] : Buffer.concat(batch));
      batch.length = 0;
    };
    socket.on('connect', () => {
      for (let i = 0; i < perConn; i++) send();
      flush();
    });
    let pending: Buffer = EMPTY;
    socket.on('data', (chunk: Buffer) => {
      pending = eachFrame(wire, pending.length ? Buffer.concat([pending, chunk]) : chunk, (frame) => {
        const id = wire.readId(frame);
        const t0 = sentAt.get(id);
        sentAt.delete(id);
        const problem = wire.responseProblem(frame);
        if (problem) throw new Error(problem);
        if (measuring && t0 !== undefined) {
          count++;
          if ((count & 7) === 0) latencies.push(performance.now() - t0);
        }
        if (!stopped) send();
      });
      flush();
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

/**
 * The L4 floor: a minimal Node net pipe, one upstream connection per client connection, no
 * parsing at all. What any JavaScript proxy on these sockets pays for the bytes alone.
 */
function runPipe(upstreamPort: number): void {
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect({ port: upstreamPort, host: '127.0.0.1' });
    upstream.setNoDelay(true);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${(server.address() as net.AddressInfo).port}`));
}

// ---- orchestration ----

function startChild(cpu: number, argv: string[]): ChildProcess {
  const [cmd, a] = pinned(cpu, argv[0], argv.slice(1));
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

async function measure(script: string, name: string, port: number, proxyPid: number | undefined): Promise<Row> {
  const load = startChild(0, [
    process.execPath,
    script,
    ...['--role', 'load', '--port', String(port), '--duration', String(DURATION_S), '--warmup', String(WARMUP_S)],
    ...['--connections', String(CONNECTIONS), '--inflight', String(INFLIGHT), '--client-writes', PER_REQUEST_WRITES ? 'per-request' : 'batched'],
  ]);
  await waitForLine(load, /WARM/);
  const cpu0 = proxyPid ? cpuTimes(proxyPid) : undefined;
  const io0 = proxyPid ? syscalls(proxyPid) : undefined;
  const done = await waitForLine(load, /DONE (\{.*\})/);
  const cpu1 = proxyPid ? cpuTimes(proxyPid) : undefined;
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

async function main(wire: RpcBenchWire, script: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mosn-${wire.protocol}-bench-`));
  const children: ChildProcess[] = [];
  const rows: Row[] = [];
  try {
    const upstream = startChild(0, [process.execPath, script, '--role', 'upstream']);
    children.push(upstream);
    const upPort = Number((await waitForLine(upstream, /LISTENING (\d+)/))[1]);
    rows.push(await measure(script, `direct (${wire.protocol} upstream)`, upPort, undefined));

    const pipe = startChild(1, [process.execPath, script, '--role', 'pipe', '--port', String(upPort)]);
    children.push(pipe);
    const pipePort = Number((await waitForLine(pipe, /LISTENING (\d+)/))[1]);
    rows.push(await measure(script, 'L4: Node net pipe (no parsing)', pipePort, pipe.pid!));

    const haproxy = which('haproxy');
    if (haproxy) {
      const hPort = await freePort();
      fs.writeFileSync(
        path.join(dir, 'haproxy.cfg'),
        `global\n  nbthread 1\n  maxconn 4096\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n` +
          `frontend f\n  bind 127.0.0.1:${hPort}\n  default_backend b\nbackend b\n  server s1 127.0.0.1:${upPort}\n`,
      );
      const h = startPinned(1, haproxy, ['-f', path.join(dir, 'haproxy.cfg'), '-db']);
      children.push(h);
      await waitForPort(hPort, 10_000);
      rows.push(await measure(script, 'L4: HAProxy mode tcp (nbthread 1)', hPort, h.pid!));
    }

    const mPort = await freePort();
    const adminPort = await freePort();
    const config = {
      servers: [
        {
          default_log_path: path.join(dir, 'mosn.log'),
          default_log_level: 'WARN',
          routers: [
            {
              router_config_name: 'rpc_router',
              virtual_hosts: [{ name: 'rpc', domains: ['*'], routers: [{ match: { headers: [{ name: 'service', value: wire.service }] }, route: { cluster_name: 'bench' } }] }],
            },
          ],
          listeners: [
            {
              name: wire.protocol,
              address: `127.0.0.1:${mPort}`,
              filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: wire.protocol, upstream_protocol: wire.protocol, router_config_name: 'rpc_router' } }] }],
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
    // BENCH_PROXY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the proxy.
    const nodeArgs = (process.env.BENCH_PROXY_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const [cmd, a] = pinned(1, process.execPath, [...nodeArgs, path.join(REPO_ROOT, 'bin', 'mosn.js'), 'start', '-c', path.join(dir, 'mosn.json')]);
    const mosn = spawn(cmd, a, { stdio: process.env.BENCH_PROXY_STDIO === 'inherit' ? ['ignore', 'inherit', 'inherit'] : 'ignore' });
    children.push(mosn);
    await waitForPort(mPort);
    // taskset execs the command in place, so the child's pid is the node process itself.
    rows.push(await measure(script, `mosn-ts (${wire.protocol} → ${wire.protocol}, 1 process)`, mPort, mosn.pid!));
  } finally {
    for (const c of children.reverse()) c.kill('SIGTERM');
    // Let mosn-ts stop gracefully (and write a profile when asked to).
    await new Promise((r) => setTimeout(r, 1500));
  }

  console.log(
    `\n${wire.description}, ${INFLIGHT} requests in flight over ${CONNECTIONS} connections, ${DURATION_S} s after ${WARMUP_S} s warm-up;` +
      ` client writes ${PER_REQUEST_WRITES ? 'each request on its own' : "a read's worth of requests at once"};` +
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

/**
 * Runs the benchmark for `wire`: the orchestrator by default, or one of its child roles (the
 * bench script re-runs itself as `--role upstream` / `--role load`).
 */
export function runRpcBench(wire: RpcBenchWire, script: string): void {
  if (role === 'upstream') runUpstream(wire);
  else if (role === 'pipe') runPipe(opt('port', 0));
  else if (role === 'load') runLoad(wire, opt('port', 0));
  else
    main(wire, script).catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
