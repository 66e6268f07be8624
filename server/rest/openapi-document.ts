import {
  apiResourceList,
  groupVersionOf,
  KUBERNETES_VERSION,
  servedKinds,
  type GroupVersion,
} from './discovery.ts';
import { METRICS_GROUP, METRICS_VERSION } from './metrics-api.ts';
import type { Schema } from './openapi-meta.ts';
import { resourcePaths } from './openapi-paths.ts';
import { componentSchemas } from './openapi-schemas.ts';

/** Every group-version served, under its OpenAPI v3 path: `api/v1`, `apis/apps/v1`. */
export function openApiGroupVersions(): Map<string, GroupVersion> {
  const found = new Map<string, GroupVersion>();
  for (const def of servedKinds()) {
    const gv = groupVersionOf(def);
    found.set(gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`, gv);
  }
  found.set(`apis/${METRICS_GROUP}/${METRICS_VERSION}`, { group: METRICS_GROUP, version: METRICS_VERSION });
  return found;
}

/**
 * The OpenAPI 3.0 document of one group-version, as `/openapi/v3/apis/{group}/{version}`
 * serves it: the operations discovery advertises and the schemas of the kinds' shapes.
 */
export function openApiDocument(gv: GroupVersion): Schema {
  const kinds = servedKinds().filter((def) => {
    const own = groupVersionOf(def);
    return own.group === gv.group && own.version === gv.version;
  });
  const paths = resourcePaths(gv, apiResourceList(gv.group, gv.version)?.resources ?? []);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion },
    paths,
    components: {
      schemas: componentSchemas(kinds, paths),
      securitySchemes: {
        BearerToken: {
          description: 'Bearer Token authentication',
          in: 'header',
          name: 'authorization',
          type: 'apiKey',
        },
      },
    },
    security: [{ BearerToken: [] }],
  };
}
