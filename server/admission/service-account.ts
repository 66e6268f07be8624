import type { Resource } from '../../schema/kind.ts';
import type { Pod, PodSpec, Volume } from '../../schema/kinds/pod.ts';
import type { ServiceAccount } from '../../schema/kinds/serviceaccount.ts';
import { randomSuffix } from '../resources/object-meta.ts';
import type { AdmissionContext, KindAdmission } from './admission.ts';

/** Where every container finds its token, the cluster CA and its namespace. */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The ConfigMap in every namespace holding the cluster CA (the root CA publisher keeps it). */
export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';
/** A pod that names no ServiceAccount runs as this one. */
const DEFAULT_SERVICE_ACCOUNT = 'default';
const VOLUME_PREFIX = 'kube-api-access-';
/** An hour and seven seconds: the odd second count lets the API tell the kubelet's tokens apart. */
const TOKEN_EXPIRATION_SECONDS = 3607;
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

type PodObject = Pod & Resource;
type ServiceAccountObject = ServiceAccount & Resource;

/** The projected volume Kubernetes gives a pod for its API access, exactly as it writes it. */
export function apiAccessVolume(name: string): Volume {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: ROOT_CA_CONFIG_MAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
    },
  };
}

function serviceAccountOf(
  ctx: AdmissionContext,
  namespace: string,
  name: string,
): ServiceAccountObject | undefined {
  return ctx.object('ServiceAccount', namespace, name) as ServiceAccountObject | undefined;
}

/** The pod's own choice wins, then its ServiceAccount's; mounted unless either says no. */
function shouldAutomount(spec: PodSpec, sa: ServiceAccountObject | undefined): boolean {
  return spec.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true;
}

/**
 * Adds the API access volume to the pod and mounts it read-only in every container and
 * init container that has no mount at the token path yet. A `kube-api-access-` volume the
 * pod already has (a pod copied from another) is the one mounted.
 */
function mountApiAccess(spec: PodSpec): void {
  const volumes = spec.volumes ?? [];
  const existing = volumes.find((volume) => volume.name.startsWith(VOLUME_PREFIX));
  let name = existing?.name;
  while (!name || (!existing && volumes.some((volume) => volume.name === name)))
    name = VOLUME_PREFIX + randomSuffix();
  let mounted = false;
  for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (container.volumeMounts?.some((mount) => mount.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
    (container.volumeMounts ??= []).push({ name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH });
    mounted = true;
  }
  if (mounted && !existing) spec.volumes = [...volumes, apiAccessVolume(name)];
}

/**
 * What this plugin set on a pod when it was created, kept when an update leaves it out:
 * the same manifest applied again is then unchanged, as kubectl's three-way merge makes it
 * (Kubernetes keeps them because the client merges; here `apply` sends the manifest whole).
 */
function keepWhatWasSet(spec: PodSpec, old: PodSpec): void {
  if (!spec.serviceAccountName && !spec.serviceAccount && old.serviceAccountName)
    spec.serviceAccountName = old.serviceAccountName;
  const access = old.volumes?.find((volume) => volume.name.startsWith(VOLUME_PREFIX));
  if (!access || spec.volumes?.some((volume) => volume.name.startsWith(VOLUME_PREFIX))) return;
  spec.volumes = [...(spec.volumes ?? []), structuredClone(access)];
  mountApiAccess(spec);
}

function isMirrorPod(pod: PodObject): boolean {
  return pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined;
}

/**
 * Kubernetes' ServiceAccount admission plugin around the Pod's admission. A new pod
 * runs as `default` unless it names a ServiceAccount; unless automounting is turned
 * off (by the pod, else by its ServiceAccount) it gets the API access volume mounted
 * in every container; it takes its ServiceAccount's imagePullSecrets when it has none.
 * A pod naming a ServiceAccount that does not exist is refused (403, `error looking up
 * service account ns/name: serviceaccount "name" not found`).
 *
 * Kubernetes waits up to a second or two for `default`, which its controller makes when
 * the namespace appears; a write here is decided inside the store's serialized commit,
 * which cannot wait, so a pod naming a `default` not made yet is admitted as if it
 * existed with no opinion on automounting (its node retries the token until the account
 * is there). An update keeps what was set at creation when it leaves it out; mirror
 * pods are left as they are.
 */
export function withServiceAccount(admission: KindAdmission<PodObject>): KindAdmission<PodObject> {
  return {
    ...admission,
    default(pod, ctx) {
      const spec = pod.spec;
      if (!ctx.old && spec && !isMirrorPod(pod)) {
        spec.serviceAccountName ||= spec.serviceAccount || DEFAULT_SERVICE_ACCOUNT;
        const sa = serviceAccountOf(ctx, pod.metadata.namespace ?? 'default', spec.serviceAccountName);
        if (shouldAutomount(spec, sa)) mountApiAccess(spec);
        if (!spec.imagePullSecrets?.length && sa?.imagePullSecrets?.length)
          spec.imagePullSecrets = sa.imagePullSecrets.map((secret) => ({ ...secret }));
      }
      if (ctx.old?.spec && spec) keepWhatWasSet(spec, ctx.old.spec);
      admission.default?.(pod, ctx);
    },
    forbid(pod, ctx) {
      const name = pod.spec?.serviceAccountName;
      const namespace = pod.metadata.namespace ?? 'default';
      if (!ctx.old && name && name !== DEFAULT_SERVICE_ACCOUNT && !serviceAccountOf(ctx, namespace, name))
        return `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`;
      return admission.forbid?.(pod, ctx);
    },
  };
}
