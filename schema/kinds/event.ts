import { defineKind } from '../kind.ts';
import { required, s, type Infer } from '../shape.ts';
import { ObjectMeta, ObjectReference } from './meta.ts';

export const EventSource = s.object('EventSource', {
  component: s.string('The component that reported the event.'),
  host: s.string('The node it ran on.'),
});

export const EventSeries = s.object(
  'EventSeries',
  {
    count: s.int('How many times the event recurred in the series.'),
    lastObservedTime: s.string('When the last recurrence was seen (RFC 3339, microseconds).'),
  },
  'Recurrences of an event, reported together instead of one event each.',
);

export const Event = s.object(
  'Event',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    involvedObject: required(ObjectReference),
    reason: s.string('Why, in UpperCamelCase and machine-readable (FailedScheduling, Pulled, ...).'),
    message: s.string('What happened, for humans.'),
    source: EventSource,
    firstTimestamp: s.string('When the event was first recorded.'),
    lastTimestamp: s.string('When the event was most recently recorded.'),
    count: s.int('How many times the event happened.'),
    type: s.enum('EventType', ['Normal', 'Warning']),
    eventTime: s.string('When the event was first observed (RFC 3339, microseconds).'),
    series: EventSeries,
    action: s.string('What was done, or failed, about the involved object.'),
    related: ObjectReference,
    reportingComponent: s.string('The controller that emitted the event, e.g. kubernetes.io/kubelet.'),
    reportingInstance: s.string('Which instance of that controller, e.g. the node name.'),
  },
  'A report of something that happened to an object; kept for a limited time.',
);
export type Event = Infer<typeof Event>;

export const eventKind = defineKind({
  kind: 'Event',
  apiVersion: 'v1',
  plural: 'events',
  shortNames: ['ev'],
  namespaced: true,
  shape: Event,
  description: 'A report of something that happened to an object; kept for a limited time.',
  fieldSelectors: {
    'involvedObject.kind': (ev) => ev.involvedObject.kind,
    'involvedObject.namespace': (ev) => ev.involvedObject.namespace,
    'involvedObject.name': (ev) => ev.involvedObject.name,
    'involvedObject.uid': (ev) => ev.involvedObject.uid,
    'involvedObject.apiVersion': (ev) => ev.involvedObject.apiVersion,
    'involvedObject.resourceVersion': (ev) => ev.involvedObject.resourceVersion,
    'involvedObject.fieldPath': (ev) => ev.involvedObject.fieldPath,
    reason: (ev) => ev.reason,
    reportingComponent: (ev) => ev.reportingComponent,
    source: (ev) => ev.source?.component,
    type: (ev) => ev.type,
  },
});
