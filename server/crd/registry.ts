import type { KindDefinition, Resource } from '../../schema/kind.ts';
import type { CustomResourceDefinition } from '../../schema/kinds/customresourcedefinition.ts';
import { customResourceDefinitionKind } from '../../schema/kinds/customresourcedefinition.ts';
import { dynamicKind, setDynamicKind } from '../../schema/kinds/dynamic-kinds.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../store/store.ts';
import { namesAccepted } from './accepted-names.ts';
import { customResourceKind, storageVersion, versionSchema } from './custom-kind.ts';
import { customVersions, scalePaths } from './custom-versions.ts';
import { setServedCustomResource } from './served-schemas.ts';

type CRDObject = CustomResourceDefinition & Resource;

const CRD = 'CustomResourceDefinition';

/**
 * Serves the custom resources of the stored CustomResourceDefinitions while the server
 * runs: each one stored with its names accepted (established at admission) becomes a
 * dynamic kind at once, in the commit's listener, so REST, GraphQL and admission see it
 * before the write's response goes out; a changed one is served anew; a deleted one stops
 * being served and its objects are deleted. A definition whose names are taken is not
 * served, and never stops the one that has them; once they are given up, it is admitted
 * again. Returns what stops serving them.
 */
export function serveCustomResources(
  store: Store,
  resources: ResourceService,
  log: (line: string) => void,
): () => void {
  /** The definition (by name) each served kind is served for. */
  const servedFor = new Map<string, string>();
  const serve = (crd: CRDObject) => {
    const def = customResourceKind(crd);
    const version = storageVersion(crd);
    if (!def || !version || !namesAccepted(crd)) return;
    const versions = customVersions(crd, def);
    // Stored objects are scaled at the storage version's paths, or else a served version's.
    const scale = scalePaths(version) ?? versions.find((served) => served.scale)?.scale;
    setServedCustomResource(def.kind, {
      crd,
      schema: versionSchema(version),
      ...(scale ? { scale } : {}),
      versions,
    });
    setDynamicKind(def.kind, def);
    servedFor.set(def.kind, crd.metadata.name!);
  };
  const unserve = (kind: string) => {
    setServedCustomResource(kind, undefined);
    setDynamicKind(kind, undefined);
    servedFor.delete(kind);
  };
  const stop = (crd: CRDObject, deleteObjects: boolean) => {
    const kind = crd.spec.names.kind;
    if (servedFor.get(kind) !== crd.metadata.name) return;
    const def = dynamicKind(kind);
    unserve(kind);
    if (def && deleteObjects)
      resources.deleteCollection(def, {}, {}).catch((error: unknown) => {
        log(
          `deleting the ${def.plural} of ${crd.metadata.name}: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
  };
  // Names given up: the definitions refused for them are admitted again, as Kubernetes'
  // naming controller requeues them, and the first to be written again takes them.
  const reconsiderRefused = () => {
    for (const other of store.objects.ofKind(CRD).values()) {
      const refused = other as CRDObject;
      if (namesAccepted(refused)) continue;
      resources
        .modify(
          customResourceDefinitionKind as KindDefinition,
          undefined,
          refused.metadata.name!,
          (obj) => obj,
        )
        .catch((error: unknown) => {
          log(
            `reconsidering the names of ${refused.metadata.name}: ${error instanceof Error ? error.message : String(error)}`,
          );
        });
    }
  };
  for (const crd of store.objects.ofKind(CRD).values()) serve(crd as CRDObject);
  const unsubscribe = store.subscribe((events) => {
    for (const event of events) {
      if (event.kind !== CRD) continue;
      const crd = event.object as CRDObject;
      const prev = event.prev as CRDObject | undefined;
      const renamed = prev && prev.spec.names.kind !== crd.spec.names.kind;
      if (event.type === 'DELETED' || renamed) {
        const released = servedFor.get((prev ?? crd).spec.names.kind) === crd.metadata.name;
        stop(prev ?? crd, true);
        if (released) reconsiderRefused();
      }
      // Names taken since (not by itself): no longer served, its objects kept as Kubernetes keeps them.
      else if (!namesAccepted(crd)) stop(crd, false);
      if (event.type !== 'DELETED') serve(crd);
    }
  });
  return () => {
    unsubscribe();
    for (const kind of [...servedFor.keys()]) unserve(kind);
  };
}
