import { definePlugin } from 'mosn-plugin-sdk';
import { PROTOCOL_V1, PROTOCOL_V2 } from './bolt-constants';
import { BoltCodec } from './bolt-codec';

/**
 * SOFARPC's bolt protocol as two xprotocol codecs: `bolt` (v1) and `boltv2`. Either accepts frames
 * of both versions on one connection; they differ in what `Auto` recognises and in the version of
 * the heartbeats they send upstream.
 */
export = definePlugin({
  activate(context) {
    context.registerXProtocol('bolt', new BoltCodec(PROTOCOL_V1));
    context.registerXProtocol('boltv2', new BoltCodec(PROTOCOL_V2));
  },
});
