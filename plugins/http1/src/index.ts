import { definePlugin } from 'mosn-plugin-sdk';
import { http1Protocol } from './http1-protocol';

export = definePlugin({
  activate(context) {
    context.register('protocol', 'Http1', http1Protocol);
  },
});
