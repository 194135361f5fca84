import { type CliCommand, type CliOutput, EXIT, UsageError } from './cli-command';
import { parseCommandArgs } from './parse-command-args';
import { defaultRegistryDir } from './registry-index';
import { installItems, resolveSet, resolveSpec } from './registry-install';

/** `mosn-plugin install NAME[@RANGE]... --dir DIR` / `install --set SET --dir DIR`. */
export const installCommand: CliCommand = {
  name: 'install',
  summary: 'install plugins (or a curated set at its locked versions) from the registry into a plugins directory',
  usage: [
    'Usage: mosn-plugin install NAME[@RANGE]... --dir PLUGINS_DIR [--registry DIR]',
    '       mosn-plugin install --set SET --dir PLUGINS_DIR [--registry DIR]',
    '',
    'Looks plugins up in the registry index (REGISTRY/index.json; default: the repository\'s',
    'registry/ or $MOSN_PLUGIN_REGISTRY): NAME@RANGE takes the highest version in RANGE that this',
    'plugin API accepts; --set SET takes every member of REGISTRY/sets/SET.json at its locked',
    'version. Each bundle\'s sha256 is verified against the index (and the lock) before anything',
    'is written; then each plugin lands in PLUGINS_DIR/NAME atomically, so a running proxy',
    'watching the directory picks it up whole.',
  ].join('\n'),

  async run(args: readonly string[], output: CliOutput): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, { dir: { type: 'string' }, set: { type: 'string' }, registry: { type: 'string' } });
    if (!values.dir) throw new UsageError('--dir PLUGINS_DIR is required');
    if (values.set !== undefined && positionals.length > 0) throw new UsageError('give plugin names or --set, not both');
    if (values.set === undefined && positionals.length === 0) throw new UsageError('nothing to install: give NAME[@RANGE] or --set SET');
    const registry = values.registry ?? defaultRegistryDir();
    try {
      const items = values.set !== undefined ? resolveSet(registry, values.set) : positionals.map((spec) => resolveSpec(registry, spec));
      for (const p of installItems(registry, items, values.dir)) output.out(`installed ${p.name}@${p.version} → ${p.dir} (sha256 ${p.sha256.slice(0, 12)})`);
      return EXIT.ok;
    } catch (err) {
      output.err(`error: ${(err as Error).message}`);
      return EXIT.failed;
    }
  },
};
