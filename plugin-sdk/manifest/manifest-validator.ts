import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import * as semver from 'semver';
import { FACTORY_KINDS, type PluginManifest } from '../api/plugin';
import { formatSchemaErrors } from '../schema/schema-errors';

/** The manifest's file name inside a plugin folder. */
export const MANIFEST_FILE = 'plugin.json';

/** JSON Schema of `plugin.json`. Unknown top-level fields are allowed so newer manifests still load. */
export const MANIFEST_SCHEMA = {
  type: 'object',
  required: ['name', 'version', 'main', 'engines', 'provides'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' },
    version: { type: 'string', format: 'semver' },
    main: { type: 'string', minLength: 1 },
    engines: {
      type: 'object',
      required: ['mosn'],
      properties: { mosn: { type: 'string', format: 'semver-range' } },
    },
    provides: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'name'],
        // Closed: a misspelt `configSchema` would otherwise silently disable validation.
        additionalProperties: false,
        properties: {
          kind: { type: 'string', enum: [...FACTORY_KINDS] },
          name: { type: 'string', minLength: 1 },
          configSchema: { type: 'object' },
        },
      },
    },
    sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
    description: { type: 'string' },
  },
} as const;

let compiled: ValidateFunction | undefined;

function manifestSchemaValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true });
    // Canonical only: `v1.0.0` or ` 1.0.0` would be accepted by semver.valid yet shown oddly everywhere.
    ajv.addFormat('semver', { type: 'string', validate: (v: string) => semver.valid(v) === v });
    ajv.addFormat('semver-range', { type: 'string', validate: (v: string) => semver.validRange(v) !== null });
    compiled = ajv.compile(MANIFEST_SCHEMA);
  }
  return compiled;
}

/**
 * Checks a parsed `plugin.json`. Returns its problems as `path: reason` lines (empty when it is a
 * valid manifest): the schema first, then what a schema cannot say (main stays inside the plugin
 * folder, each provided (kind, name) is declared once).
 */
export function validateManifest(value: unknown): string[] {
  const validate = manifestSchemaValidator();
  if (!validate(value)) return formatSchemaErrors(validate.errors, '', value);
  const manifest = value as unknown as PluginManifest;
  const problems: string[] = [];
  const main = path.normalize(manifest.main);
  if (path.isAbsolute(manifest.main) || main === '..' || main.startsWith(`..${path.sep}`)) {
    problems.push(`main: ${JSON.stringify(manifest.main)} must be a path inside the plugin folder`);
  }
  const seen = new Set<string>();
  manifest.provides.forEach((p, i) => {
    const key = `${p.kind}/${p.name}`;
    if (seen.has(key)) problems.push(`provides[${i}]: ${p.kind} ${JSON.stringify(p.name)} is declared twice`);
    seen.add(key);
  });
  return problems;
}

/** Type guard form of {@link validateManifest}, for callers that only need yes or no. */
export function isValidManifest(value: unknown): value is PluginManifest {
  return validateManifest(value).length === 0;
}
