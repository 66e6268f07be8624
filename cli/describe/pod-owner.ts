import type { DaemonSetObject, JobObject, KindObjects } from '../../schema/columns/objects.ts';
import { selectorText } from '../../schema/columns/columns.ts';
import { eventLines } from './events.ts';
import { podTemplateLines } from './template.ts';
import { DescribeWriter, timestamp } from './writer.ts';
import { conditionsTable, controlledBy, header, podsStatus, type Described } from './common.ts';

type OwnerKind = 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job';

function replicas(w: DescribeWriter, o: KindObjects['ReplicaSet' | 'StatefulSet']) {
  w.line(0, 'Replicas:', `${o.status?.replicas ?? 0} current / ${o.spec?.replicas ?? 1} desired`);
}

/** What each kind counts: its replicas, a DaemonSet's nodes, a Job's pods. */
const COUNTS: { [K in OwnerKind]: (w: DescribeWriter, o: KindObjects[K]) => void } = {
  ReplicaSet: replicas,
  StatefulSet: replicas,
  DaemonSet: (w: DescribeWriter, o: DaemonSetObject) => {
    const s = o.status;
    w.line(0, 'Desired Number of Nodes Scheduled:', s?.desiredNumberScheduled ?? 0);
    w.line(0, 'Current Number of Nodes Scheduled:', s?.currentNumberScheduled ?? 0);
    w.line(0, 'Number of Nodes Scheduled with Up-to-date Pods:', s?.updatedNumberScheduled ?? 0);
    w.line(0, 'Number of Nodes Scheduled with Available Pods:', s?.numberAvailable ?? 0);
    w.line(0, 'Number of Nodes Misscheduled:', s?.numberMisscheduled ?? 0);
  },
  Job: (w: DescribeWriter, o: JobObject) => {
    const s = o.status;
    w.line(0, 'Parallelism:', o.spec?.parallelism ?? 1);
    w.line(0, 'Completions:', o.spec?.completions ?? 1);
    w.line(0, 'Completion Mode:', o.spec?.completionMode ?? 'NonIndexed');
    if (s?.startTime) w.line(0, 'Start Time:', timestamp(s.startTime));
    if (s?.completionTime) w.line(0, 'Completed At:', timestamp(s.completionTime));
    w.line(
      0,
      'Pods Statuses:',
      `${s?.active ?? 0} Active / ${s?.succeeded ?? 0} Succeeded / ${s?.failed ?? 0} Failed`,
    );
  },
};

/** ReplicaSets, StatefulSets, DaemonSets and Jobs: their counts, their pods' phases and the template. */
export function podOwner<K extends OwnerKind>(kindTitle: K) {
  return ({ object: o, events, pods }: Described<KindObjects[K]>): string => {
    const w = new DescribeWriter();
    header(w, o, true);
    w.line(0, 'Selector:', selectorText(o.spec?.selector));
    w.map(0, 'Labels', o.metadata.labels);
    w.map(0, 'Annotations', o.metadata.annotations, ': ');
    const owner = controlledBy(o);
    if (owner) w.line(0, 'Controlled By:', owner);
    COUNTS[kindTitle](w, o);
    if (kindTitle !== 'Job') w.line(0, 'Pods Status:', podsStatus(pods));
    podTemplateLines(w, o.spec?.template, 0);
    conditionsTable(w, o.status?.conditions, true);
    eventLines(w, events);
    return w.toString();
  };
}
