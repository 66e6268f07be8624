import type { Verb } from './verb.ts';

/** kubectl's everyday verbs, each loaded only when run. */
export const VERBS: Record<string, { summary: string; load: () => Promise<Verb> }> = {
  version: {
    summary: 'print the client and server versions',
    load: async () => (await import('./version.ts')).version,
  },
  config: {
    summary: 'show or change the saved server, token and namespace',
    load: async () => (await import('./config.ts')).config,
  },
  get: { summary: 'display one or many resources', load: async () => (await import('./get.ts')).get },
  describe: {
    summary: 'show details of a resource, its related objects and events',
    load: async () => (await import('./describe.ts')).describe,
  },
  apply: {
    summary: 'create or update resources from files or stdin',
    load: async () => (await import('./apply.ts')).apply,
  },
  create: {
    summary: 'create a deployment, namespace, configmap, secret or token',
    load: async () => (await import('./create.ts')).create,
  },
  run: {
    summary: 'run an image as a deployment (or a pod with --restart=Never)',
    load: async () => (await import('./run.ts')).run,
  },
  expose: {
    summary: 'expose a deployment as a new service',
    load: async () => (await import('./expose.ts')).expose,
  },
  scale: {
    summary: 'set the replicas of a deployment, replica set or stateful set',
    load: async () => (await import('./scale.ts')).scale,
  },
  set: { summary: 'set container images (set image)', load: async () => (await import('./set.ts')).set },
  label: { summary: 'update the labels of a resource', load: async () => (await import('./label.ts')).label },
  annotate: {
    summary: 'update the annotations of a resource',
    load: async () => (await import('./label.ts')).annotate,
  },
  edit: { summary: 'edit a resource in $EDITOR', load: async () => (await import('./edit.ts')).edit },
  delete: {
    summary: 'delete resources by name, file or label selector',
    load: async () => (await import('./delete.ts')).remove,
  },
  rollout: {
    summary: 'manage a rollout: status, history, undo, pause, resume, restart',
    load: async () => (await import('./rollout.ts')).rollout,
  },
  logs: {
    summary: 'print the logs of a container in a pod',
    load: async () => (await import('./logs.ts')).logs,
  },
  exec: { summary: 'run a command in a container', load: async () => (await import('./exec.ts')).exec },
  cordon: {
    summary: 'mark nodes unschedulable',
    load: async () => (await import('./drain.ts')).cordon,
  },
  uncordon: {
    summary: 'mark nodes schedulable',
    load: async () => (await import('./drain.ts')).uncordon,
  },
  drain: {
    summary: "evict a node's pods within their disruption budgets, for maintenance",
    load: async () => (await import('./drain.ts')).drain,
  },
  auth: {
    summary: 'inspect authorization: can-i, whoami',
    load: async () => (await import('./auth.ts')).auth,
  },
  top: {
    summary: 'show the CPU and memory use of pods or nodes',
    load: async () => (await import('./top.ts')).top,
  },
  events: { summary: 'list events', load: async () => (await import('./events.ts')).events },
  'api-resources': {
    summary: 'print the supported resource types',
    load: async () => (await import('./api-resources.ts')).apiResources,
  },
  explain: {
    summary: 'documentation of a resource and its fields',
    load: async () => (await import('./explain.ts')).explain,
  },
  completion: {
    summary: 'shell completion code for bash or zsh',
    load: async () => (await import('./completion.ts')).completionFor(Object.keys(VERBS)),
  },
};
