import type http from 'node:http';
import { ApiError } from '../errors.ts';
import type { ResourceService } from '../resources/service.ts';
import { streamPodLogs, type PodLogsArgs } from '../tunnel/pod-logs.ts';
import type { PodSubresource } from './pod-subresource.ts';
import { QueryOptions } from './query-options.ts';
import { sendStatus, statusOf } from './status.ts';

/**
 * `GET /api/v1/namespaces/{ns}/pods/{name}/log`: a container's output as text/plain,
 * through the node agent's tunnel (server/tunnel/pod-logs.ts), with Kubernetes' query
 * options (container, follow, previous, timestamps, tailLines, sinceSeconds or
 * sinceTime, limitBytes). What fails before the agent takes the request up (the pod, the
 * container, the agent, the container's state) is a Status; the 200 comes once it has,
 * and with `follow` the body goes on, chunk by chunk, until the container exits or the
 * client leaves. A failure after that cuts the response off, so the client sees it did
 * not end cleanly.
 */
export function servePodLog(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  pod: PodSubresource,
  resources: ResourceService,
  log: (line: string) => void,
): void {
  const { args, limitBytes } = logOptions(pod, new QueryOptions(url.searchParams));
  const start = () => {
    if (res.headersSent) return;
    res.writeHead(200, {
      'content-type': 'text/plain',
      'cache-control': 'no-cache, private',
      'transfer-encoding': 'chunked',
    });
    res.flushHeaders();
  };
  const items = streamPodLogs(resources, args, start);
  let left = limitBytes ?? Infinity;
  const stop = () => void items.return?.();
  res.on('close', stop);
  const pump = async () => {
    for await (const item of items) {
      if ('error' in item) throw item.error;
      let chunk = Buffer.from(`${item.line}\n`);
      if (chunk.length > left) chunk = chunk.subarray(0, left);
      left -= chunk.length;
      start();
      if (req.method !== 'HEAD' && !res.write(chunk)) await drained(res);
      if (left <= 0 || res.destroyed) break;
    }
  };
  pump()
    .then(
      () => {
        start();
        res.end();
      },
      (error: unknown) => {
        if (!res.headersSent) return sendStatus(res, statusOf(error, undefined, log));
        // Past the 200, the client can only be shown that the body did not end cleanly.
        if (!(error instanceof ApiError)) {
          log(
            `rest: log of pod ${pod.namespace}/${pod.name}: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        res.destroy();
      },
    )
    .finally(() => {
      res.off('close', stop);
      stop();
    });
}

function logOptions(pod: PodSubresource, q: QueryOptions): { args: PodLogsArgs; limitBytes?: number } {
  const sinceTime = q.time('sinceTime');
  let sinceSeconds = q.int('sinceSeconds');
  if (sinceTime && sinceSeconds !== undefined) {
    throw new ApiError('BAD_REQUEST', 'at most one of `sinceTime` or `sinceSeconds` may be specified');
  }
  // The tunnel asks agents for the lines of the last N seconds: a time is that many seconds ago.
  if (sinceTime) sinceSeconds = Math.max(1, Math.ceil((Date.now() - sinceTime.getTime()) / 1000));
  const limitBytes = q.int('limitBytes');
  if (limitBytes !== undefined && limitBytes < 1) {
    throw new ApiError('BAD_REQUEST', `limitBytes: Invalid value: ${limitBytes}: must be greater than 0`);
  }
  return {
    args: {
      namespace: pod.namespace,
      name: pod.name,
      container: q.string('container'),
      follow: q.bool('follow'),
      previous: q.bool('previous'),
      timestamps: q.bool('timestamps'),
      tailLines: q.int('tailLines'),
      sinceSeconds,
    },
    limitBytes,
  };
}

/** Resolves once the response can take more, or is gone. */
function drained(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
