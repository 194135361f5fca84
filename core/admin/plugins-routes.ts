import type { PluginLoadReport, ReloadResult } from '../host/plugin-host';
import { errorResponse, jsonResponse, type AdminRoute } from './admin-route';

/** What the plugin endpoints need from the plugin host. */
export interface PluginAdminHost {
  list(): PluginLoadReport[];
  reload(names?: readonly string[]): Promise<ReloadResult>;
}

export const PLUGINS_PATH = '/api/v1/plugins';
export const PLUGINS_RELOAD_PATH = '/api/v1/plugins/reload';

/**
 * The plugin endpoints (the server passes them as `extraRoutes`):
 *
 * - `GET /api/v1/plugins`: `{"plugins": [...]}`, one report per plugin folder: name, version,
 *   generation, state, error (the last refusal's reason), loadedAt, quarantine, counters,
 *   draining generations.
 * - `POST /api/v1/plugins/reload`: optional JSON body `{"names": ["a", "b"]}`. Without names, a
 *   rescan (added, changed, removed plugins); with names, exactly those are rebuilt. Answers 200
 *   with the reload result and the plugin list when committed, 409 with the same shape when the
 *   reload was refused (nothing was committed; the reasons are in `refused`), 400 for a bad body.
 */
export function pluginsRoutes(host: PluginAdminHost): AdminRoute[] {
  return [
    {
      path: PLUGINS_PATH,
      method: 'GET',
      handle: () => jsonResponse(`${JSON.stringify({ plugins: host.list() }, null, 2)}\n`),
    },
    {
      path: PLUGINS_RELOAD_PATH,
      method: 'POST',
      async handle(request) {
        const names = parseNames(request.body);
        if (typeof names === 'string') return errorResponse(400, names);
        const result = await host.reload(names);
        return jsonResponse(`${JSON.stringify({ ...result, plugins: host.list() }, null, 2)}\n`, result.ok ? 200 : 409);
      },
    },
  ];
}

/** The `names` of a reload body: undefined for none, a list, or a string saying what is wrong. */
function parseNames(body: string): string[] | undefined | string {
  if (body.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    return `request body is not JSON: ${(err as Error).message}`;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'request body must be a JSON object like {"names": ["plugin"]}';
  const names = (parsed as { names?: unknown }).names;
  if (names === undefined) return undefined;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || n === '')) return 'names must be an array of plugin names';
  return names.length === 0 ? undefined : (names as string[]);
}
