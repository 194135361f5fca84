import type { CodecOptions } from 'mosn-plugin-sdk';
import type { Settings } from 'node:http2';

/** Header fields accepted in one block (Node's default is 128, too few for some gateways). */
export const MAX_HEADER_LIST_PAIRS = 1024;
/**
 * Node's per-session memory cap for nghttp2, in MB. Above it Node refuses new streams
 * (ENHANCE_YOUR_CALM); per-stream flow-control windows keep real use far below.
 */
export const MAX_SESSION_MEMORY_MB = 32;

/** What both sides advertise: no server push; header lists bounded by the codec's limit. */
export function localSettings(options: CodecOptions): Settings {
  return {
    enablePush: false,
    maxHeaderListSize: options.maxHeaderBytes,
  };
}
