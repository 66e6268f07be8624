import type http from 'node:http';
import type { Request } from '../auth/access-control.ts';
import { kindRequest } from '../auth/access-control.ts';
import { selectedName } from '../auth/selected-name.ts';
import type { PodSubresource } from './pod-subresource.ts';
import type { Target } from './target.ts';

/**
 * The RBAC request an HTTP request to an object or a collection makes, by Kubernetes'
 * mapping of methods to verbs: GET is get (an object), list or watch (a collection); POST
 * create; PUT update; PATCH patch; DELETE delete, or deletecollection on a collection.
 */
export function targetRequest(req: http.IncomingMessage, url: URL, target: Target): Request {
  const { def, namespace, name, subresource } = target;
  const verb = verbOf(req.method, url, name);
  const selected =
    verb === 'list' || verb === 'watch' ? selectedName(url.searchParams.get('fieldSelector')) : undefined;
  return kindRequest(def, verb, namespace, name ?? selected, subresource);
}

/** A pod's log is read (get pods/log); exec, attach and port-forward are created. */
export function podStreamRequest(pod: PodSubresource): Request {
  return {
    verb: pod.subresource === 'log' ? 'get' : 'create',
    apiGroup: '',
    resource: 'pods',
    subresource: pod.subresource,
    namespace: pod.namespace,
    name: pod.name,
  };
}

/** An eviction is created (create pods/eviction), as kubectl drain needs. */
export function podEvictionRequest(pod: { namespace: string; name: string }): Request {
  return { verb: 'create', apiGroup: '', resource: 'pods', subresource: 'eviction', ...pod };
}

function verbOf(method: string | undefined, url: URL, name: string | undefined): string {
  switch (method) {
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return name === undefined ? 'deletecollection' : 'delete';
    default: {
      if (name !== undefined) return 'get';
      const watch = url.searchParams.get('watch');
      return watch === 'true' || watch === '1' ? 'watch' : 'list';
    }
  }
}
