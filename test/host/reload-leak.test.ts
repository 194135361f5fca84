import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { LeakFigures } from './reload-leak';

const run = promisify(execFile);

describe('plugin reload leak check', () => {
  it('1000 reloads of a plugin with a timer, an interval and a server: heap within 5 MiB, handles back to the start', { timeout: 180_000 }, async (t) => {
    // The script needs --expose-gc, so it runs in its own process.
    const { stdout } = await run(process.execPath, ['--expose-gc', path.join(__dirname, 'reload-leak.js'), '1000'], { timeout: 170_000 }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`reload-leak.js failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    });
    const figures = JSON.parse(stdout.trim().split('\n').at(-1)!) as LeakFigures;
    t.diagnostic(`${figures.cycles} reloads in ${figures.seconds} s; heap ${(figures.heapDeltaBytes / 1048576).toFixed(2)} MiB over the start; handles ${JSON.stringify(figures.handlesEnd)}`);
    assert.ok(figures.heapDeltaBytes <= 5 * 1024 * 1024, `heap grew by ${figures.heapDeltaBytes} bytes`);
    assert.deepEqual(figures.handlesEnd, figures.handlesStart);
    assert.deepEqual(figures.handlesAfterDispose, figures.handlesBeforeLoad);
    assert.equal(figures.ok, true);
  });
});
