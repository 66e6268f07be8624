import type { ObjectRef } from '@pothos/core';
import { builder, type Context, type Types } from './builder.ts';
import type { Resource } from '../../schema/kind.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import type { Pod } from '../../schema/kinds/pod.ts';
import type { Service } from '../../schema/kinds/service.ts';
import { selectorMatches } from '../../schema/label-selector.ts';

type Refs = Record<string, ObjectRef<Types, Resource>>;

/**
 * A list edge is null, not its parent, when it fails: a caller allowed the Deployment but
 * not its pods gets the Deployment with `pods: null` and FORBIDDEN at that path.
 */
const EDGE_LIST = { list: true, items: false } as const;

/**
 * The edges between kinds, where a GraphQL query replaces several kubectl calls:
 * Deployment → ReplicaSets → Pods → Node, Service → Pods and Endpoints, and every
 * object's events. All but Service → Pods are answered from the store's indexes; that
 * one reads the Service's namespace, as the endpoints controller does.
 *
 * Edges are not paginated, unlike lists (schema/list-limits.ts): Kubernetes has no edges
 * to copy a contract from, and a truncated edge without a `continue` would silently hide
 * objects from `kq describe` and the dashboard, which show all of them as kubectl does.
 * Each edge is bounded by its source instead: a ReplicaSet's, Job's or set's pods by
 * its replicas, a Node's by its pod capacity, an object's events by their TTL. A pod
 * has one controller and one node, so the owner and node edges of a page of owners or
 * nodes together return each pod at most once. Only Service → Pods and events can
 * repeat objects across a page; how much one query may fan out is the query cost
 * limit's to bound, not the edges'.
 */
export function registerEdges(refs: Refs): void {
  const { Pod, ReplicaSet, Node, Endpoints, Event, Job } = refs;
  const owned = (kind: string) => (obj: Resource, _args: unknown, ctx: Context) =>
    ctx.resources.lookup('owner', obj.metadata.uid!, kind);

  for (const ref of Object.values(refs)) {
    builder.objectField(ref, 'events', (t) =>
      t.field({
        type: [Event],
        nullable: EDGE_LIST,
        description: 'Events about this object, oldest first; all of them (edges are not paginated).',
        resolve: (obj, _args, ctx) =>
          ctx.resources
            .lookup('involved', obj.metadata.uid!, 'Event')
            .sort((a, b) => String(a.lastTimestamp ?? '').localeCompare(String(b.lastTimestamp ?? ''))),
      }),
    );
  }

  builder.objectField(refs.Deployment, 'replicaSets', (t) =>
    t.field({
      type: [ReplicaSet],
      nullable: EDGE_LIST,
      description: 'The ReplicaSets this Deployment owns (one per revision).',
      resolve: owned('ReplicaSet'),
    }),
  );
  builder.objectField(refs.Deployment, 'pods', (t) =>
    t.field({
      type: [Pod],
      nullable: EDGE_LIST,
      description: "The Pods of all this Deployment's ReplicaSets; all of them (edges are not paginated).",
      resolve: (obj, _args, ctx) =>
        ctx.resources
          .lookup('owner', obj.metadata.uid!, 'ReplicaSet')
          .flatMap((rs) => ctx.resources.lookup('owner', rs.metadata.uid!, 'Pod')),
    }),
  );
  for (const kind of ['ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job']) {
    builder.objectField(refs[kind], 'pods', (t) =>
      t.field({
        type: [Pod],
        nullable: EDGE_LIST,
        description: `The Pods this ${kind} owns; all of them (edges are not paginated).`,
        resolve: owned('Pod'),
      }),
    );
  }
  builder.objectField(refs.CronJob, 'jobs', (t) =>
    t.field({
      type: [Job],
      nullable: EDGE_LIST,
      description: 'The Jobs this CronJob started and still keeps.',
      resolve: owned('Job'),
    }),
  );
  builder.objectField(Pod, 'node', (t) =>
    t.field({
      type: Node,
      description: 'The Node the Pod is bound to.',
      resolve: (pod, _args, ctx) => {
        const nodeName = (pod as Resource & Pod).spec?.nodeName;
        return nodeName ? ctx.resources.get(kindByName('Node')!, undefined, nodeName) : null;
      },
    }),
  );
  builder.objectField(Node, 'pods', (t) =>
    t.field({
      type: [Pod],
      nullable: EDGE_LIST,
      description: 'The Pods bound to this Node; all of them (edges are not paginated).',
      resolve: (node, _args, ctx) => ctx.resources.lookup('node', node.metadata.name!, 'Pod'),
    }),
  );
  builder.objectField(refs.Service, 'pods', (t) =>
    t.field({
      type: [Pod],
      nullable: EDGE_LIST,
      description:
        "The Pods the Service's selector picks (none without a selector); all of them (edges are not paginated).",
      resolve: (svc, _args, ctx) => {
        const selector = (svc as Resource & Service).spec?.selector;
        if (!selector || Object.keys(selector).length === 0) return [];
        // Without a limit: the page size bounds what a client lists, not what an edge follows.
        const pods = ctx.resources.list(kindByName('Pod')!, { namespace: svc.metadata.namespace }).items;
        return pods.filter((pod) => selectorMatches({ matchLabels: selector }, pod.metadata.labels));
      },
    }),
  );
  builder.objectField(refs.Service, 'endpoints', (t) =>
    t.field({
      type: Endpoints,
      description: 'The Endpoints object of the same name: the ready addresses behind the Service.',
      resolve: (svc, _args, ctx) =>
        ctx.resources.get(kindByName('Endpoints')!, svc.metadata.namespace, svc.metadata.name!),
    }),
  );
}
