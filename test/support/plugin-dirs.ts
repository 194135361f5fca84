import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './paths';

/** A new empty plugins directory under the OS temp dir. */
export function tempPluginsDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-plugins-'));
}

/** Copies a built first-party plugin (plugin.json + its bundle) from the repository's plugins/. */
export function copyRepoPlugin(name: string, pluginsDir: string, folder = name): string {
  const from = path.join(REPO_ROOT, 'plugins', name);
  const to = path.join(pluginsDir, folder);
  fs.mkdirSync(path.join(to, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(from, 'plugin.json'), path.join(to, 'plugin.json'));
  fs.copyFileSync(path.join(from, 'dist', 'index.js'), path.join(to, 'dist', 'index.js'));
  return to;
}

/** Copies a test fixture plugin's sources and builds it with the real `mosn-plugin build` CLI. */
export function buildFixturePlugin(name: string, pluginsDir: string, folder = name): string {
  const to = path.join(pluginsDir, folder);
  fs.cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'plugins', name), to, { recursive: true });
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'mosn-plugin.js'), 'build', to], { stdio: 'pipe' });
  return to;
}

/** Edits a plugin's plugin.json in place. */
export function editManifest(pluginDir: string, edit: (m: Record<string, unknown>) => void): void {
  const file = path.join(pluginDir, 'plugin.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(m);
  fs.writeFileSync(file, `${JSON.stringify(m, null, 2)}\n`);
}
