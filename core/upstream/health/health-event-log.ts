import * as fs from 'node:fs';
import * as path from 'node:path';
import type { UpstreamHost } from '../upstream-host';

/**
 * MOSN's health check event log (health_check.event_log_path): one line per check,
 * `time:<unix s>,host:<address>,health_status:<1|0>,current_result:<1|0>,status_changed:<1|0>`
 * (pkg/upstream/healthcheck/healthchecklog.go), so tools reading MOSN's file read this one.
 */
export class HealthEventLog {
  private readonly stream: fs.WriteStream;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.stream = fs.createWriteStream(file, { flags: 'a' });
    // A write error (disk full, file removed) must not crash the proxy; health checking goes on.
    this.stream.on('error', () => {});
  }

  record(host: UpstreamHost, passed: boolean, changed: boolean): void {
    const bit = (b: boolean) => (b ? '1' : '0');
    this.stream.write(
      `time:${Math.floor(Date.now() / 1000)},host:${host.address},health_status:${bit(host.healthy)},current_result:${bit(passed)},status_changed:${bit(changed)}\n`,
    );
  }

  close(): void {
    this.stream.end();
  }
}
