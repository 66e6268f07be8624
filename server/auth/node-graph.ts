import type { Resource } from '../../schema/kind.ts';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import { podReferences, type ReferencedKind } from '../../schema/pod-references.ts';
import type { Store } from '../store/store.ts';

/** One pod's node and what it names, as last indexed. */
interface PodEdges {
  node: string;
  refs: string[];
}

/**
 * What the Node authorizer asks: which objects the pods bound to a node name. Kubernetes
 * keeps a graph of pods, nodes and the objects between them; here, for each node, a count
 * of its pods naming each `<kind>/<namespace>/<name>`, maintained from the store's Pod
 * events (one pod's references recomputed per event, other kinds never looked at) and
 * built whole on first use.
 */
export class NodeGraph {
  private readonly pods = new Map<string, PodEdges>();
  private readonly byNode = new Map<string, Map<string, number>>();
  private built = false;

  constructor(private readonly store: Store) {
    store.subscribe((events) => {
      if (!this.built) return;
      for (const event of events) {
        if (event.kind !== 'Pod') continue;
        this.forget(event.key);
        if (event.type !== 'DELETED') this.index(event.key, event.object);
      }
    });
  }

  /** Whether a pod bound to `node` names the object. */
  references(node: string, kind: ReferencedKind, namespace: string, name: string): boolean {
    this.build();
    return (this.byNode.get(node)?.get(`${kind}/${namespace}/${name}`) ?? 0) > 0;
  }

  /** The objects of `kind` the pods bound to `node` name, as `namespace/name`. */
  referenced(node: string, kind: ReferencedKind): string[] {
    this.build();
    const prefix = `${kind}/`;
    return [...(this.byNode.get(node)?.keys() ?? [])]
      .filter((key) => key.startsWith(prefix))
      .map((key) => key.slice(prefix.length));
  }

  private build(): void {
    if (this.built) return;
    this.built = true;
    for (const [key, pod] of this.store.objects.ofKind('Pod')) this.index(key, pod);
  }

  private index(key: string, pod: Resource): void {
    const spec = pod.spec as PodSpec | undefined;
    const node = spec?.nodeName;
    if (!node) return;
    const namespace = pod.metadata.namespace ?? 'default';
    const refs = podReferences(pod.metadata.name!, spec).map((ref) => `${ref.kind}/${namespace}/${ref.name}`);
    this.pods.set(key, { node, refs });
    let counts = this.byNode.get(node);
    if (!counts) this.byNode.set(node, (counts = new Map()));
    for (const ref of refs) counts.set(ref, (counts.get(ref) ?? 0) + 1);
  }

  private forget(key: string): void {
    const edges = this.pods.get(key);
    if (!edges) return;
    this.pods.delete(key);
    const counts = this.byNode.get(edges.node)!;
    for (const ref of edges.refs) {
      const left = counts.get(ref)! - 1;
      if (left > 0) counts.set(ref, left);
      else counts.delete(ref);
    }
    if (counts.size === 0) this.byNode.delete(edges.node);
  }
}
