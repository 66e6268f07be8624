/**
 * GraphQL Code Generator settings for kubeql's schema, shared by kubeql's own generated
 * types (scripts/codegen.ts) and by apps that generate theirs: spread `codegenConfig` into
 * the `config` of the typescript, typescript-operations and typed-document-node plugins
 * (client/README.md shows a whole codegen.ts).
 */

/**
 * The TypeScript type of each custom scalar, as the server sends and takes it. Without
 * these the generator types every one of them as `unknown`.
 */
export const codegenScalars = {
  /** Free-form JSON: `manifest`, patches, where Kubernetes itself is schemaless. */
  JSON: 'unknown',
  /** Labels, annotations, selectors, ConfigMap data. */
  StringMap: 'Record<string, string>',
  /** Resource name to quantity: limits, requests, capacity. */
  ResourceList: 'Record<string, string | number>',
  /** "500m", "128Mi" or a number, as written. */
  Quantity: 'string | number',
  /** A port number or name, a count or a percentage ("25%"). */
  IntOrString: 'string | number',
};

export const codegenConfig = {
  scalars: codegenScalars,
  // Enums as unions of their values, which are the strings the API sends ('Running').
  enumsAsTypes: true,
  useTypeImports: true,
};
