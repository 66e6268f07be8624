/** The kubeql client SDK: `import { createClient } from '@kubeql/client'` (client/README.md). */
export { createClient, type ClientOptions, type KubeqlClient } from './client.ts';
export {
  fromGraphQLErrors,
  isCode,
  KubeqlError,
  messageOf,
  toKubeqlError,
  type Cause,
  type ErrorCode,
} from './errors.ts';
export { inProcessTransport, type InProcessOptions } from './in-process-transport.ts';
export { remoteTransport, type RemoteTransportOptions } from './remote-transport.ts';
export { backoffDelay, DEFAULT_BACKOFF, type Backoff } from '../lib/backoff.ts';
export type { Subscription } from './subscription.ts';
export type { Watch } from './watch.ts';
export type * from './types.ts';
export {
  createInformer,
  Informer,
  type EventHandlers,
  type InformerOptions,
  type ListWatchClient,
} from './informer.ts';
export { keyOf, type CacheReader, type IndexFunc } from './cache.ts';
export { WorkQueue, type WorkQueueOptions } from './work-queue.ts';
export { runWorkers, type Reconcile, type RunWorkersOptions, type Workers } from './workers.ts';
export {
  defaultControllerRateLimiter,
  ExponentialBackoffRateLimiter,
  MaxOfRateLimiter,
  TokenBucketRateLimiter,
  type RateLimiter,
  type RateLimitOptions,
} from './rate-limiter.ts';
export { resourceWriter, type DeleteOptions, type PropagationPolicy, type ResourceWriter } from './writes.ts';
export { execute, subscribe } from './typed.ts';
export { codegenConfig, codegenScalars } from './codegen-config.ts';
export * as operations from './generated/graphql.ts';
export { embeddedTypes, possibleTypes } from './generated/possible-types.ts';
