import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { KubeqlClient } from './client.ts';
import type { Subscription } from './subscription.ts';

const printed = new WeakMap<object, string>();

function text(document: TypedDocumentNode<unknown, unknown>): string {
  let query = printed.get(document);
  if (!query) printed.set(document, (query = print(document)));
  return query;
}

/** Runs a generated operation (client/generated/graphql.ts): its result and variables are typed. */
export function execute<Result, Variables extends Record<string, unknown>>(
  client: Pick<KubeqlClient, 'request'>,
  document: TypedDocumentNode<Result, Variables>,
  variables?: Variables,
): Promise<Result> {
  return client.request<Result>(text(document as TypedDocumentNode<unknown, unknown>), variables);
}

/** Subscribes with a generated subscription document. */
export function subscribe<Result, Variables extends Record<string, unknown>>(
  client: Pick<KubeqlClient, 'subscribe'>,
  document: TypedDocumentNode<Result, Variables>,
  variables?: Variables,
): Subscription<Result> {
  return client.subscribe<Result>(text(document as TypedDocumentNode<unknown, unknown>), variables);
}
