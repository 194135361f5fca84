import { definePlugin } from 'mosn-plugin-sdk';
import { DubboCodec } from './dubbo-codec';

/** Apache Dubbo's `dubbo` protocol (2.x, hessian2) as an xprotocol codec named `dubbo`. */
export = definePlugin({
  activate(context) {
    context.registerXProtocol('dubbo', new DubboCodec());
  },
});
