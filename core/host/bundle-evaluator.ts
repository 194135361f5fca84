import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import * as sdk from '../../plugin-sdk';
import { SDK_MODULE_NAME } from '../../plugin-sdk/module-name';

const WRAPPER_PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];

/**
 * Runs a CommonJS bundle and returns its `module.exports`.
 *
 * Not `require()` or `import()`: both keep the code in Node's module cache forever. The bundle is
 * compiled with `vm.compileFunction` in the main context (so `Buffer`, timers and `instanceof Error`
 * behave as in the kernel) with a fresh `module`/`exports`; once the caller drops the returned
 * exports, nothing in Node's module system refers to the code and it can be collected.
 *
 * The bundle's `require` gives the kernel's SDK module for `mosn-plugin-sdk` (the same enum and class
 * objects the kernel uses) and Node built-ins; anything else was meant to be bundled and throws.
 * `filename` names the bundle in stack traces and syntax errors.
 */
export function evaluateBundle(source: string, filename: string): unknown {
  const bundleModule = { exports: {} as unknown };
  const compiled = vm.compileFunction(source, WRAPPER_PARAMS, { filename });
  compiled.call(bundleModule.exports, bundleModule.exports, bundleRequire, bundleModule, filename, path.dirname(filename));
  return bundleModule.exports;
}

function bundleRequire(id: string): unknown {
  if (id === SDK_MODULE_NAME) return sdk;
  // Built-ins are process-wide singletons, so handing them out keeps nothing of the plugin alive.
  if (isBuiltin(id)) return require(id);
  throw new Error(`bundle requires ${JSON.stringify(id)}; bundle your dependencies`);
}
