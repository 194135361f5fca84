/**
 * The version of the plugin API that this SDK describes. A plugin declares the range it needs in
 * its manifest's `engines.mosn`; the kernel refuses a bundle whose range excludes this version.
 * Minor versions add to the API; a major version may change or remove parts of it.
 */
export const PLUGIN_API_VERSION = '1.2.0';
