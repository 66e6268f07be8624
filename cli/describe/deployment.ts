import type { DeploymentObject, ReplicaSetObject } from '../../schema/columns/objects.ts';
import { selectorText } from '../../schema/columns/columns.ts';
import { eventLines } from './events.ts';
import { podTemplateLines } from './template.ts';
import { DescribeWriter, timestamp } from './writer.ts';
import { conditionsTable, header, NONE, type Described } from './common.ts';

/** `kubectl describe deployment`: the rollout's numbers and strategy, the template, the old and new ReplicaSets. */
function replicaSetSummary(rs: ReplicaSetObject): string {
  return `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`;
}

export function deployment({ object: d, events, replicaSets = [] }: Described<DeploymentObject>): string {
  const w = new DescribeWriter();
  header(w, d, true);
  w.line(0, 'CreationTimestamp:', timestamp(d.metadata.creationTimestamp));
  w.map(0, 'Labels', d.metadata.labels);
  w.map(0, 'Annotations', d.metadata.annotations, ': ');
  w.line(0, 'Selector:', selectorText(d.spec?.selector));
  const s = d.status ?? {};
  w.line(
    0,
    'Replicas:',
    `${d.spec?.replicas ?? 1} desired | ${s.updatedReplicas ?? 0} updated | ${s.replicas ?? 0} total | ${s.availableReplicas ?? 0} available | ${s.unavailableReplicas ?? 0} unavailable`,
  );
  const strategy = d.spec?.strategy ?? {};
  w.line(0, 'StrategyType:', strategy.type ?? 'RollingUpdate');
  w.line(0, 'MinReadySeconds:', d.spec?.minReadySeconds ?? 0);
  if ((strategy.type ?? 'RollingUpdate') === 'RollingUpdate') {
    const ru = strategy.rollingUpdate ?? {};
    w.line(
      0,
      'RollingUpdateStrategy:',
      `${ru.maxUnavailable ?? '25%'} max unavailable, ${ru.maxSurge ?? '25%'} max surge`,
    );
  }
  podTemplateLines(w, d.spec?.template, 0);
  conditionsTable(w, d.status?.conditions, true);
  // The newest ReplicaSet by revision is the new one, as the deployment controller sees it.
  const revision = (rs: ReplicaSetObject) =>
    Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
  const sorted = [...replicaSets].sort((a, b) => revision(b) - revision(a));
  const current = d.metadata.annotations?.['deployment.kubernetes.io/revision'];
  const newRS = sorted.find((rs) => String(revision(rs)) === current) ?? sorted[0];
  const old = sorted.filter(
    (rs) => rs !== newRS && ((rs.spec?.replicas ?? 0) > 0 || (rs.status?.replicas ?? 0) > 0),
  );
  w.line(0, 'OldReplicaSets:', old.length ? old.map(replicaSetSummary).join(', ') : NONE);
  w.line(0, 'NewReplicaSet:', newRS ? replicaSetSummary(newRS) : NONE);
  eventLines(w, events);
  return w.toString();
}
