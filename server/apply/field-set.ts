import type { PathElement } from './path-element.ts';

/**
 * A set of field paths, kept as a tree of path elements as structured-merge-diff keeps it:
 * a node is in the set when `member` is true, and a path's prefixes are in the set only if
 * they are members themselves (owning `.spec.replicas` is not owning `.spec`). Nodes
 * with neither membership nor children are never kept, so an empty set has no children.
 * A set is built with `insert` and then only read: the operations return new sets, which
 * share subtrees with their operands.
 */
export class FieldSet {
  member = false;
  readonly children = new Map<PathElement, FieldSet>();

  static of(...paths: PathElement[][]): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  isEmpty(): boolean {
    return !this.member && this.children.size === 0;
  }

  insert(path: readonly PathElement[], from = 0): void {
    if (from === path.length) {
      this.member = true;
      return;
    }
    let next = this.children.get(path[from]);
    if (!next) this.children.set(path[from], (next = new FieldSet()));
    next.insert(path, from + 1);
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member || other.member;
    for (const [element, child] of this.children) {
      const theirs = other.children.get(element);
      out.children.set(element, theirs ? child.union(theirs) : child);
    }
    for (const [element, child] of other.children)
      if (!this.children.has(element)) out.children.set(element, child);
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    for (const [element, child] of this.children) {
      const theirs = other.children.get(element);
      if (!theirs) continue;
      const both = child.intersection(theirs);
      if (!both.isEmpty()) out.children.set(element, both);
    }
    return out;
  }

  /**
   * The paths of this set that are not in `other` (exact paths: a member of `other` does
   * not take its descendants). This very set when nothing is taken away, as most managers'
   * sets are on most writes, so that their encoding is not redone (managed-fields.ts).
   */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other.member;
    let same = out.member === this.member;
    for (const [element, child] of this.children) {
      const theirs = other.children.get(element);
      const rest = theirs ? child.difference(theirs) : child;
      if (!rest.isEmpty()) out.children.set(element, rest);
      same &&= rest === child;
    }
    return same ? this : out;
  }

  equals(other: FieldSet): boolean {
    if (this.member !== other.member || this.children.size !== other.children.size) return false;
    for (const [element, child] of this.children) {
      const theirs = other.children.get(element);
      if (!theirs || !child.equals(theirs)) return false;
    }
    return true;
  }

  /** Every member path, children in element order. */
  paths(): PathElement[][] {
    const out: PathElement[][] = [];
    const walk = (node: FieldSet, prefix: PathElement[]) => {
      if (node.member) out.push(prefix);
      for (const element of [...node.children.keys()].sort())
        walk(node.children.get(element)!, [...prefix, element]);
    };
    walk(this, []);
    return out;
  }
}
