import * as http from 'node:http';
import type { UpstreamHost } from '../upstream-host';
import type { HealthProbe, ProbeResult } from './health-probe';
import { settleOnce } from './health-probe';
import type { HttpCheckSettings } from './health-check-settings';

/**
 * HTTP/1 check (MOSN's httpdial): one request on a fresh connection (no agent, so no keep-alive
 * pool to leak or to hide a dead host behind); healthy when the status is one of the expected
 * codes. The status line is all it needs: the body is not read and the connection is closed.
 */
export function httpProbe(settings: HttpCheckSettings): HealthProbe {
  return (host: UpstreamHost, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> =>
    new Promise((resolve) => {
      const a = host.parsedAddress;
      const where: http.RequestOptions =
        a.kind === 'unix' ? { socketPath: a.path } : { host: a.host, port: settings.port > 0 ? settings.port : a.port };
      const req = http.request({
        ...where,
        method: settings.method,
        path: settings.path,
        headers: { host: settings.domain || host.address, 'user-agent': 'mosn-ts-health-check' },
        agent: false,
      });
      const finish = settleOnce(timeoutMs, signal, () => req.destroy(), resolve);
      req.once('response', (res) => {
        const code = res.statusCode ?? 0;
        res.destroy();
        const ok = settings.codes.some(([start, end]) => code >= start && code <= end);
        finish(ok ? { healthy: true, reason: `HTTP status ${code}` } : { healthy: false, failure: 'active', reason: `HTTP status ${code}` });
      });
      req.on('error', (err: NodeJS.ErrnoException) => finish({ healthy: false, failure: 'network', reason: `request failed: ${err.code ?? err.message}` }));
      req.end();
    });
}
