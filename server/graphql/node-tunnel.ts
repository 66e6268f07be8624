import type { TunnelReply, TunnelRequest } from '../tunnel/messages.ts';
import { builder, type Context } from './builder.ts';
import { nodeAgent, requires } from './field-access.ts';
import { LogStreamRef } from './pod-streams.ts';

/**
 * The node agents' side of podLogs, execPod and port forwarding (the REST API's
 * `pods/portforward`). The API server cannot connect to an agent, so the agent
 * subscribes to `nodeStreamRequests` and answers each request with `nodeStreamReply`
 * mutations.
 */

const RequestKindRef = builder.enumType('NodeStreamRequestKind', {
  description:
    'LOGS, EXEC, EXEC_STREAM and PORT_FORWARD start a request; INPUT writes to the stdin of the EXEC_STREAM (or to the connection of the PORT_FORWARD) with that id; CANCEL ends the request with that id (the user went away).',
  values: ['LOGS', 'EXEC', 'EXEC_STREAM', 'PORT_FORWARD', 'INPUT', 'CANCEL'] as const,
});

type LogOptions = NonNullable<TunnelRequest['logs']>;
type ExecOptions = NonNullable<TunnelRequest['exec']>;
type ExecStreamOptions = NonNullable<TunnelRequest['execStream']>;
type PortForwardOptions = NonNullable<TunnelRequest['portForward']>;
type ExecInput = NonNullable<TunnelRequest['input']>;

const LogRequestRef = builder.objectRef<LogOptions>('NodeLogRequest').implement({
  fields: (t) => ({
    follow: t.exposeBoolean('follow', { nullable: false }),
    previous: t.exposeBoolean('previous', { nullable: false }),
    tailLines: t.exposeInt('tailLines'),
    sinceSeconds: t.exposeInt('sinceSeconds'),
  }),
});

const ExecRequestRef = builder.objectRef<ExecOptions>('NodeExecRequest').implement({
  fields: (t) => ({
    command: t.exposeStringList('command', { nullable: false }),
    stdin: t.exposeString('stdin'),
    timeoutSeconds: t.exposeInt('timeoutSeconds', { nullable: false }),
  }),
});

const ExecStreamRequestRef = builder.objectRef<ExecStreamOptions>('NodeExecStreamRequest').implement({
  fields: (t) => ({
    command: t.exposeStringList('command', { nullable: false }),
    tty: t.exposeBoolean('tty', { nullable: false }),
  }),
});

const PortForwardRequestRef = builder.objectRef<PortForwardOptions>('NodePortForwardRequest').implement({
  description:
    "Connect to this TCP port of the pod (on its IP). Answer once connected, then send what the pod sends as `base64`, and `done` once it closes the connection; INPUT requests carry the user's bytes.",
  fields: (t) => ({
    port: t.exposeInt('port', { nullable: false }),
  }),
});

const ExecInputRef = builder.objectRef<ExecInput>('NodeExecInput').implement({
  fields: (t) => ({
    data: t.exposeString('data'),
    base64: t.exposeString('base64', {
      description: "A PORT_FORWARD's bytes for the pod, base64-encoded.",
    }),
    close: t.boolean({
      nullable: false,
      description: "After `data`: closes stdin; of a PORT_FORWARD, the connection's sending side.",
      resolve: (i) => i.close ?? false,
    }),
  }),
});

const RequestRef = builder.objectRef<TunnelRequest>('NodeStreamRequest').implement({
  description:
    "A request for the logs of, or a command in, one of a node's pods' containers, or for a connection to one of its pods' ports.",
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    kind: t.field({ type: RequestKindRef, nullable: false, resolve: (r) => r.kind }),
    namespace: t.exposeString('namespace'),
    podName: t.exposeString('podName'),
    podUid: t.exposeString('podUid'),
    container: t.exposeString('container'),
    init: t.exposeBoolean('init', { description: 'Whether the container is an init container.' }),
    logs: t.field({ type: LogRequestRef, resolve: (r) => r.logs }),
    exec: t.field({ type: ExecRequestRef, resolve: (r) => r.exec }),
    execStream: t.field({ type: ExecStreamRequestRef, resolve: (r) => r.execStream }),
    portForward: t.field({ type: PortForwardRequestRef, resolve: (r) => r.portForward }),
    input: t.field({ type: ExecInputRef, resolve: (r) => r.input }),
  }),
});

