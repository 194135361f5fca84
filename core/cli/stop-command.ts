import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/config-loader';
import { resolveSettings } from '../config/effective-settings';
import { isProcessAlive, readPidFile } from './pid-file';
import { DEFAULT_CONFIG } from './start-command';

/** How often `mosn stop` looks whether the process has exited (there is no event for another process). */
const POLL_MS = 100;
/** Extra time past graceful_timeout before `mosn stop` gives up waiting. */
const STOP_MARGIN_MS = 5_000;

/**
 * `mosn stop`: sends SIGTERM to the process in the config's pid file (or `--pid-file`) and waits
 * until it has exited, which it does after draining for up to graceful_timeout.
 */
export async function stopCommand(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { config: { type: 'string', short: 'c', default: DEFAULT_CONFIG }, 'pid-file': { type: 'string' } },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`mosn stop: ${(err as Error).message}\nusage: mosn stop [-c FILE] [--pid-file FILE]\n`);
    return 2;
  }
  let pidFile: string;
  let gracefulTimeoutMs = 30_000;
  if (args['pid-file']) pidFile = path.resolve(args['pid-file']);
  else {
    try {
      const settings = resolveSettings(loadConfigFile(path.resolve(args.config!)), { cwd: process.cwd() });
      pidFile = settings.pidFile;
      gracefulTimeoutMs = settings.gracefulTimeoutMs;
    } catch (err) {
      process.stderr.write(`mosn stop: ${(err as Error).message}\n`);
      return 1;
    }
  }
  const pid = readPidFile(pidFile);
  if (pid === undefined || !isProcessAlive(pid)) {
    process.stderr.write(`mosn stop: no running mosn-ts (pid file ${pidFile} ${pid === undefined ? 'missing or empty' : `names ${pid}, which is not running`})\n`);
    return 1;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + gracefulTimeoutMs + STOP_MARGIN_MS;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) {
      process.stderr.write(`mosn stop: process ${pid} still running after ${gracefulTimeoutMs + STOP_MARGIN_MS} ms\n`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  process.stdout.write(`mosn-ts (pid ${pid}) stopped\n`);
  return 0;
}
