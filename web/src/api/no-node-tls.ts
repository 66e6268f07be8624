/**
 * Stands in for the SDK's Node-only TLS module (client/node-tls.ts) in the browser build
 * (vite.config.ts): the SDK loads it only when given a CA to trust, and a browser trusts
 * its own certificate authorities.
 */
export {};
