import * as fs from 'node:fs';
import * as path from 'node:path';
import * as semver from 'semver';
import type { FactoryKind } from '../api/plugin';
import { PLUGIN_API_VERSION } from '../api/version';
import { isValidManifest } from '../manifest';
import { extensionTemplate } from './templates/extension-template';
import { networkFilterTemplate } from './templates/network-filter-template';
import type { PluginTemplate } from './templates/plugin-template';
import { protocolTemplate } from './templates/protocol-template';
import { streamFilterTemplate } from './templates/stream-filter-template';

/** The kinds `mosn-plugin new` can scaffold, by `--kind` value. */
export const TEMPLATES: Readonly<Record<string, PluginTemplate>> = {
  stream_filter: streamFilterTemplate,
  network_filter: networkFilterTemplate,
  protocol: protocolTemplate,
  extension: extensionTemplate,
};

/** Plugin names as plugin.json accepts them. */
export const PLUGIN_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** What {@link scaffoldPlugin} wrote. */
export interface ScaffoldResult {
  readonly dir: string;
  /** Files written, relative to `dir`. */
  readonly files: string[];
}

/**
 * Writes a working plugin folder `<parentDir>/<name>`: plugin.json (with the factory's configSchema
 * and `engines.mosn` accepting this SDK's API major), src/index.ts, a test using the SDK's harness,
 * and a README. Refuses a bad name, an unknown kind, or a folder that exists and is not empty.
 */
export function scaffoldPlugin(parentDir: string, name: string, kind: FactoryKind | string): ScaffoldResult {
  if (!PLUGIN_NAME.test(name)) throw new Error(`plugin name ${JSON.stringify(name)} must be lowercase letters, digits, "_" and "-", starting with a letter or digit`);
  const template = TEMPLATES[kind];
  if (!template) throw new Error(`unknown kind ${JSON.stringify(kind)} (one of ${Object.keys(TEMPLATES).join(', ')})`);
  const dir = path.resolve(parentDir, name);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) throw new Error(`${dir} already exists and is not empty`);

  const manifest = {
    name,
    version: '0.1.0',
    description: template.description(name),
    main: 'dist/index.js',
    // Any API of this major from the one it was scaffolded against (minors only add).
    engines: { mosn: `^${semver.major(PLUGIN_API_VERSION)}.${semver.minor(PLUGIN_API_VERSION)}.0` },
    provides: [{ kind: template.kind, name, ...(template.configSchema ? { configSchema: template.configSchema } : {}) }],
  };
  if (!isValidManifest(manifest)) throw new Error(`internal: the ${kind} template makes an invalid plugin.json`);
  const files: Record<string, string> = {
    'plugin.json': `${JSON.stringify(manifest, null, 2)}\n`,
    'src/index.ts': template.source(name),
    [`test/${name}.test.ts`]: template.test(name),
    'README.md': readme(name, template),
  };
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return { dir, files: Object.keys(files) };
}

function readme(name: string, template: PluginTemplate): string {
  return `# ${name}

${template.description(name)}

A mosn-ts plugin (${template.kind}). It imports only \`mosn-plugin-sdk\`; the kernel supplies it.

## Develop

\`\`\`sh
mosn-plugin build                 # bundle src/index.ts into dist/index.js, write its sha256 into plugin.json
mosn-plugin test                  # build, then run test/*.test.ts against the SDK's in-process harness
mosn-plugin pack --out ../packs   # ${name}-0.1.0.tgz: plugin.json, dist/index.js, README.md
\`\`\`

## Go live

Copy the folder (or \`mosn-plugin install ${name} --dir <plugins dir>\` once it is in the registry)
into the plugins directory of a running mosn-ts: the directory watcher loads it within a couple
of seconds, or run \`mosn plugin reload ${name}\`. \`mosn plugin list\` shows its generation and state.
${template.configSchema ? `
## Config

plugin.json's \`configSchema\` checks the \`config\` block of every \`${name}\` entry in a config, at
start and on every reload:

\`\`\`json
${JSON.stringify(template.configSchema, null, 2)}
\`\`\`
` : ''}`;
}
