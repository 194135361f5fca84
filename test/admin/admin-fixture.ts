import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdminServer, type AdminDeps } from '../../core/admin/admin-server';
import { LogManager } from '../../core/log/log-manager';
import { MetricsRegistry } from '../../core/metrics/metrics-registry';

/** A running AdminServer on 127.0.0.1:0 with a server log in a temp file. */
export interface AdminFixture {
  readonly server: AdminServer;
  /** "http://127.0.0.1:<port>" */
  readonly base: string;
  readonly logs: LogManager;
  readonly logPath: string;
  readonly metrics: MetricsRegistry;
  close(): Promise<void>;
}

export async function startAdmin(overrides: Partial<AdminDeps> = {}, level = 'INFO'): Promise<AdminFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-admin-'));
  const logPath = path.join(dir, 'logs', 'mosn.log');
  const logs = new LogManager({ path: logPath, level });
  const metrics = new MetricsRegistry();
  const server = new AdminServer({
    version: '1.2.3-test',
    configDump: () => ({}),
    metrics,
    logs,
    state: () => 'Running',
    ...overrides,
  });
  const bound = await server.listen('127.0.0.1:0');
  return {
    server,
    base: `http://${bound}`,
    logs,
    logPath,
    metrics,
    close: async () => {
      await server.close();
      await logs.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The JSON lines of a log file written so far ([] when it does not exist yet). */
export function logLines(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
