import type { Container, PodSpec, Volume } from '../../schema/kinds/pod.ts';
import { allContainers, VOLUME_SOURCES, type Handler } from './pod-spec.ts';

/**
 * The defaults Kubernetes gives every PodSpec, templates included. Kubernetes keeps a
 * few Pod-only defaults (requests from limits, enableServiceLinks, host ports) out of
 * templates so that they never change a template's hash; podAdmission adds those.
 */
export function defaultPodSpec(spec: PodSpec): void {
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.restartPolicy ??= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  // serviceAccount is the old name of serviceAccountName: Kubernetes reads either and writes both.
  spec.serviceAccountName ||= spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const container of allContainers(spec)) defaultContainer(container);
  for (const volume of spec.volumes ?? []) defaultVolume(volume);
}

function defaultContainer(container: Container): void {
  container.imagePullPolicy ??= defaultPullPolicy(container.image);
  container.terminationMessagePath ||= '/dev/termination-log';
  container.terminationMessagePolicy ??= 'File';
  for (const port of container.ports ?? []) port.protocol ??= 'TCP';
  for (const env of container.env ?? []) {
    if (env.valueFrom?.fieldRef) env.valueFrom.fieldRef.apiVersion ||= 'v1';
  }
  for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
    if (!probe) continue;
    // Zero means unset for these (non-pointer ints in Kubernetes).
    probe.timeoutSeconds ||= 1;
    probe.periodSeconds ||= 10;
    probe.successThreshold ||= 1;
    probe.failureThreshold ||= 3;
    defaultHandler(probe);
  }
  defaultHandler(container.lifecycle?.postStart);
  defaultHandler(container.lifecycle?.preStop);
}

function defaultHandler(handler: Handler | undefined): void {
  if (!handler?.httpGet) return;
  handler.httpGet.path ||= '/';
  handler.httpGet.scheme ??= 'HTTP';
}

function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  return imageTag(image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
}

/** The tag as Kubernetes' image parser sees it: "latest" when neither a tag nor a digest is given. */
function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

function defaultVolume(volume: Volume): void {
  if (VOLUME_SOURCES.every((source) => volume[source] === undefined)) volume.emptyDir = {};
  if (volume.configMap) volume.configMap.defaultMode ??= 0o644;
  if (volume.secret) volume.secret.defaultMode ??= 0o644;
  if (volume.hostPath) volume.hostPath.type ??= '';
  if (volume.image) volume.image.pullPolicy ??= defaultPullPolicy(volume.image.reference);
  const claim = volume.ephemeral?.volumeClaimTemplate?.spec;
  if (claim) claim.volumeMode ??= 'Filesystem';
}
