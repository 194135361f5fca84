import { type ChildProcess, spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import { promises as dns } from 'node:dns';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from './wait-for';

export const DNSMASQ = '/usr/sbin/dnsmasq';

/** A real DNS server (Debian's dnsmasq) on 127.0.0.1 answering A/AAAA from a hosts file the test rewrites. */
export interface Dnsmasq {
  readonly port: number;
  /** `127.0.0.1:port`, for a cluster's dns_resolvers.servers. */
  readonly server: string;
  /** Replaces the answers (name → addresses) and waits until dnsmasq serves them. */
  setRecords(records: Record<string, string[]>): Promise<void>;
  /** Asks it directly (A and AAAA records, sorted); [] when the name has none. */
  lookup(name: string): Promise<string[]>;
  /** Stops it (SIGTERM) and waits for the exit. */
  stop(): Promise<void>;
}

/** A free UDP port on 127.0.0.1 (bound and released; dnsmasq binds it right after). */
async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/**
 * Starts dnsmasq serving `records` (name → IPv4/IPv6 addresses) on `port` (default: a free one);
 * resolves once it answers.
 */
export async function startDnsmasq(records: Record<string, string[]>, port?: number): Promise<Dnsmasq> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnsmasq-'));
  // dnsmasq drops root privileges to "nobody" and re-reads the file as that user on SIGHUP.
  fs.chmodSync(dir, 0o755);
  const hostsFile = path.join(dir, 'hosts');
  const write = (r: Record<string, string[]>) =>
    fs.writeFileSync(hostsFile, Object.entries(r).flatMap(([name, ips]) => ips.map((ip) => `${ip} ${name}\n`)).join(''), { mode: 0o644 });
  write(records);
  port ??= await freeUdpPort();
  const child: ChildProcess = spawn(
    DNSMASQ,
    ['--no-daemon', '--no-resolv', '--no-hosts', `--addn-hosts=${hostsFile}`, `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--pid-file=', '--cache-size=0', '--local-ttl=0'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const resolver = new dns.Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  const records$ = (p: Promise<string[]>) =>
    p.catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOTFOUND' || err.code === 'ENODATA' || err.code === 'EREFUSED') return [] as string[];
      throw err;
    });
  const lookup = async (name: string) => [...(await records$(resolver.resolve4(name))), ...(await records$(resolver.resolve6(name)))].sort();
  const serves = async (r: Record<string, string[]>) => {
    for (const [name, ips] of Object.entries(r)) {
      const got = await lookup(name).catch(() => undefined);
      if (!got || got.join() !== [...ips].sort().join()) return false;
    }
    return true;
  };
  try {
    await waitFor(() => child.exitCode === null && serves(records), 5000, `dnsmasq on port ${port} to answer`, 20);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}; dnsmasq said: ${stderr.trim()}`);
  }
  return {
    port,
    server: `127.0.0.1:${port}`,
    lookup,
    async setRecords(next) {
      write(next);
      child.kill('SIGHUP');
      await waitFor(() => serves(next), 5000, 'dnsmasq to serve the new records', 20);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
