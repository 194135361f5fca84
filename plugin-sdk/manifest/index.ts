/**
 * Plugin manifest (`plugin.json`) checking and reading, shared by the `mosn-plugin` CLI and the
 * kernel's plugin host. A separate entry from the SDK's runtime module (`plugin-sdk/index.ts`) so
 * that the module every plugin gets at run time stays free of ajv, semver and file access.
 */
export { MANIFEST_FILE, MANIFEST_SCHEMA, validateManifest, isValidManifest } from './manifest-validator';
export { ManifestError, hasManifest, readManifestFile } from './manifest-file';
export type { ManifestFile } from './manifest-file';
