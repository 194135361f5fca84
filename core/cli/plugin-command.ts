import * as http from 'node:http';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { PLUGINS_PATH, PLUGINS_RELOAD_PATH } from '../admin/plugins-routes';
import { parseAddress } from '../config/address';
import { loadConfigFile } from '../config/config-loader';
import { resolveSettings } from '../config/effective-settings';
import type { PluginLoadReport, ReloadResult } from '../host/plugin-host';
import { DEFAULT_CONFIG } from './start-command';

export const PLUGIN_USAGE = `usage: mosn plugin list [-c FILE] [--admin ADDRESS] [--json]
       mosn plugin reload [NAME...] [-c FILE] [--admin ADDRESS] [--json]
  list    show the running instance's plugins: version, generation, state, errors, quarantine
  reload  rescan the plugins directory and commit what changed (all or nothing);
          with NAMEs, rebuild exactly those plugins (also lifts a quarantine)
  -c, --config  config of the running instance, to find its admin API (default ${DEFAULT_CONFIG})
  --admin       admin API address (ip:port or unix:/path) instead of the config's
  --json        print the admin API's JSON answer`;

/** How long the CLI waits for the admin API (a reload builds every changed plugin first). */
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * `mosn plugin list|reload`: talks to the admin API of the running instance (found through its
 * config, or `--admin`). Exit codes: 0 ok, 1 refused or unreachable, 2 bad usage.
 */
export async function pluginCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') return print(PLUGIN_USAGE, sub === undefined ? 2 : 0);
  if (sub !== 'list' && sub !== 'reload') return print(`mosn plugin: unknown subcommand ${JSON.stringify(sub)}\n${PLUGIN_USAGE}`, 2);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        config: { type: 'string', short: 'c', default: DEFAULT_CONFIG },
        admin: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: sub === 'reload',
    });
  } catch (err) {
    return print(`mosn plugin ${sub}: ${(err as Error).message}\n${PLUGIN_USAGE}`, 2);
  }
  if (parsed.values.help) return print(PLUGIN_USAGE, 0);
  let admin: string;
  try {
    admin = parsed.values.admin ?? resolveSettings(loadConfigFile(path.resolve(parsed.values.config!)), { cwd: process.cwd() }).adminAddress;
  } catch (err) {
    return print(`mosn plugin ${sub}: ${(err as Error).message}`, 1);
  }
  try {
    if (sub === 'list') {
      const { body } = await adminRequest(admin, 'GET', PLUGINS_PATH);
      if (parsed.values.json) return print(body.trimEnd(), 0, 'out');
      return print(formatList((JSON.parse(body) as { plugins: PluginLoadReport[] }).plugins), 0, 'out');
    }
    const names = parsed.positionals;
    const { status, body } = await adminRequest(admin, 'POST', PLUGINS_RELOAD_PATH, names.length > 0 ? JSON.stringify({ names }) : '');
    if (status !== 200 && status !== 409) return print(`mosn plugin reload: admin API answered ${status}: ${body.trim()}`, 1);
    const result = JSON.parse(body) as ReloadResult;
    if (parsed.values.json) return print(body.trimEnd(), result.ok ? 0 : 1, 'out');
    return print(formatReload(result), result.ok ? 0 : 1, result.ok ? 'out' : 'err');
  } catch (err) {
    return print(`mosn plugin ${sub}: cannot reach the admin API at ${admin}: ${(err as Error).message}`, 1);
  }
}

/** One row per plugin, then the reasons of refusals and quarantines below the table. */
export function formatList(plugins: readonly PluginLoadReport[]): string {
  if (plugins.length === 0) return 'no plugins';
  const rows = [['NAME', 'VERSION', 'GEN', 'STATE', 'LOADED', 'CALLS', 'ERRORS', 'QUARANTINED']];
  for (const p of plugins) {
    rows.push([
      p.name,
      p.version ?? '-',
      p.generation === undefined ? '-' : String(p.generation),
      p.state,
      p.loadedAt ? String(p.loadedAt) : '-',
      String(p.counters.calls),
      String(p.counters.errors),
      p.quarantined ? 'yes' : 'no',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
  for (const p of plugins) {
    if (p.error) lines.push(`${p.name}: ${p.state === 'stale' ? 'last reload refused' : 'refused'}: ${p.error}`);
    if (p.quarantine) lines.push(`${p.name}: quarantined after ${p.quarantine.consecutiveErrors} consecutive errors (last: ${p.quarantine.lastError})`);
    for (const d of p.draining) lines.push(`${p.name}: generation ${d.generation} (${d.version}) draining, held ${d.refCount} time(s)`);
  }
  return lines.join('\n');
}

export function formatReload(result: ReloadResult): string {
  if (!result.ok) return ['reload refused; nothing was committed:', ...result.refused.map((r) => `  ${r.name}: ${r.reason}`)].join('\n');
  if (result.changed.length === 0) return 'nothing to reload: no plugin changed';
  return result.changed
    .map((c) => {
      if (!c.from) return `${c.name}: loaded ${c.to!.version} (generation ${c.to!.generation})`;
      if (!c.to) return `${c.name}: removed (was ${c.from.version}, generation ${c.from.generation})`;
      return `${c.name}: ${c.from.version} (generation ${c.from.generation}) → ${c.to.version} (generation ${c.to.generation})`;
    })
    .join('\n');
}

function adminRequest(address: string, method: string, urlPath: string, body = ''): Promise<{ status: number; body: string }> {
  const parsed = parseAddress(address);
  if (!parsed) return Promise.reject(new Error(`invalid address ${JSON.stringify(address)}`));
  const target = parsed.kind === 'unix' ? { socketPath: parsed.path } : { host: parsed.host, port: parsed.port };
  return new Promise((resolve, reject) => {
    const req = http.request(
      { ...target, method, path: urlPath, timeout: REQUEST_TIMEOUT_MS, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function print(text: string, code: number, stream: 'out' | 'err' = code === 0 ? 'out' : 'err'): number {
  (stream === 'out' ? process.stdout : process.stderr).write(`${text}\n`);
  return code;
}
