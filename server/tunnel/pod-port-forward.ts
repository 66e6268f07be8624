import crypto from 'node:crypto';
import { kindByName } from '../../schema/kinds/index.ts';
import type { PodSpec, PodStatus } from '../../schema/kinds/pod.ts';
import type { Resource } from '../../schema/kind.ts';
import { ApiError, notFound } from '../errors.ts';
import type { ResourceService } from '../resources/service.ts';
import type { TunnelExecInput } from './messages.ts';
import { noAgent } from './node-tunnels.ts';
import { Channel } from '../../lib/channel.ts';

type PodObject = Pick<Resource, 'metadata'> & { spec?: PodSpec; status?: PodStatus };

/** The pod a port-forward reaches, and the node whose agent connects to it. */
export interface PortForwardTarget {
  namespace: string;
  podName: string;
  podUid: string;
  nodeName: string;
}

/** What a forwarded connection yields: bytes from the pod, then its end, or the error that ended it. */
export type PortForwardEvent = { data: Buffer } | { end: true } | { error: ApiError };

export interface ForwardedConnection {
  events: AsyncIterableIterator<PortForwardEvent>;
  /** Bytes for the pod, in order (held until the agent has connected). */
  write(data: Buffer): void;
  /** No more bytes for the pod: the connection's sending side closes. */
  end(): void;
}

/** Chunks from the pod held for a slow reader before the agent's next reply waits for it. */
const HIGH_WATER_CHUNKS = 64;

/**
 * Checks a pod can be forwarded to as Kubernetes does: it exists, it is bound to a node
 * whose agent is connected, and it runs.
 */
export function portForwardTarget(
  resources: ResourceService,
  namespace: string,
  name: string,
): PortForwardTarget {
  const pod = resources.get(kindByName('Pod')!, namespace, name) as PodObject | undefined;
  if (!pod) throw notFound('pods', name);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw new ApiError('BAD_REQUEST', `pod ${name} does not have a host assigned`);
  if (!resources.tunnels.connected(nodeName)) throw noAgent(nodeName);
  const phase = pod.status?.phase ?? 'Pending';
  if (phase !== 'Running') {
    throw new ApiError(
      'BAD_REQUEST',
      `unable to forward port because pod is not running. Current status=${phase}`,
    );
  }
  return { namespace, podName: name, podUid: pod.metadata.uid!, nodeName };
}

/**
 * `kubectl port-forward`: one TCP connection from the pod's node to `port` of the pod,
 * through the node agent's tunnel (a PORT_FORWARD request; bytes go both ways
 * base64-encoded, INPUT carrying the user's). The pod's bytes come as events, and the
 * connection's end when the pod closes it; returning the events (the user went away)
 * closes it on the node.
 */
export function forwardPort(
  resources: ResourceService,
  target: PortForwardTarget,
  port: number,
): ForwardedConnection {
  const id = crypto.randomUUID();
  let connected = false;
  const held: TunnelExecInput[] = [];
  const send = (input: TunnelExecInput) => {
    if (connected) resources.tunnels.input(id, input);
    else held.push(input);
  };
  let cancel = () => {};
  const events = new Channel<PortForwardEvent>(() => cancel());
  cancel = resources.tunnels.open(
    target.nodeName,
    {
      kind: 'PORT_FORWARD',
      namespace: target.namespace,
      podName: target.podName,
      podUid: target.podUid,
      portForward: { port },
    },
    {
      started: () => {
        connected = true;
        for (const input of held.splice(0)) resources.tunnels.input(id, input);
      },
      lines: async () => {},
      bytes: (data) => {
        events.push({ data });
        return events.drained(HIGH_WATER_CHUNKS);
      },
      done: () => {
        events.push({ end: true });
        events.end();
      },
      fail: (error) => {
        events.push({ error });
        events.end();
      },
    },
    id,
  );
  return {
    events,
    write: (data) => send({ base64: data.toString('base64') }),
    end: () => send({ close: true }),
  };
}
