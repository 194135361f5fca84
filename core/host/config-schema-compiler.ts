import Ajv from 'ajv';
import type { ProvidedFactory } from '../../plugin-sdk';
import { formatSchemaErrors } from '../../plugin-sdk/schema/schema-errors';
import { addMosnFormats } from '../config/config-formats';
import type { ConfigValidator } from './factory-registry';

/** Accepts any config: the validator of a factory whose manifest entry has no configSchema. */
const ACCEPT_ANY: ConfigValidator = () => [];

/**
 * Compiles the configSchema of each factory a plugin provides, keyed `kind/name`. One Ajv instance
 * per plugin load: Ajv caches every schema it compiles (and refuses a repeated `$id`), so a shared
 * instance would keep released plugins' validators alive and break reloading the same plugin.
 * Throws an error naming the factory when a schema does not compile (strict: unknown keywords and
 * formats are refused, as they usually are typos that would silently skip a check).
 */
export function compileConfigSchemas(provides: readonly ProvidedFactory[]): Map<string, ConfigValidator> {
  // Plugins' schemas may use the kernel's formats ("duration", "mosn-address") like the config's own.
  const ajv = addMosnFormats(new Ajv({ allErrors: true, strictSchema: true, strictTypes: false, strictTuples: false, logger: false }));
  const validators = new Map<string, ConfigValidator>();
  for (const p of provides) {
    validators.set(configSchemaKey(p.kind, p.name), p.configSchema ? compileOne(ajv, p) : ACCEPT_ANY);
  }
  return validators;
}

/** The key {@link compileConfigSchemas} files a factory's validator under. */
export function configSchemaKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

function compileOne(ajv: Ajv, p: ProvidedFactory): ConfigValidator {
  let validate: ReturnType<Ajv['compile']>;
  try {
    validate = ajv.compile(p.configSchema!);
  } catch (err) {
    throw new Error(`configSchema of ${p.kind} ${JSON.stringify(p.name)} is invalid: ${(err as Error).message}`);
  }
  return (config, basePath) => (validate(config) ? [] : formatSchemaErrors(validate.errors, basePath, config));
}
