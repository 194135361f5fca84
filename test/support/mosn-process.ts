import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './paths';

export const MOSN_BIN = path.join(REPO_ROOT, 'bin', 'mosn.js');

export interface MosnProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when a stdout/stderr line matches (rejects if the process exits first). */
  waitForLine(pattern: RegExp): Promise<string>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Runs `mosn ARGS` as a child process (the real CLI) in `cwd`. */
export function runMosn(args: string[], cwd = REPO_ROOT): MosnProcess {
  const child = spawn(process.execPath, [MOSN_BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const watchers: { pattern: RegExp; resolve(line: string): void; reject(e: Error): void }[] = [];
  const check = (): void => {
    for (const w of watchers.slice()) {
      const line = `${out}\n${err}`.split('\n').find((l) => w.pattern.test(l));
      if (line !== undefined) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    check();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    check();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exited.then((code) => {
    for (const w of watchers.splice(0)) w.reject(new Error(`mosn exited (${code}) before printing ${w.pattern}\nstdout:\n${out}\nstderr:\n${err}`));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLine(pattern) {
      return new Promise((resolve, reject) => {
        watchers.push({ pattern, resolve, reject });
        check();
      });
    },
  };
}

/** Runs `mosn ARGS` to completion. */
export async function runMosnToEnd(args: string[], cwd = REPO_ROOT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = runMosn(args, cwd);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}
