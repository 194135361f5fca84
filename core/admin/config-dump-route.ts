import { errorResponse, jsonResponse, textResponse, type AdminResponse, type AdminRoute } from './admin-route';
import { redactSecrets } from './config-redaction';
import { effectiveConfig, fullDump, type EffectiveConfig } from './effective-config';

/** The one query parameter config_dump takes, and what it selects (MOSN's CfgType*). */
const SECTIONS: ReadonlyMap<string, (view: EffectiveConfig) => unknown> = new Map([
  ['mosnconfig', (view: EffectiveConfig) => view.mosn_config],
  ['allrouters', (view: EffectiveConfig) => view.routers],
  ['allclusters', (view: EffectiveConfig) => view.cluster],
  ['alllisteners', (view: EffectiveConfig) => view.listener],
]);

/** Parameters that name one entry, and the map it is looked up in. */
const NAMED: ReadonlyMap<string, (view: EffectiveConfig) => Record<string, unknown>> = new Map([
  ['router', (view: EffectiveConfig) => view.routers],
  ['cluster', (view: EffectiveConfig) => view.cluster],
  ['listener', (view: EffectiveConfig) => view.listener],
]);

/**
 * GET /api/v1/config_dump, with MOSN's output: no parameter → the whole effective config as compact
 * JSON; one parameter → that section indented by one space; more → 400 "only support one parameter";
 * an unknown parameter → 500 "internal error" (MOSN's answer). An unknown router/cluster/listener
 * name answers 404 (MOSN prints an empty object). private_key values are redacted everywhere.
 */
export function configDumpRoute(configDump: () => unknown): AdminRoute {
  return {
    path: '/api/v1/config_dump',
    method: 'GET',
    handle: ({ url }) => {
      const params = [...new Set(url.searchParams.keys())];
      if (params.length > 1) return textResponse('only support one parameter', 400);
      const view = effectiveConfig(redactSecrets(configDump()));
      if (params.length === 0) return jsonResponse(JSON.stringify(fullDump(view)));
      return sectionResponse(view, params[0], url.searchParams.get(params[0]) ?? '');
    },
  };
}

function sectionResponse(view: EffectiveConfig, param: string, value: string): AdminResponse {
  const section = SECTIONS.get(param);
  if (section) return jsonResponse(JSON.stringify(section(view), null, ' '));
  const named = NAMED.get(param);
  if (!named) return errorResponse(500, 'internal error');
  const entries = named(view);
  if (!Object.prototype.hasOwnProperty.call(entries, value)) return errorResponse(404, `${param} "${value}" not found`);
  return jsonResponse(JSON.stringify(entries[value], null, ' '));
}
