import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { jsonResponse, type AdminRoute } from '../admin/admin-route';
import { ConfigLoadError } from '../config/config-error';
import { loadConfigFile } from '../config/config-loader';
import { resolveSettings } from '../config/effective-settings';
import { MosnServer } from '../server/mosn-server';
import { parseFeatureGates } from './feature-gates';
import { packageVersion } from './package-version';
import { removePidFile, writePidFile } from './pid-file';

export const DEFAULT_CONFIG = 'configs/mosn_config.json';

export const START_USAGE = `usage: mosn start [-c FILE] [-s CLUSTER] [-n NODE] [-m KEY:VALUE]... [-f GATE=BOOL,...]
  -c, --config           config file, JSON or YAML (default ${DEFAULT_CONFIG})
  -s, --service-cluster  service cluster name
  -n, --service-node     service node id
  -m, --service-meta     service node metadata, key:value (repeatable)
  -f, --feature-gates    XdsMtlsEnable, PayLoadLimitEnable, MultiTenantMode: NAME=true|false,...`;

/** `mosn start`: validate, bind, write the pid file, and stop gracefully on SIGTERM/SIGINT. */
export async function startCommand(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c', default: DEFAULT_CONFIG },
        'service-cluster': { type: 'string', short: 's' },
        'service-node': { type: 'string', short: 'n' },
        'service-meta': { type: 'string', short: 'm', multiple: true },
        'feature-gates': { type: 'string', short: 'f', multiple: true },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    process.stderr.write(`mosn start: ${(err as Error).message}\n${START_USAGE}\n`);
    return 2;
  }
  let gates: Record<string, boolean>;
  let meta: Record<string, string>;
  try {
    gates = parseFeatureGates(args['feature-gates'] ?? []);
    meta = parseServiceMeta(args['service-meta'] ?? []);
  } catch (err) {
    process.stderr.write(`mosn start: ${(err as Error).message}\n`);
    return 2;
  }

  const configFile = path.resolve(args.config!);
  // A stop signal during start-up (listeners already bound) is kept and served once started,
  // instead of Node's default of dying on the spot.
  let earlySignal: NodeJS.Signals | undefined;
  const onEarlySignal = (signal: NodeJS.Signals): void => {
    earlySignal ??= signal;
  };
  process.on('SIGTERM', onEarlySignal);
  process.on('SIGINT', onEarlySignal);
  const dropEarlyHandlers = (): void => {
    process.off('SIGTERM', onEarlySignal);
    process.off('SIGINT', onEarlySignal);
  };
  let server: MosnServer;
  let settings;
  try {
    const config = loadConfigFile(configFile);
    settings = resolveSettings(config, { cwd: process.cwd() });
    const node = { cluster: args['service-cluster'] ?? '', id: args['service-node'] ?? '', metadata: meta };
    server = await MosnServer.start({ config, settings, version: packageVersion(), adminRoutes: nodeRoutes(gates, node) });
  } catch (err) {
    dropEarlyHandlers();
    if (err instanceof ConfigLoadError) {
      process.stderr.write(`mosn start: invalid config ${configFile}:\n${err.problems.join('\n')}\n`);
    } else {
      process.stderr.write(`mosn start: ${(err as Error).message}\n`);
    }
    return 1;
  }

  writePidFile(settings.pidFile, process.pid);
  server.logger.info({ pidFile: settings.pidFile, listeners: server.listenerAddresses(), admin: server.adminAddress, config: configFile }, 'mosn-ts started');

  return new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      server.logger.info({ signal }, 'stopping gracefully');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      void server.stop().then(
        () => {
          removePidFile(settings.pidFile, process.pid);
          resolve(0);
        },
        () => {
          removePidFile(settings.pidFile, process.pid);
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    dropEarlyHandlers();
    if (earlySignal) onSignal(earlySignal);
  });
}

function parseServiceMeta(items: readonly string[]): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const item of items) {
    const colon = item.indexOf(':');
    if (colon <= 0) throw new Error(`service meta ${JSON.stringify(item)} is not key:value`);
    meta[item.slice(0, colon)] = item.slice(colon + 1);
  }
  return meta;
}

/** MOSN's /api/v1/features, plus the node identity the CLI was given. */
function nodeRoutes(gates: Record<string, boolean>, node: { cluster: string; id: string; metadata: Record<string, string> }): AdminRoute[] {
  return [
    { method: 'GET', path: '/api/v1/features', handle: () => jsonResponse(JSON.stringify(gates)) },
    {
      method: 'GET',
      path: '/api/v1/env',
      handle: () => jsonResponse(JSON.stringify({ service_cluster: node.cluster, service_node: node.id, service_meta: node.metadata })),
    },
  ];
}
