import Ajv, { type ValidateFunction } from 'ajv';
import { parseDuration } from '../api/duration';
import type { ProvidedFactory } from '../api/plugin';
import { formatSchemaErrors } from '../schema/schema-errors';

/** `ip:port`, `[v6]:port`, `host:port` or `unix:/path`, as the kernel's `mosn-address` format accepts. */
const ADDRESS = /^(?:unix:.+|(?:\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):(\d{1,5}))$/;

/**
 * Compiles the manifest's config schemas the way the kernel's plugin host does: one Ajv instance
 * per load, strict schemas (an unknown keyword or format refuses the plugin), all errors, and the
 * kernel's formats (`duration`, `mosn-address`, `mosn-unix-address`), so a config the harness
 * accepts is one the kernel accepts. Throws naming the factory whose schema does not compile.
 */
export function compileTestSchemas(provides: readonly ProvidedFactory[]): Map<string, (config: unknown, basePath: string) => string[]> {
  const ajv = new Ajv({ allErrors: true, strictSchema: true, strictTypes: false, strictTuples: false, logger: false });
  ajv.addFormat('mosn-address', { type: 'string', validate: isAddress });
  ajv.addFormat('mosn-unix-address', { type: 'string', validate: (t: string) => t.length > (t.startsWith('unix:') ? 5 : 0) });
  ajv.addFormat('duration', { type: 'string', validate: (t: string) => parseDuration(t) !== undefined });
  const validators = new Map<string, (config: unknown, basePath: string) => string[]>();
  for (const p of provides) {
    let validate: ValidateFunction | undefined;
    if (p.configSchema) {
      try {
        validate = ajv.compile(p.configSchema);
      } catch (err) {
        throw new Error(`configSchema of ${p.kind} ${JSON.stringify(p.name)} is invalid: ${(err as Error).message}`);
      }
    }
    const v = validate;
    validators.set(`${p.kind}/${p.name}`, (config, basePath) => (!v || v(config) ? [] : formatSchemaErrors(v.errors, basePath, config)));
  }
  return validators;
}

function isAddress(text: string): boolean {
  const m = ADDRESS.exec(text);
  return m !== null && (m[1] === undefined || Number(m[1]) <= 65535);
}
