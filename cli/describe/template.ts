import type { Container, PodTemplateSpec, Probe, Toleration, Volume } from '../../schema/kinds/pod.ts';
import { VOLUME_SOURCES } from '../../schema/kinds/volume.ts';
import type { ContainerStatus } from '../../schema/columns/objects.ts';
import type { DescribeWriter } from './writer.ts';
import { timestamp } from './writer.ts';

const NONE = '<none>';

function portText(ports: Container['ports']): string {
  if (!ports?.length) return NONE;
  return ports.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ');
}

function hostPortText(ports: Container['ports']): string {
  if (!ports?.length) return NONE;
  return ports.map((p) => `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`).join(', ');
}

function envLines(w: DescribeWriter, level: number, env: Container['env'], envFrom: Container['envFrom']) {
  if (!env?.length && !envFrom?.length) return w.line(level, 'Environment:', NONE);
  if (envFrom?.length) {
    w.line(level, 'Environment Variables from:');
    for (const from of envFrom) {
      const [source, ref] = from.configMapRef
        ? (['ConfigMap', from.configMapRef] as const)
        : (['Secret', from.secretRef] as const);
      w.line(level + 1, ref?.name, `${source}  Optional: ${ref?.optional ? 'true' : 'false'}`);
    }
  }
  if (!env?.length) return envFrom?.length ? w.line(level, 'Environment:', NONE) : undefined;
  w.line(level, 'Environment:');
  for (const e of env) {
    if (e.value !== undefined) w.line(level + 1, `${e.name}:`, e.value);
    else if (e.valueFrom?.fieldRef)
      w.line(
        level + 1,
        `${e.name}:`,
        ` (${e.valueFrom.fieldRef.apiVersion ?? 'v1'}:${e.valueFrom.fieldRef.fieldPath})`,
      );
    else if (e.valueFrom?.configMapKeyRef)
      w.line(
        level + 1,
        `${e.name}:`,
        `<set to the key '${e.valueFrom.configMapKeyRef.key}' of config map '${e.valueFrom.configMapKeyRef.name}'>  Optional: false`,
      );
    else if (e.valueFrom?.secretKeyRef)
      w.line(
        level + 1,
        `${e.name}:`,
        `<set to the key '${e.valueFrom.secretKeyRef.key}' in secret '${e.valueFrom.secretKeyRef.name}'>  Optional: false`,
      );
    else w.line(level + 1, `${e.name}:`, '');
  }
}

function probeText(probe: Probe): string {
  const action = probe.httpGet
    ? `http-get ${probe.httpGet.scheme === 'HTTPS' ? 'https' : 'http'}://${probe.httpGet.host ?? ''}:${probe.httpGet.port}${probe.httpGet.path ?? '/'}`
    : probe.tcpSocket
      ? `tcp-socket ${probe.tcpSocket.host ?? ''}:${probe.tcpSocket.port}`
      : probe.exec
        ? `exec [${(probe.exec.command ?? []).join(' ')}]`
        : probe.grpc
          ? `grpc <pod>:${probe.grpc.port} ${probe.grpc.service ?? ''}`
          : 'unknown';
  return `${action} delay=${probe.initialDelaySeconds ?? 0}s timeout=${probe.timeoutSeconds ?? 1}s period=${probe.periodSeconds ?? 10}s #success=${probe.successThreshold ?? 1} #failure=${probe.failureThreshold ?? 3}`;
}

function stateLines(w: DescribeWriter, level: number, title: string, state: ContainerStatus['state']) {
  if (!state) return;
  if (state.running) {
    w.line(level, `${title}:`, 'Running');
    w.line(level + 1, 'Started:', timestamp(state.running.startedAt));
  } else if (state.waiting) {
    w.line(level, `${title}:`, 'Waiting');
    if (state.waiting.reason) w.line(level + 1, 'Reason:', state.waiting.reason);
    if (state.waiting.message) w.line(level + 1, 'Message:', state.waiting.message);
  } else if (state.terminated) {
    w.line(level, `${title}:`, 'Terminated');
    if (state.terminated.reason) w.line(level + 1, 'Reason:', state.terminated.reason);
    if (state.terminated.message) w.line(level + 1, 'Message:', state.terminated.message);
    w.line(level + 1, 'Exit Code:', state.terminated.exitCode ?? 0);
    if (state.terminated.signal) w.line(level + 1, 'Signal:', state.terminated.signal);
    w.line(level + 1, 'Started:', timestamp(state.terminated.startedAt));
    w.line(level + 1, 'Finished:', timestamp(state.terminated.finishedAt));
  } else {
    w.line(level, `${title}:`, 'Waiting');
  }
}

/**
 * Containers as describe lists them; with statuses (a Pod) their state, readiness and
 * restarts too. `level` is the level of the "Containers:" title.
 */
