import { definePlugin } from 'mosn-plugin-sdk';
import { http2Protocol } from './http2-protocol';

export = definePlugin({
  activate(context) {
    context.register('protocol', 'Http2', http2Protocol);
  },
});
