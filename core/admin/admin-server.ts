import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { parseAddress, formatAddress } from '../config/address';
import type { LogManager } from '../log/log-manager';
import type { MetricsRegistry } from '../metrics/metrics-registry';
import { errorResponse, type AdminMethod, type AdminResponse, type AdminRoute } from './admin-route';
import { configDumpRoute } from './config-dump-route';
import { helpRoute } from './help-route';
import { logRoutes } from './log-routes';
import { metricsRoute } from './metrics-route';
import { statesRoute } from './states-route';
import { statsRoute } from './stats-route';
import { versionRoute } from './version-route';

export interface AdminDeps {
  /** Printed by /api/v1/version. */
  version: string;
  /** The running config in MOSN's file shape (servers[0].listeners, cluster_manager.clusters…). */
  configDump: () => unknown;
  metrics: MetricsRegistry;
  logs: LogManager;
  /** The process state by MOSN's name ("Running", "GracefulStopping"…). */
  state: () => string;
  /** More endpoints (plugins, host); they may not take a path and method a built-in one has. */
  extraRoutes?: readonly AdminRoute[];
}

/** Admin bodies are small JSON or a log path; anything larger is refused rather than buffered. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * MOSN's admin HTTP API plus Prometheus /metrics, on node:http (the admin path is not hot).
 * Routes match exact paths; a known path with another method answers 405, an unknown path 404.
 */
export class AdminServer {
  /** path → method → route */
  private readonly routes = new Map<string, Map<string, AdminRoute>>();
  private readonly builtIn = new Set<AdminRoute>();
  private readonly server: http.Server;
  private readonly log: Logger;

  constructor(deps: AdminDeps) {
    this.log = deps.logs.child({ module: 'admin' });
    const builtIn: AdminRoute[] = [
      versionRoute(deps.version),
      configDumpRoute(deps.configDump),
      statsRoute(deps.metrics),
      statesRoute(deps.state),
      ...logRoutes(deps.logs, this.log),
      metricsRoute(deps.metrics),
      helpRoute(() => this.routes.keys()),
    ];
    for (const route of builtIn) {
      this.addRoute(route);
      this.builtIn.add(route);
    }
    for (const route of deps.extraRoutes ?? []) this.addRoute(route);
    this.server = http.createServer((req, res) => void this.serve(req, res));
  }

  /** Adds an endpoint; throws when its path and method are taken. */
  addRoute(route: AdminRoute): void {
    let byMethod = this.routes.get(route.path);
    if (!byMethod) this.routes.set(route.path, (byMethod = new Map()));
    if (byMethod.has(route.method)) throw new Error(`admin route ${route.method} ${route.path} already exists`);
    byMethod.set(route.method, route);
  }

  /** Removes an endpoint added by addRoute or extraRoutes; built-in ones stay. */
  removeRoute(path: string, method: AdminMethod): boolean {
    const byMethod = this.routes.get(path);
    const route = byMethod?.get(method);
    if (!byMethod || !route || this.builtIn.has(route)) return false;
    byMethod.delete(method);
    if (byMethod.size === 0) this.routes.delete(path);
    return true;
  }

  /** Listens on "ip:port" (port may be 0), "[v6]:port" or "unix:/path"; resolves with the bound address. */
  listen(address: string): Promise<string> {
    const parsed = parseAddress(address);
    if (!parsed) return Promise.reject(new Error(`invalid admin address "${address}"`));
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      const onListening = (): void => {
        this.server.off('error', onError);
        const bound = this.server.address() as AddressInfo | string;
        resolve(
          typeof bound === 'string'
            ? formatAddress({ kind: 'unix', path: bound })
            : formatAddress({ kind: 'tcp', host: bound.address, port: bound.port }),
        );
      };
      if (parsed.kind === 'unix') this.server.listen(parsed.path, onListening);
      else this.server.listen(parsed.port, parsed.host, onListening);
    });
  }

  /** Stops listening and drops open (keep-alive) connections. */
  close(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = requestUrl(req.url ?? '/');
    const method = req.method ?? 'GET';
    let response: AdminResponse;
    try {
      response = await this.respond(req, method, url);
    } catch (err) {
      this.log.error({ err, method, path: url.pathname }, '[admin api] handler failed');
      response = errorResponse(500, 'internal error');
    }
    res.writeHead(response.status, {
      ...response.headers,
      'content-type': response.contentType,
      'content-length': Buffer.byteLength(response.body),
    });
    res.end(response.body);
  }

  private async respond(req: http.IncomingMessage, method: string, url: URL): Promise<AdminResponse> {
    const byMethod = this.routes.get(url.pathname);
    if (!byMethod) {
      req.resume();
      return errorResponse(404, `no admin API at ${url.pathname}`);
    }
    const route = byMethod.get(method);
    if (!route) {
      req.resume();
      const allow = [...byMethod.keys()].join(', ');
      return { ...errorResponse(405, `method ${method} not allowed, use ${allow}`), headers: { allow } };
    }
    const body = await readBody(req);
    if (body === undefined) {
      return { ...errorResponse(413, `request body over ${MAX_BODY_BYTES} bytes`), headers: { connection: 'close' } };
    }
    return route.handle({ method, url, body });
  }
}

/** The request target as a URL; built by parts so a path like "//x" is not taken for a host. */
function requestUrl(target: string): URL {
  const url = new URL('http://admin/');
  const q = target.indexOf('?');
  url.pathname = q < 0 ? target : target.slice(0, q);
  if (q >= 0) url.search = target.slice(q);
  return url;
}

/** The body as UTF-8 text, or undefined when it is over the limit. */
function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
