import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { SDK_MODULE_NAME } from '../module-name';

/** The module plugin tests import the harness from. */
export const TESTING_MODULE_NAME = `${SDK_MODULE_NAME}/testing`;

/** Test files `mosn-plugin test` runs: `test/**\/*.test.{ts,js}` of the plugin folder. */
const TEST_FILE = /\.test\.[cm]?[jt]s$/;

/** Where a run's output goes, line by line. */
export interface TestRunOutput {
  out(line: string): void;
  err(line: string): void;
}

/** The test files of a plugin folder, relative to it, sorted. */
export function findTestFiles(pluginDir: string): string[] {
  const root = path.join(pluginDir, 'test');
  if (!fs.existsSync(root)) return [];
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(full);
      else if (entry.isFile() && TEST_FILE.test(entry.name)) found.push(path.relative(pluginDir, full));
    }
  };
  walk(root);
  return found.sort();
}

/**
 * Runs a plugin folder's tests with `node --test`, against this SDK: each test file is bundled by
 * esbuild (TypeScript stripped, the plugin's own modules inlined) with `mosn-plugin-sdk` and
 * `mosn-plugin-sdk/testing` resolved to this SDK's compiled modules, so the harness and the bundle it
 * loads share one SDK instance (one HeaderMap class, one StreamFilterStatus enum). The tests run in
 * the plugin folder with MOSN_PLUGIN_DIR set, which `loadPluginForTest()` uses by default.
 * Resolves to node's exit code (0 when every test passed).
 */
export async function runPluginTests(pluginDir: string, files: readonly string[], output: TestRunOutput, extraNodeArgs: readonly string[] = []): Promise<number> {
  const dir = path.resolve(pluginDir);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-plugin-test-'));
  try {
    const bundled = await bundleTests(dir, files, outDir);
    return await runNodeTest(dir, bundled, output, extraNodeArgs);
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

async function bundleTests(dir: string, files: readonly string[], outDir: string): Promise<string[]> {
  const sdkEntry = path.resolve(__dirname, '..', 'index.js');
  const testingEntry = path.resolve(__dirname, '..', 'testing', 'index.js');
  const resolveSdk: esbuild.Plugin = {
    name: 'mosn-plugin-sdk',
    setup(build) {
      build.onResolve({ filter: /^mosn-plugin-sdk(\/testing)?$/ }, (args) => ({
        path: args.path === TESTING_MODULE_NAME ? testingEntry : sdkEntry,
        external: true,
      }));
    },
  };
  const out: string[] = [];
  for (const file of files) {
    const outfile = path.join(outDir, file.replace(/\.[cm]?[jt]s$/, '.js'));
    try {
      await esbuild.build({
        absWorkingDir: dir,
        entryPoints: [file],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        sourcemap: 'inline',
        plugins: [resolveSdk],
        logLevel: 'silent',
      });
    } catch (err) {
      const errors = (err as esbuild.BuildFailure).errors;
      if (!Array.isArray(errors)) throw err;
      throw new Error(`cannot compile ${file}:\n  ${errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ''}${e.text}`).join('\n  ')}`);
    }
    out.push(outfile);
  }
  return out;
}

function runNodeTest(dir: string, files: readonly string[], output: TestRunOutput, extraNodeArgs: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=spec', ...extraNodeArgs, ...files], {
      cwd: dir,
      env: { ...process.env, MOSN_PLUGIN_DIR: dir, NODE_TEST_CONTEXT: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    forwardLines(child.stdout!, output.out);
    forwardLines(child.stderr!, output.err);
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function forwardLines(stream: NodeJS.ReadableStream, write: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) write(line);
  });
  stream.on('end', () => {
    if (pending) write(pending);
  });
}
