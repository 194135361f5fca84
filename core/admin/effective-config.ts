/**
 * MOSN's view of its running config (pkg/configmanager effectiveConfig), built from a config in
 * MOSN's file shape: the listeners, clusters and routers by name, and the rest as "mosn_config".
 */
export interface EffectiveConfig {
  /** The config without servers[0].listeners/routers, cluster_manager (but its tls_context) and extends. */
  mosn_config: Record<string, unknown>;
  listener: Record<string, unknown>;
  cluster: Record<string, unknown>;
  routers: Record<string, unknown>;
  extends: unknown[];
}

export function effectiveConfig(config: unknown): EffectiveConfig {
  const root = asRecord(config);
  const servers = asArray(root.servers);
  const server = asRecord(servers[0]);
  const clusterManager = asRecord(root.cluster_manager);

  const { listeners, routers, ...serverRest } = server;
  const { extends: extendConfigs, ...rootRest } = root;
  const mosnConfig: Record<string, unknown> = {
    ...rootRest,
    // MOSN supports one server and keeps only the cluster manager's TLS context here.
    servers: [serverRest],
    cluster_manager: clusterManager.tls_context === undefined ? {} : { tls_context: clusterManager.tls_context },
  };
  return {
    mosn_config: mosnConfig,
    listener: byName(asArray(listeners), 'name'),
    cluster: byName(asArray(clusterManager.clusters), 'name'),
    routers: byName(asArray(routers), 'router_config_name'),
    extends: asArray(extendConfigs),
  };
}

/** The full dump: MOSN omits empty maps and lists (json omitempty), never mosn_config. */
export function fullDump(view: EffectiveConfig): Record<string, unknown> {
  const dump: Record<string, unknown> = { mosn_config: view.mosn_config };
  if (Object.keys(view.listener).length > 0) dump.listener = view.listener;
  if (Object.keys(view.cluster).length > 0) dump.cluster = view.cluster;
  if (Object.keys(view.routers).length > 0) dump.routers = view.routers;
  if (view.extends.length > 0) dump.extends = view.extends;
  return dump;
}

function byName(items: unknown[], nameField: string): Record<string, unknown> {
  // fromEntries defines own properties, so any name (even "__proto__") is a plain key.
  return Object.fromEntries(
    items.map((item) => {
      const name = asRecord(item)[nameField];
      return [typeof name === 'string' ? name : '', item];
    }),
  );
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
