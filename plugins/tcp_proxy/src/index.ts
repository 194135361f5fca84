import { definePlugin } from 'mosn-plugin-sdk';
import type { NetworkFilterFactory } from 'mosn-plugin-sdk';
import { TcpProxyConfig, type TcpProxyConfigInput } from './tcp-proxy-config';
import { TcpProxyFilter } from './tcp-proxy-filter';

const tcpProxyFactory: NetworkFilterFactory<TcpProxyConfigInput> = {
  createFilterChainFactory(input, context) {
    const config = new TcpProxyConfig(input, context.clusterManager);
    return {
      createFilterChain(_connection, manager) {
        manager.addReadFilter(new TcpProxyFilter(config, context.clusterManager, context.logger));
      },
    };
  },
};

export = definePlugin({
  activate(context) {
    context.registerNetworkFilter('tcp_proxy', tcpProxyFactory);
  },
});
