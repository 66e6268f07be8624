import type { Resource } from '../../schema/kind.ts';
import type { CustomResourceDefinition } from '../../schema/kinds/customresourcedefinition.ts';
import { dynamicKind, setDynamicKind } from '../../schema/kinds/dynamic-kinds.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../store/store.ts';
import { customResourceKind, storageVersion, versionSchema } from './custom-kind.ts';
import { setServedCustomResource } from './served-schemas.ts';

type CRDObject = CustomResourceDefinition & Resource;

const CRD = 'CustomResourceDefinition';

/**
 * Serves the custom resources of the stored CustomResourceDefinitions while the server
 * runs: each one stored (established at admission) becomes a dynamic kind at once, in the
 * commit's listener, so REST, GraphQL and admission see it before the write's response
 * goes out; a changed one is served anew; a deleted one stops being served and its
 * objects are deleted. Returns what stops serving them.
 */
export function serveCustomResources(
  store: Store,
  resources: ResourceService,
  log: (line: string) => void,
): () => void {
  const mine = new Set<string>();
  const serve = (crd: CRDObject) => {
    const def = customResourceKind(crd);
    const version = storageVersion(crd);
    if (!def || !version) return;
    setServedCustomResource(def.kind, { crd, schema: versionSchema(version) });
    setDynamicKind(def.kind, def);
    mine.add(def.kind);
  };
  const stop = (crd: CRDObject) => {
    const kind = crd.spec.names.kind;
    const def = dynamicKind(kind);
    setServedCustomResource(kind, undefined);
    setDynamicKind(kind, undefined);
    mine.delete(kind);
    if (def)
      resources.deleteCollection(def, {}, {}).catch((error: unknown) => {
        log(
          `deleting the ${def.plural} of ${crd.metadata.name}: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
  };
  for (const crd of store.objects.ofKind(CRD).values()) serve(crd as CRDObject);
  const unsubscribe = store.subscribe((events) => {
    for (const event of events) {
      if (event.kind !== CRD) continue;
      const crd = event.object as CRDObject;
      const renamed = event.prev && (event.prev as CRDObject).spec.names.kind !== crd.spec.names.kind;
      if (event.type === 'DELETED' || renamed) stop((event.prev ?? crd) as CRDObject);
      if (event.type !== 'DELETED') serve(crd);
    }
  });
  return () => {
    unsubscribe();
    for (const kind of mine) {
      setServedCustomResource(kind, undefined);
      setDynamicKind(kind, undefined);
    }
  };
}
