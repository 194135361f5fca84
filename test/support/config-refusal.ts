import assert from 'node:assert/strict';
import { ConfigLoadError } from '../../core/config/config-error';
import type { MosnConfig } from '../../core/config/config-types';
import { startMosn } from './mosn-harness';

/** The problem lines mosn-ts refuses `config` with (schema and build checks); fails when it starts. */
export async function refusal(config: MosnConfig): Promise<string[]> {
  try {
    const mosn = await startMosn(config);
    await mosn.stop();
  } catch (err) {
    assert.ok(err instanceof ConfigLoadError, `refused with a ConfigLoadError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('the config was accepted');
}
