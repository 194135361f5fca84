/**
 * The module name a plugin imports the SDK by. Bundles keep it external (`mosn-plugin build`), and
 * the kernel resolves it to its own SDK instance when it evaluates a bundle.
 */
export const SDK_MODULE_NAME = 'mosn-plugin-sdk';