const LogLineInputRef = builder.inputType('LogLineInput', {
  fields: (t) => ({
    stream: t.field({ type: LogStreamRef, required: true }),
    time: t.string({ required: true, description: 'RFC 3339 with nanoseconds.' }),
    text: t.string({ required: true }),
  }),
});

const ExecResultInputRef = builder.inputType('ExecResultInput', {
  fields: (t) => ({
    stdout: t.string({ required: true }),
    stderr: t.string({ required: true }),
    exitCode: t.int({ required: true }),
  }),
});

const ExecOutputInputRef = builder.inputType('ExecOutputInput', {
  fields: (t) => ({
    stream: t.field({ type: LogStreamRef, required: true }),
    data: t.string({ required: true }),
  }),
});

const ErrorInputRef = builder.inputType('NodeStreamErrorInput', {
  fields: (t) => ({
    code: t.string({
      required: true,
      description:
        'BAD_REQUEST, NOT_FOUND, TIMEOUT or UNAVAILABLE; any other reaches the user as UNAVAILABLE.',
    }),
    message: t.string({ required: true }),
  }),
});

const ReplyInputRef = builder.inputType('NodeStreamReplyInput', {
  description: 'One answer to a request; the first one tells the server the agent has taken it up.',
  fields: (t) => ({
    nodeName: t.string({ required: true }),
    requestId: t.id({ required: true }),
    lines: t.field({ type: [LogLineInputRef], description: 'The next lines of a LOGS request, in order.' }),
    output: t.field({
      type: [ExecOutputInputRef],
      description: 'The next output of an EXEC_STREAM request, in order.',
    }),
    base64: t.string({
      description: 'The next bytes a PORT_FORWARD connection received from the pod, base64-encoded.',
    }),
    done: t.boolean({
      description: 'A LOGS request has no more lines; the pod closed the connection of a PORT_FORWARD.',
    }),
    error: t.field({ type: ErrorInputRef, description: 'The request failed (ends it).' }),
    exec: t.field({
      type: ExecResultInputRef,
      description: 'The outcome of an EXEC request, or the exit code of an EXEC_STREAM (ends it).',
    }),
  }),
});

builder.subscriptionField('nodeStreamRequests', (t) =>
  t.field({
    type: RequestRef,
    nullable: false,
    description:
      "For node agents: the logs, exec and port-forward requests for the node's pods, from now on. When several subscriptions of one node are open, the latest takes new requests; when one ends, the requests it had not finished fail for their users.",
    args: { nodeName: t.arg.string({ required: true }) },
    ...requires((args: { nodeName: string }) => nodeAgent(args.nodeName)),
    subscribe: (_root: unknown, args: { nodeName: string }, ctx: Context) =>
      ctx.resources.tunnels.attach(args.nodeName),
    resolve: (request: TunnelRequest) => request,
  }),
);

builder.mutationField('nodeStreamReply', (t) =>
  t.field({
    type: 'Boolean',
    nullable: false,
    description:
      'For node agents: answers a request of nodeStreamRequests. Returns once the user has room for more, with whether the user still wants the rest (false: stop serving the request; it is over, cancelled or unknown). Send a first answer (even empty) as soon as the request is taken up: an unanswered request fails after a few seconds.',
    args: { input: t.arg({ type: ReplyInputRef, required: true }) },
    ...requires((args: { input: { nodeName: string } }) => nodeAgent(args.input.nodeName)),
    resolve: (_root, { input }, ctx) =>
      ctx.resources.tunnels.reply(stripNulls(input) as unknown as TunnelReply),
  }),
);

/** GraphQL gives null for the fields left out; the tunnel's types know only undefined. */
function stripNulls(input: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null));
}
