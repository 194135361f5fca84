/**
 * What every benchmark script needs of the machine: free ports, waiting for a listener, CPU
 * pinning with taskset, and a process's CPU time from /proc (Linux).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux). */
export const CLK_TCK = 100;

/** The path of `cmd` on PATH (or in /usr/sbin, /sbin, where nginx and haproxy live), if any. */
export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = path.join(dir, cmd);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once 127.0.0.1:`port` accepts a connection; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
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

/** `cmd argv` run on CPU `cpu` (taskset execs it in place, so the child's pid is the command's). */
export function pinned(cpu: number, cmd: string, argv: string[]): [string, string[]] {
  return which('taskset') ? ['taskset', ['-c', String(cpu), cmd, ...argv]] : [cmd, argv];
}

/** Spawns `cmd argv` pinned to `cpu`, its output ignored. */
export function startPinned(cpu: number, cmd: string, argv: string[]): ChildProcess {
  const [c, a] = pinned(cpu, cmd, argv);
  return spawn(c, a, { stdio: 'ignore' });
}

/** The fields of /proc/PID/stat after the command name (index 11 = utime, 12 = stime, 21 = rss). */
export function procStatFields(pid: number): string[] {
  return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
}

/** utime and stime of a process (all its threads), in seconds. */
export function cpuTimes(pid: number): { user: number; sys: number } {
  const f = procStatFields(pid);
  return { user: Number(f[11]) / CLK_TCK, sys: Number(f[12]) / CLK_TCK };
}

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid: number): number {
  const t = cpuTimes(pid);
  return t.user + t.sys;
}

/** The direct children of `pid` (nginx, haproxy: their workers); none when unreadable. */
export function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
