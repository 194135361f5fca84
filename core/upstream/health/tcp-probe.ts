import * as net from 'node:net';
import type { UpstreamHost } from '../upstream-host';
import { type ProbeResult, settleOnce } from './health-probe';

/** TCP check (MOSN's tcpdial): healthy when a connection opens within the timeout; it is closed at once. */
export function tcpProbe(host: UpstreamHost, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const a = host.parsedAddress;
    const socket = a.kind === 'unix' ? net.connect({ path: a.path }) : net.connect({ host: a.host, port: a.port });
    const finish = settleOnce(timeoutMs, signal, () => socket.destroy(), resolve);
    socket.once('connect', () => finish({ healthy: true, reason: 'connected' }));
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ healthy: false, failure: 'network', reason: `connect failed: ${err.code ?? err.message}` }));
  });
}
