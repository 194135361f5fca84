import Ajv from 'ajv';
import { formatSchemaErrors } from '../../plugin-sdk/schema/schema-errors';
import { addMosnFormats } from '../config/config-formats';
import type { ConfigValidator, FactoryRegistry } from '../host/factory-registry';
import { PROXY_CONFIG_SCHEMA } from '../proxy/proxy-config';
import { createProxyFilterFactory, type ProxyFilterDeps } from '../proxy/proxy-filter-factory';
import { createAutoProtocol } from '../stream/auto-protocol';
import { withAutoUpstream } from '../stream/auto-upstream-proxy';
import { AUTO_PROTOCOL } from '../stream/protocol-sniffer';
import { registerBuiltinBalancers } from '../upstream/lb/builtin-registration';

/** The plugin name under which the kernel's own factories appear in the registry. */
export const KERNEL_PLUGIN = 'kernel';

/**
 * Registers the factories built into the kernel: the L7 `proxy` network filter (with MOSN's
 * `upstream_protocol: "Auto"` = the downstream connection's protocol) and the `Auto` protocol,
 * which sniffs a downstream connection's first bytes to pick a registered protocol.
 */
export function registerKernelFactories(registry: FactoryRegistry, deps: ProxyFilterDeps, version: string): void {
  const ajv = addMosnFormats(new Ajv({ allErrors: true, strict: false }));
  registry.register({
    kind: 'network_filter',
    name: 'proxy',
    factory: withAutoUpstream(createProxyFilterFactory(deps), deps.registry),
    pluginName: KERNEL_PLUGIN,
    pluginVersion: version,
    validateConfig: schemaValidator(ajv, PROXY_CONFIG_SCHEMA),
  });
  registry.register({
    kind: 'protocol',
    name: AUTO_PROTOCOL,
    factory: createAutoProtocol(deps.registry),
    pluginName: KERNEL_PLUGIN,
    pluginVersion: version,
    // A protocol has no config block of its own.
    validateConfig: () => [],
  });
  registerBuiltinBalancers(registry, KERNEL_PLUGIN, version);
}

function schemaValidator(ajv: Ajv, schema: object): ConfigValidator {
  const validate = ajv.compile(schema);
  return (config, basePath) => (validate(config) ? [] : formatSchemaErrors(validate.errors, basePath, config));
}