export function containerLines(
  w: DescribeWriter,
  level: number,
  title: string,
  containers: Container[],
  statuses?: ContainerStatus[],
) {
  if (!containers?.length) return;
  w.line(level, `${title}:`);
  for (const c of containers) {
    const status = statuses?.find((s) => s.name === c.name);
    // A pod's containers are named at the next level; a template's one space in, as kubectl does.
    if (statuses) w.line(level + 1, `${c.name}:`);
    else w.indented(`${'  '.repeat(level)} `, `${c.name}:`);
    const l = statuses ? level + 2 : level + 1;
    if (statuses) w.line(l, 'Container ID:', status?.containerID ?? '');
    w.line(l, 'Image:', c.image ?? '');
    if (statuses) w.line(l, 'Image ID:', status?.imageID ?? '');
    w.line(l, 'Port:', portText(c.ports));
    w.line(l, 'Host Port:', hostPortText(c.ports));
    if (c.command?.length) {
      w.line(l, 'Command:');
      for (const word of c.command) w.line(l + 1, word);
    }
    if (c.args?.length) {
      w.line(l, 'Args:');
      for (const word of c.args) w.line(l + 1, word);
    }
    if (status) {
      stateLines(w, l, 'State', status.state);
      if (status.lastState && Object.keys(status.lastState).length)
        stateLines(w, l, 'Last State', status.lastState);
      w.line(l, 'Ready:', status.ready ? 'True' : 'False');
      w.line(l, 'Restart Count:', status.restartCount ?? 0);
    }
    for (const which of ['limits', 'requests'] as const) {
      const values = c.resources?.[which];
      if (values && Object.keys(values).length) {
        w.line(l, `${which[0].toUpperCase()}${which.slice(1)}:`);
        for (const [k, v] of Object.entries(values)) w.line(l + 1, `${k}:`, String(v));
      }
    }
    if (c.livenessProbe) w.line(l, 'Liveness:', probeText(c.livenessProbe));
    if (c.readinessProbe) w.line(l, 'Readiness:', probeText(c.readinessProbe));
    if (c.startupProbe) w.line(l, 'Startup:', probeText(c.startupProbe));
    envLines(w, l, c.env, c.envFrom);
    if (!c.volumeMounts?.length) w.line(l, 'Mounts:', NONE);
    else {
      w.line(l, 'Mounts:');
      for (const m of c.volumeMounts)
        w.line(l + 1, `${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'})`);
    }
  }
}

export function volumeLines(w: DescribeWriter, level: number, volumes: Volume[] | undefined) {
  if (!volumes?.length) return w.line(level, 'Volumes:', NONE);
  w.line(level, 'Volumes:');
  for (const v of volumes) {
    w.line(level + 1, `${v.name}:`);
    const l = level + 2;
    if (v.emptyDir) {
      w.line(l, 'Type:', "EmptyDir (a temporary directory that shares a pod's lifetime)");
      w.line(l, 'Medium:', v.emptyDir.medium ?? '');
      w.line(l, 'SizeLimit:', v.emptyDir.sizeLimit ?? '<unset>');
    } else if (v.configMap) {
      w.line(l, 'Type:', 'ConfigMap (a volume populated by a ConfigMap)');
      w.line(l, 'Name:', v.configMap.name);
      w.line(l, 'Optional:', v.configMap.optional ? 'true' : 'false');
    } else if (v.secret) {
      w.line(l, 'Type:', 'Secret (a volume populated by a Secret)');
      w.line(l, 'SecretName:', v.secret.secretName);
      w.line(l, 'Optional:', v.secret.optional ? 'true' : 'false');
    } else if (v.hostPath) {
      w.line(l, 'Type:', 'HostPath (bare host directory volume)');
      w.line(l, 'Path:', v.hostPath.path);
      w.line(l, 'HostPathType:', v.hostPath.type ?? '');
    } else if (v.persistentVolumeClaim) {
      w.line(
        l,
        'Type:',
        'PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)',
      );
      w.line(l, 'ClaimName:', v.persistentVolumeClaim.claimName);
      w.line(l, 'ReadOnly:', v.persistentVolumeClaim.readOnly ? 'true' : 'false');
    } else {
      // The other sources by their field name: downwardAPI, projected, nfs, csi, ephemeral...
      w.line(l, 'Type:', VOLUME_SOURCES.find((source) => v[source] !== undefined) ?? '<unknown>');
    }
  }
}

/** "Pod Template:" of a workload: its labels, containers and volumes. */
export function podTemplateLines(
  w: DescribeWriter,
  template: PodTemplateSpec | null | undefined,
  level: number,
) {
  w.line(level, 'Pod Template:');
  w.map(level + 1, 'Labels', template?.metadata?.labels);
  if (template?.metadata?.annotations && Object.keys(template.metadata.annotations).length) {
    w.map(level + 1, 'Annotations', template.metadata.annotations, ': ');
  }
  if (template?.spec?.serviceAccountName)
    w.line(level + 1, 'Service Account:', template.spec.serviceAccountName);
  containerLines(w, level + 1, 'Init Containers', template?.spec?.initContainers ?? []);
  containerLines(w, level + 1, 'Containers', template?.spec?.containers ?? []);
  volumeLines(w, level + 1, template?.spec?.volumes);
  w.line(
    level + 1,
    'Node-Selectors:',
    Object.entries(template?.spec?.nodeSelector ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || NONE,
  );
  w.line(
    level + 1,
    'Tolerations:',
    (template?.spec?.tolerations ?? []).map(tolerationText).join(', ') || NONE,
  );
}

export function tolerationText(t: Toleration): string {
  let text = t.key ?? '';
  if (t.operator === 'Exists' && !t.value) text += '';
  else if (t.value) text += `=${t.value}`;
  if (t.effect) text += `:${t.effect}`;
  if (t.operator === 'Exists' && !t.key) text = `op=Exists${t.effect ? `:${t.effect}` : ''}`;
  else if (t.operator === 'Exists') text += ' op=Exists';
  if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null)
    text += ` for ${t.tolerationSeconds}s`;
  return text;
}
