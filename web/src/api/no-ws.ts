/**
 * Stands in for the `ws` package in the browser build (vite.config.ts): the SDK falls
 * back to it only where there is no global WebSocket, which a browser always has.
 */
export default undefined;
