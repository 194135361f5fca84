import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` (every `everyMs`) until it returns true; rejects naming `what` after `timeoutMs`.
 * For state that has no event to wait on from a test (a log file line, an admin API value).
 */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 10): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
