import path from 'node:path';

/**
 * An ESLint rule that keeps the house's arrows pointing one way: each top-level folder
 * (a role) may import only from the roles it is given. Relative imports are resolved
 * against the importing file, so `../../server/x.ts` from `schema/` is caught however
 * it is spelled; package imports are not this rule's business.
 *
 * Options: `{ root, allow: { role: [roles it may import] } }`. A role missing from
 * `allow` (tests, benchmarks, scripts, cmd/) may import anything.
 */
export const importBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'imports only from the roles a folder is allowed to depend on' },
    schema: [
      {
        type: 'object',
        properties: { root: { type: 'string' }, allow: { type: 'object' } },
        required: ['root', 'allow'],
      },
    ],
    messages: {
      crossing:
        '{{from}}/ may not import from {{to}}/ (it may import from: {{allowed}}); move the code, or wire it in cmd/',
    },
  },
  create(context) {
    const { root, allow } = context.options[0];
    const roleOf = (file) => path.relative(root, file).split(path.sep)[0];
    const from = roleOf(context.filename);
    const allowed = allow[from];
    if (!allowed) return {};
    const check = (node) => {
      const spec = node?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = roleOf(path.resolve(path.dirname(context.filename), spec));
      if (to === from || allowed.includes(to)) return;
      context.report({
        node,
        messageId: 'crossing',
        data: { from, to, allowed: allowed.join(', ') || 'nothing' },
      });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};
